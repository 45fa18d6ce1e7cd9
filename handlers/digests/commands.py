"""`/digest`: subscribe a channel (a modal), unsubscribe, list, preview, post now, help.

Who may do what: anyone who can run the command in a channel may subscribe it, preview its digest
and post it now; only whoever set the subscription up, or an admin, may change or stop it.
"""

from __future__ import annotations

import json
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot import text
from bot.errors import InvalidInput, PmbotError
from bot.local_time import zones_matching
from bot.runtime import Services
from bot.services.digests import service as form
from bot.services.digests.service import SubscriptionForm
from bot.views import ids, limits
from bot.views.common import as_dicts, option
from bot.views.digests.message import digest_message
from bot.views.digests.modal import SKIP_QUIET, digest_modal
from bot.views.digests.replies import help_blocks, subscribed_text, subscriptions_blocks
from handlers.modals import open_then_fill
from handlers.payload import who
from handlers.replies import in_plain_text, named_modal_errors

State = dict[str, dict[str, dict[str, Any]]]


def register(app: AsyncApp) -> None:
    """Attach the digest listeners."""
    app.command("/digest")(route_digest_command)
    app.view(ids.DIGEST_MODAL)(save_subscription)
    app.options(ids.TIMEZONE_PICKER)(suggest_timezones)


async def suggest_timezones(ack: AsyncAck, payload: dict[str, Any]) -> None:
    """Type-ahead over IANA timezones, saved by name."""
    found = zones_matching(str(payload.get("value") or ""), limits.SELECT_OPTIONS)
    await ack(options=[option(name.replace("_", " "), name).to_dict() for name in found])


async def route_digest_command(
    ack: AsyncAck,
    command: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: AsyncBoltContext,
    services: Services,
) -> None:
    """`/digest subscribe | unsubscribe | list | preview | now | help`; anything else shows the help."""
    typed = (command.get("text") or "").strip().lower()
    (team_id, user_id), channel_id = who(context), command["channel_id"]
    digests = services.digests
    match typed:
        case "subscribe":
            await open_subscribe_modal(ack, command, client, respond, context, services)
        case "unsubscribe":
            await ack()
            await digests.unsubscribe(team_id, channel_id, user_id)
            await respond(
                text=f"{text.channel(channel_id)} will get no more digests.", response_type="ephemeral"
            )
        case "list":
            await ack(blocks=as_dicts(subscriptions_blocks(await digests.subscriptions(team_id))))
        case "preview":
            await ack()
            fallback, blocks = digest_message(await digests.preview(team_id, channel_id))
            await respond(text=fallback, blocks=as_dicts(blocks), response_type="ephemeral")
        case "now":
            await ack()
            await digests.post_now(team_id, channel_id, user_id)
            await respond(
                text=f"Posting the digest in {text.channel(channel_id)} now.", response_type="ephemeral"
            )
        case "help" | "":
            await ack(blocks=as_dicts(help_blocks()))
        case _:
            note = f"I don't know `{text.escaped(typed, 40)}`."
            await ack(blocks=as_dicts(help_blocks(note)))


async def open_subscribe_modal(
    ack: AsyncAck,
    command: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: AsyncBoltContext,
    services: Services,
) -> None:
    """Open at once, then fill in the channel's subscription (or the defaults, in the person's zone)."""
    await ack()
    (team_id, user_id), channel_id = who(context), command["channel_id"]

    async def build() -> View:
        person = await services.directory.get_user(team_id, user_id)
        current, editing = await services.digests.form_for(
            team_id, channel_id, user_id, person.tz if person else "UTC"
        )
        return digest_modal(channel_id, current, editing=editing)

    await open_then_fill(client, command["trigger_id"], "Weekly digest", build, respond)


async def save_subscription(
    ack: AsyncAck, view: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext, services: Services
) -> None:
    """Save the channel's subscription; bad input is shown inline and nothing is stored."""
    team_id, user_id = who(context)
    channel_id = json.loads(view.get("private_metadata") or "{}").get("channel", "")
    try:
        saved = await services.digests.subscribe(
            team_id, channel_id, user_id, subscription_form(view["state"]["values"])
        )
    except InvalidInput as invalid:
        await ack(
            response_action="errors", errors=await in_plain_text(services.directory, team_id, invalid.fields)
        )
        return
    except PmbotError as refused:
        await ack(
            response_action="errors",
            errors=await named_modal_errors(services.directory, team_id, refused, form.WEEKDAY),
        )
        return
    await ack()
    await _confirm(client, channel_id, user_id, subscribed_text(saved))


def subscription_form(state: State) -> SubscriptionForm:
    """The modal's values; the service checks them and names what is wrong."""
    day = _value(state, form.WEEKDAY).get("selected_option") or {}
    hour, _, minute = (_value(state, form.TIME).get("selected_time") or "").partition(":")
    sections = [chosen["value"] for chosen in _value(state, form.SECTIONS).get("selected_options") or []]
    skip = [chosen["value"] for chosen in _value(state, form.SKIP_QUIET).get("selected_options") or []]
    return SubscriptionForm(
        weekday=int(day["value"]) if str(day.get("value", "")).isdigit() else -1,
        hour=int(hour) if hour.isdigit() else -1,
        minute=int(minute) if minute.isdigit() else -1,
        timezone=_chosen_zone(state),
        sections=sections,
        skip_quiet_weeks=SKIP_QUIET in skip,
    )


def _chosen_zone(state: State) -> str:
    # The type-ahead's pick; the service refuses (inline) a name that is not a zone.
    picked = state.get(form.TIMEZONE, {}).get(ids.TIMEZONE_PICKER, {}).get("selected_option") or {}
    return str(picked.get("value") or "").strip()


def _value(state: State, block_id: str) -> dict[str, Any]:
    return state.get(block_id, {}).get(ids.VALUE, {})


async def _confirm(client: AsyncWebClient, channel_id: str, user_id: str, said: str) -> None:
    try:
        await client.chat_postEphemeral(channel=channel_id, user=user_id, text=said)
    except SlackApiError:
        # Not in the channel yet: the digest could not be posted there either, so say so.
        invite = f"{said} Invite me to {text.channel(channel_id)} (`/invite @pmbot`) so I can post it."
        await client.chat_postMessage(channel=user_id, text=invite)
