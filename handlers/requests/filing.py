"""Filing requests: `/request`, the request modal, the "File as request" shortcut."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot import text
from bot.errors import PmbotError
from bot.interactions.incoming import Incoming
from bot.runtime import Services
from bot.services.requests.types import DESCRIPTION_MAX, TITLE_MAX, MessageSource, RequestDraft
from bot.views import ids
from bot.views.common import as_dicts
from bot.views.requests.modal import (
    RequestModalMetadata,
    filed_message,
    filed_view,
    request_modal,
)
from bot.views.requests.replies import add_details_blocks
from bot.views.requests.similar import merge_suggestions
from handlers.payload import who
from handlers.replies import named_modal_errors
from handlers.requests import forms as request_forms
from handlers.requests import listing, search, similar
from handlers.settings import modals as settings

REQUEST_REF = re.compile(r"^REQ-?(\d+)$", re.IGNORECASE)
SHORTCUT_TITLE_MAX = 100  # a filed message's first sentence, cut at a word
NAMES_LOOKED_UP = 10  # people named in a filed message's title; more stay "@someone"
NAMES_WAIT = 1.0  # seconds: the modal must open before the trigger_id expires (3 s)
SUBCOMMANDS = ("help", "list", "search", "settings")


def files_at_once(incoming: Incoming) -> bool:
    """`/request <text>` files before it acks: its inbox entry can ride on that write."""
    if incoming.kind != "command" or incoming.payload.get("command") != "/request":
        return False
    word, _, rest = str(incoming.payload.get("text") or "").strip().partition(" ")
    return bool(rest) and word.lower() not in SUBCOMMANDS


def register(app: AsyncApp) -> None:
    """Attach the filing listeners."""
    app.command("/request")(route_request_command)
    app.view(ids.REQUEST_MODAL)(submit_request_modal)
    app.shortcut(ids.FILE_AS_REQUEST)(open_modal_from_message)
    app.action(ids.ADD_DETAILS)(open_details_modal)
    app.action(ids.OPEN_REQUEST_MODAL)(open_blank_modal)


async def route_request_command(
    ack: AsyncAck,
    command: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: AsyncBoltContext,
    services: Services,
) -> None:
    """`/request [text | list … | REQ-n | settings | help]`."""
    typed = (command.get("text") or "").strip()
    word, _, rest = typed.partition(" ")
    ref = REQUEST_REF.match(word) if not rest else None
    match word.lower():
        case "":
            await ack()
            await client.views_open(trigger_id=command["trigger_id"], view=request_modal())
        case "help":
            admin = await services.permissions.is_admin(context.team_id or "", context.user_id or "")
            await ack(blocks=as_dicts(listing.help_blocks(admin=admin)))
        case "list":
            await listing.answer_list(ack, context, services, rest)
        case "search":
            await search.answer_search(ack, context, services, rest)
        case "settings":
            await settings.open_settings(ack, command["trigger_id"], client, respond, context, services)
        case _ if ref:
            await listing.answer_one(ack, context, services, int(ref.group(1)))
        case _ if not rest:
            hint = f"I don't know `{text.escaped(word, 50)}`. To file a request, describe it in a few words."
            await ack(blocks=as_dicts(listing.help_blocks(hint)))
        case _:
            await file_from_command(ack, context, services, typed)


async def file_from_command(ack: AsyncAck, context: AsyncBoltContext, services: Services, typed: str) -> None:
    """`/request <text>`: file at once; a long text keeps its whole self as the description."""
    draft = RequestDraft(
        title=text.truncate(typed, TITLE_MAX),
        description=text.truncate(typed, DESCRIPTION_MAX) if len(typed) > TITLE_MAX else "",
    )
    team_id, user_id = context.team_id or "", context.user_id or ""
    # Searched before it is stored, so every request found is an earlier one; its card reuses them.
    earlier = await services.similar.before_filing(team_id, draft.title)
    try:
        filed = await services.requests.file(team_id, user_id, draft, similar=earlier)
    except PmbotError as error:
        await ack(text=f":warning: {error.message}")
        return
    message = filed_message(filed.ref, filed.intake_channel_id)
    blocks = [
        *add_details_blocks(message, filed.number, draft.title),
        *merge_suggestions(filed.number, earlier or [], user_id),
    ]
    await ack(text=message, blocks=as_dicts(blocks))


async def submit_request_modal(
    ack: AsyncAck, view: dict[str, Any], context: AsyncBoltContext, services: Services
) -> None:
    """File (or edit) from the modal; invalid input is shown inline and nothing is stored."""
    metadata = RequestModalMetadata.loads(view.get("private_metadata") or "")
    team_id, user_id = context.team_id or "", context.user_id or ""
    try:
        draft = request_forms.request_draft(view["state"]["values"], now=services.clock.now())
        if metadata.number is not None:
            await services.requests.edit(team_id, user_id, metadata.number, draft)
            await ack()
            return
        filed = await services.requests.file(team_id, user_id, draft, source=_source(metadata))
    except PmbotError as error:
        await ack(
            response_action="errors",
            errors=await named_modal_errors(services.directory, context.team_id or "", error, ids.TITLE),
        )
        return
    await ack(response_action="update", view=filed_view(filed.ref, filed.intake_channel_id))


async def open_modal_from_message(
    ack: AsyncAck,
    shortcut: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
    services: Services,
) -> None:
    """The "File as request" message shortcut: a modal pre-filled from the message.

    The title is the message's first sentence with people named; the description is the rest of
    the message, its user mentions kept (they stay live mentions on the card)."""
    await ack()
    message = shortcut.get("message", {})
    body = text.neutralise_markup(message.get("text", ""), keep_users=True)
    names = await _names_in_time(services, context.team_id or "", text.mentioned_ids(body))
    title = text.first_sentence(text.plain(body, names), SHORTCUT_TITLE_MAX)
    channel_id = shortcut.get("channel", {}).get("id", "")
    source = {
        "channel_id": channel_id,
        "ts": message.get("ts", ""),
        "author_id": message.get("user") or context.user_id,
        "author_is_bot": _by_a_bot(message, context),
        "permalink": _permalink(shortcut.get("team", {}).get("domain"), channel_id, message.get("ts", "")),
        "response_url": shortcut.get("response_url"),
    }
    # The description holds what the title does not; a title cut short leaves the whole text there.
    rest = body.strip() if title.endswith(text.ELLIPSIS) else text.after_first_sentence(body)
    draft = RequestDraft(title=title, description=text.truncate(rest, DESCRIPTION_MAX))
    metadata = RequestModalMetadata(source=source)
    opened = await client.views_open(trigger_id=shortcut["trigger_id"], view=request_modal(draft, metadata))
    # Opened first (the trigger lasts 3 s); what looks like it is shown under the title after.
    await similar.show_suggestions(client, services, who(context), opened["view"], draft, metadata)


async def open_details_modal(
    ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
) -> None:
    """ "Add details" under a quick filing: the modal, pre-filled, opened before any database work."""
    await ack()
    value = json.loads(action["value"])
    metadata = RequestModalMetadata(number=int(value["number"]))
    await client.views_open(
        trigger_id=body["trigger_id"], view=request_modal(RequestDraft(title=value["title"]), metadata)
    )


async def open_blank_modal(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
    """A "File a request" button anywhere opens the empty modal."""
    await ack()
    await client.views_open(trigger_id=body["trigger_id"], view=request_modal())


async def _names_in_time(services: Services, team_id: str, user_ids: list[str]) -> dict[str, str]:
    """Names of the people a message mentions (cached users.info), within what the 3 s trigger allows;
    a name Slack is slow to give is left out (the title says "@someone" and can be edited)."""
    if not user_ids:
        return {}
    try:
        looked_up = services.directory.names(team_id, user_ids[:NAMES_LOOKED_UP])
        return await asyncio.wait_for(looked_up, NAMES_WAIT)
    except TimeoutError:
        return {}


def _by_a_bot(message: dict[str, Any], context: AsyncBoltContext) -> bool:
    """Whether a bot wrote the message: pmbot itself or another app (Slack marks both with bot_id)."""
    if message.get("bot_id") or message.get("subtype") == "bot_message":
        return True
    return bool(context.bot_user_id) and message.get("user") == context.bot_user_id


def _source(metadata: RequestModalMetadata) -> MessageSource | None:
    if not metadata.source:
        return None
    return MessageSource(**metadata.source)


def _permalink(team_domain: str | None, channel_id: str, ts: str) -> str | None:
    # Slack's permalink shape; built here so the modal opens without waiting on chat.getPermalink.
    if not (team_domain and channel_id and ts):
        return None
    return f"https://{team_domain}.slack.com/archives/{channel_id}/p{ts.replace('.', '')}"
