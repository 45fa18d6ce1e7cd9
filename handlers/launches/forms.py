"""The launch modals: opened at once and filled in, and their submissions with inline errors."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, time
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot.errors import InvalidInput, PmbotError
from bot.runtime import Services
from bot.services.launches import changes as fields
from bot.services.launches import gonogo, templates
from bot.services.launches.changes import LaunchDraft, OverdueAtCreation
from bot.services.launches.transitions import LaunchMove
from bot.views import ids
from bot.views.common import option
from bot.views.launches.modals import (
    date_modal,
    item_modal,
    new_launch_modal,
    no_go_modal,
    overdue_warning,
    template_modal,
)
from bot.views.launches.replies import EDIT
from bot.views.limits import SELECT_OPTIONS
from bot.views.simple_modals import said_modal
from handlers.modals import open_then_fill
from handlers.payload import who
from handlers.replies import in_plain_text
from storage.models import GoNoGo

State = dict[str, dict[str, dict[str, Any]]]


def register(app: AsyncApp) -> None:
    """Attach the launch modals' submissions and the buttons that open them."""
    app.view(ids.LAUNCH_MODAL)(create_launch)
    app.view(ids.LAUNCH_ITEM_MODAL)(save_item)
    app.view(ids.LAUNCH_DATE_MODAL)(move_launch_date)
    app.view(ids.LAUNCH_TEMPLATE_MODAL)(save_template)
    app.view(ids.LAUNCH_NO_GO_MODAL)(say_no_go)
    app.options(ids.TEMPLATE_PICKER)(suggest_templates)
    app.action(ids.LAUNCH_OPEN_MODAL)(open_new_launch_button)
    app.action(ids.HOME_NEW_LAUNCH)(open_new_launch_button)
    app.action(ids.LAUNCH_EDIT_TEMPLATE)(open_template_button)
    app.action(ids.HOME_LAUNCH_TEMPLATES)(open_template_button)


async def open_new_launch(
    client: AsyncWebClient,
    trigger_id: str,
    context: AsyncBoltContext,
    services: Services,
    channel_id: str | None,
) -> None:
    """The /launch new modal, opened at once and filled with the templates."""
    team_id, user_id = who(context)

    async def build() -> View:
        choices = await services.launch_templates.all(team_id)
        return new_launch_modal(choices, user_id=user_id, channel_id=channel_id)

    await open_then_fill(client, trigger_id, "New launch", build)


async def open_new_launch_button(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext, services: Services
) -> None:
    """ "New launch" (in `/launch` answers and on the Home tab)."""
    await ack()
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    await open_new_launch(client, body["trigger_id"], context, services, channel)


async def open_template(
    client: AsyncWebClient, trigger_id: str, context: AsyncBoltContext, services: Services, name: str | None
) -> None:
    """The template modal, for admins (anyone else is told so in the modal)."""
    team_id, user_id = who(context)

    async def build() -> View:
        await services.permissions.require_admin(team_id, user_id, "write launch templates")
        current = await services.launch_templates.get(team_id, name) if name else None
        return template_modal(current if current and not current.built_in else None)

    await open_then_fill(client, trigger_id, "Launch template", build)


async def open_template_button(
    ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient,
    context: AsyncBoltContext, services: Services,
) -> None:  # fmt: skip
    """ "New template" / "Edit" under `/launch templates`, and "Launch templates" on the Home tab."""
    await ack()
    value = str(action.get("value") or "")
    name = value.removeprefix(EDIT) if value.startswith(EDIT) else None
    await open_template(client, body["trigger_id"], context, services, name)


async def open_item_modal(
    client: AsyncWebClient, trigger_id: str, context: AsyncBoltContext, services: Services, item_id: int,
    respond: AsyncRespond | None = None,
) -> None:  # fmt: skip
    """Assign or re-date one checklist item; someone who may not (or a done item) is told why instead."""
    team_id, user_id = who(context)

    async def build() -> View:
        return item_modal(*await services.launches.item(team_id, user_id, item_id))

    await open_then_fill(client, trigger_id, "Checklist item", build, respond)


async def open_date_modal(
    client: AsyncWebClient, trigger_id: str, context: AsyncBoltContext, services: Services, number: int,
    respond: AsyncRespond | None,
) -> None:  # fmt: skip
    """Change the launch date; someone who may not sees why instead of a form refused on submit."""
    team_id, user_id = who(context)

    async def build() -> View:
        doing = "change its date"
        return date_modal(
            await services.launches.check_may(team_id, user_id, number, LaunchMove.CHANGE_DATE, doing)
        )

    await open_then_fill(client, trigger_id, "Change launch date", build, respond)


async def open_no_go_modal(
    client: AsyncWebClient, trigger_id: str, context: AsyncBoltContext, services: Services, number: int,
    round_: int, respond: AsyncRespond | None,
) -> None:  # fmt: skip
    """A no-go asks why; someone who may not answer (or a closed poll) is told so instead."""
    team_id, user_id = who(context)

    async def build() -> View:
        return no_go_modal(await services.launches.check_vote(team_id, user_id, number, round_), round_)

    await open_then_fill(client, trigger_id, "No-go", build, respond)


async def say_no_go(
    ack: AsyncAck, view: dict[str, Any], context: AsyncBoltContext, services: Services
) -> None:
    """Record the no-go with its reason; what it did is shown in the modal."""
    metadata = json.loads(view.get("private_metadata") or "{}")
    number, round_ = int(metadata.get("number") or 0), int(metadata.get("round") or 0)
    try:
        reason = _text(view["state"]["values"], gonogo.NO_GO_REASON)
        result = await services.launches.vote_gonogo(*who(context), number, round_, GoNoGo.NO_GO, reason)
    except PmbotError as error:
        await ack(
            response_action="errors",
            errors=await in_plain_text(
                services.directory, context.team_id or "", inline_errors(error, gonogo.NO_GO_REASON)
            ),
        )
        return
    await ack(response_action="update", view=said_modal("No-go", result.message))


async def create_launch(
    ack: AsyncAck, view: dict[str, Any], context: AsyncBoltContext, services: Services
) -> None:
    """Create the launch; bad input is shown inline and nothing is stored. A template that would
    start with overdue items is said first, in the modal; creating it again goes ahead."""
    seen_overdue = bool(json.loads(view.get("private_metadata") or "{}").get("accept_overdue"))
    try:
        draft = replace(launch_draft(view["state"]["values"]), accept_overdue=seen_overdue)
        await services.launches.create(*who(context), draft)
    except OverdueAtCreation as overdue:
        await ack(response_action="update", view=overdue_warning(view, overdue.message))
        return
    except PmbotError as error:
        await ack(
            response_action="errors",
            errors=await in_plain_text(
                services.directory, context.team_id or "", inline_errors(error, fields.NAME)
            ),
        )
        return
    await ack()


async def save_item(
    ack: AsyncAck, view: dict[str, Any], context: AsyncBoltContext, services: Services
) -> None:
    """Assign and re-date the item."""
    state = view["state"]["values"]
    item_id = int(json.loads(view.get("private_metadata") or "{}").get("item_id") or 0)
    try:
        owner = _value(state, fields.ITEM_OWNER).get("selected_user")
        await services.launches.update_item(*who(context), item_id, owner, _date(state, fields.ITEM_DUE))
    except PmbotError as error:
        await ack(
            response_action="errors",
            errors=await in_plain_text(
                services.directory, context.team_id or "", inline_errors(error, fields.ITEM_DUE)
            ),
        )
        return
    await ack()


async def move_launch_date(
    ack: AsyncAck, view: dict[str, Any], context: AsyncBoltContext, services: Services
) -> None:
    """Move launch day (a later day is a slip)."""
    number = int(json.loads(view.get("private_metadata") or "{}").get("number") or 0)
    try:
        state = view["state"]["values"]
        reason = str(state.get(fields.SLIP_REASON, {}).get(ids.VALUE, {}).get("value") or "")
        await services.launches.change_date(*who(context), number, _date(state, fields.NEW_DATE), reason)
    except PmbotError as error:
        await ack(
            response_action="errors",
            errors=await in_plain_text(
                services.directory, context.team_id or "", inline_errors(error, fields.NEW_DATE)
            ),
        )
        return
    await ack()


async def save_template(
    ack: AsyncAck, view: dict[str, Any], context: AsyncBoltContext, services: Services
) -> None:
    """Store the template; each bad line is named inline."""
    state = view["state"]["values"]
    try:
        name, typed = _text(state, templates.TEMPLATE_NAME), _text(state, templates.TEMPLATE_ITEMS)
        await services.launch_templates.save(*who(context), name, typed)
    except PmbotError as error:
        await ack(
            response_action="errors",
            errors=await in_plain_text(
                services.directory, context.team_id or "", inline_errors(error, templates.TEMPLATE_ITEMS)
            ),
        )
        return
    await ack()


async def suggest_templates(
    ack: AsyncAck, payload: dict[str, Any], context: AsyncBoltContext, services: Services
) -> None:
    """Type-ahead over the workspace's templates (past Slack's 100 options a plain select cannot)."""
    typed = str(payload.get("value") or "").strip().lower()
    found = [t for t in await services.launch_templates.all(context.team_id or "") if typed in t.name.lower()]
    await ack(options=[option(t.name, t.name).to_dict() for t in found[:SELECT_OPTIONS]])


def launch_draft(state: State) -> LaunchDraft:
    """The /launch new modal's values (the service checks them)."""
    picked = state.get(fields.TEMPLATE, {})
    chosen = (picked.get(ids.VALUE) or picked.get(ids.TEMPLATE_PICKER) or {}).get("selected_option") or {}
    template = chosen.get("value")
    return LaunchDraft(
        name=_text(state, fields.NAME),
        launch_date=_date(state, fields.DATE),
        channel_id=_value(state, fields.CHANNEL).get("selected_conversation"),
        template_name=template or templates.STANDARD,
        launch_time=_time(state, fields.TIME),
        owner_id=_value(state, fields.OWNER).get("selected_user"),
        decider_ids=list(_value(state, fields.DECIDERS).get("selected_users") or []),
        roadmap_item_numbers=_item_numbers(state),
    )


def inline_errors(error: PmbotError, default_block: str) -> dict[str, str]:
    """Errors keyed by block_id: the service names fields as the modal's blocks; the rest go on one."""
    if isinstance(error, InvalidInput):
        return dict(error.fields)
    return {default_block: error.message}


def _value(state: State, block_id: str) -> dict[str, Any]:
    return state.get(block_id, {}).get(ids.VALUE, {})


def _item_numbers(state: State) -> list[int]:
    """RM-n picked in the roadmap items type-ahead (option values are item numbers)."""
    picked = state.get(fields.ROADMAP_ITEMS, {}).get(ids.ITEM_PICKER, {}).get("selected_options") or []
    values = [str(option.get("value") or "") for option in picked]
    if not all(value.isascii() and value.isdigit() and len(value) <= 9 for value in values):
        raise InvalidInput({fields.ROADMAP_ITEMS: "Pick roadmap items from the list."})
    return [int(value) for value in values]


def _text(state: State, block_id: str) -> str:
    return (_value(state, block_id).get("value") or "").strip()


def _date(state: State, block_id: str) -> date | None:
    raw = _value(state, block_id).get("selected_date")
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        raise InvalidInput({block_id: "That is not a date."}) from None


def _time(state: State, block_id: str) -> time | None:
    raw = _value(state, block_id).get("selected_time")
    try:
        return time.fromisoformat(raw) if raw else None
    except ValueError:
        raise InvalidInput({block_id: "That is not a time."}) from None
