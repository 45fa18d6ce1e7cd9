"""`/launch` and the buttons of a launch's messages: the checklist, the parent, the go / no-go poll."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.errors import PmbotError
from bot.runtime import Services
from bot.services.launches.changes import ItemChange
from bot.services.launches.transitions import moves_for, roles_of
from bot.views import ids
from bot.views.common import as_dicts, section
from bot.views.launches.replies import help_blocks, launch_blocks, templates_blocks, upcoming_blocks
from handlers.launches import forms as launch_forms
from handlers.payload import number_in_block, who
from storage.models import GoNoGo


def register(app: AsyncApp) -> None:
    """Attach the launch listeners."""
    app.command("/launch")(route_launch_command)
    app.action(ids.LAUNCH_TICK)(tick_checklist_item)
    app.action(ids.LAUNCH_ITEM_MENU)(open_item_menu)
    app.action(ids.LAUNCH_MARK_LAUNCHED)(mark_launched)
    app.action(ids.LAUNCH_CANCEL)(cancel_launch)
    app.action(ids.LAUNCH_CHANGE_DATE)(open_change_date)
    app.action(ids.LAUNCH_OPEN_GONOGO)(open_gonogo_button)
    app.action(ids.LAUNCH_GO)(vote_gonogo)
    app.action(ids.LAUNCH_NO_GO)(open_no_go)
    app.action(ids.LAUNCH_CLOSE_GONOGO)(close_gonogo)


async def route_launch_command(
    ack: AsyncAck,
    command: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: AsyncBoltContext,
    services: Services,
) -> None:
    """`/launch [new | list | templates | gonogo <launch> | LCH-n | name | help]`."""
    typed = (command.get("text") or "").strip()
    word, _, rest = typed.partition(" ")
    team_id, user_id = who(context)
    match word.lower():
        case "new":
            await ack()
            await launch_forms.open_new_launch(
                client, command["trigger_id"], context, services, command.get("channel_id")
            )
        case "" | "list":
            await ack(blocks=as_dicts(upcoming_blocks(await services.launches.upcoming(team_id))))
        case "help":
            await ack(blocks=as_dicts(help_blocks()))
        case "templates":
            is_admin = await services.permissions.is_admin(team_id, user_id)
            await ack(
                blocks=as_dicts(
                    templates_blocks(await services.launch_templates.all(team_id), is_admin=is_admin)
                )
            )
        case "gonogo" if rest.strip():
            await ack()
            await _say(respond, await _open_poll(services, context, rest))
        case "gonogo":
            await ack(blocks=as_dicts(help_blocks("Say which launch: `/launch gonogo LCH-3`.")))
        case _:
            await show_launch(ack, team_id, user_id, typed, services)


async def show_launch(ack: AsyncAck, team_id: str, user_id: str, typed: str, services: Services) -> None:
    """One launch with the moves this person may make, or what matched nothing and the usage."""
    try:
        view = await services.launches.find(team_id, typed)
    except PmbotError as missing:
        await ack(blocks=as_dicts(help_blocks(missing.message)))
        return
    is_admin = await services.permissions.is_admin(team_id, user_id)
    moves = moves_for(view.launch.status, roles_of(user_id, view.launch, is_admin=is_admin))
    await ack(blocks=as_dicts(launch_blocks(view, moves)))


async def tick_checklist_item(
    ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext, services: Services
) -> None:
    """A click on a checkbox group: what changed is worked out against the database for that group."""
    await ack()
    number, element_ids = _group(action)
    selected = {
        int(o["value"]) for o in action.get("selected_options") or [] if str(o.get("value")).isdigit()
    }
    change = ItemChange(element_ids, selected, _shown(body, action.get("block_id", "")))
    await services.launches.tick(*who(context), number, change)


async def open_item_menu(
    ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient,
    respond: AsyncRespond, context: AsyncBoltContext, services: Services,
) -> None:  # fmt: skip
    """ "Assign or re-date…": the item's modal."""
    await ack()
    item_id = int((action.get("selected_option") or {}).get("value") or 0)
    await launch_forms.open_item_modal(client, body["trigger_id"], context, services, item_id, respond)


async def mark_launched(
    ack: AsyncAck,
    action: dict[str, Any],
    respond: AsyncRespond,
    context: AsyncBoltContext,
    services: Services,
) -> None:
    """The owner (or an admin) says it shipped."""
    await ack()
    launch = await services.launches.mark_launched(*who(context), _number(action))
    await _say(respond, f"{launch.ref} is marked launched.")


async def cancel_launch(
    ack: AsyncAck,
    action: dict[str, Any],
    respond: AsyncRespond,
    context: AsyncBoltContext,
    services: Services,
) -> None:
    """The owner (or an admin) cancels the launch."""
    await ack()
    launch = await services.launches.cancel(*who(context), _number(action))
    await _say(respond, f"{launch.ref} is cancelled.")


async def open_change_date(
    ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient,
    respond: AsyncRespond, context: AsyncBoltContext, services: Services,
) -> None:  # fmt: skip
    """ "Change date": the date modal (the server checks who may on submission)."""
    await ack()
    await launch_forms.open_date_modal(
        client, body["trigger_id"], context, services, _number(action), respond
    )


async def open_gonogo_button(
    ack: AsyncAck,
    action: dict[str, Any],
    respond: AsyncRespond,
    context: AsyncBoltContext,
    services: Services,
) -> None:
    """ "Go / no-go poll": open a poll in the launch's thread."""
    await ack()
    team_id, user_id = who(context)
    result = await services.launches.open_gonogo(team_id, _number(action), user_id)
    await _say(respond, result.message)


async def vote_gonogo(
    ack: AsyncAck,
    action: dict[str, Any],
    respond: AsyncRespond,
    context: AsyncBoltContext,
    services: Services,
) -> None:
    """A decider says go (a no-go asks why first, in a modal)."""
    await ack()
    number, round_ = _poll(action)
    result = await services.launches.vote_gonogo(*who(context), number, round_, GoNoGo.GO)
    await _say(respond, result.message)


async def open_no_go(
    ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient,
    respond: AsyncRespond, context: AsyncBoltContext, services: Services,
) -> None:  # fmt: skip
    """ "No-go": the reason modal, for a decider of an open poll (anyone else is told why not)."""
    await ack()
    number, round_ = _poll(action)
    await launch_forms.open_no_go_modal(
        client, body["trigger_id"], context, services, number, round_, respond
    )


async def close_gonogo(
    ack: AsyncAck,
    action: dict[str, Any],
    respond: AsyncRespond,
    context: AsyncBoltContext,
    services: Services,
) -> None:
    """The owner records the result with the answers given so far."""
    await ack()
    number, _ = _poll(action)
    result = await services.launches.close_gonogo(*who(context), number)
    await _say(respond, result.message)


async def _open_poll(services: Services, context: AsyncBoltContext, typed: str) -> str:
    team_id, user_id = who(context)
    view = await services.launches.find(team_id, typed)
    return (await services.launches.open_gonogo(team_id, view.launch.number, user_id)).message


async def _say(respond: AsyncRespond, message: str) -> None:
    await respond(
        blocks=as_dicts([section(message)]), text=message, response_type="ephemeral", replace_original=False
    )


def _number(action: dict[str, Any]) -> int:
    return number_in_block(action, ids.LAUNCH_BLOCK_PREFIX, "launch")


def _group(action: dict[str, Any]) -> tuple[int, list[int]]:
    """(launch number, item ids) from a checkbox group's block_id "lchk:<number>:<id>.<id>..."."""
    parts = str(action.get("block_id", "")).removeprefix(ids.LAUNCH_ITEMS_PREFIX).split(":")
    if len(parts) != 2 or not parts[0].isdigit():
        raise PmbotError("That checkbox does not belong to a launch checklist.")
    return int(parts[0]), [int(part) for part in parts[1].split(".") if part.isdigit()]


def _poll(action: dict[str, Any]) -> tuple[int, int]:
    """(launch number, round) from a poll's block_id "gonogo:<number>:<round>"."""
    parts = str(action.get("block_id", "")).removeprefix(ids.GONOGO_BLOCK_PREFIX).split(":")
    if len(parts) != 2 or not all(part.isdigit() for part in parts):
        raise PmbotError("That button does not belong to a go / no-go poll.")
    return int(parts[0]), int(parts[1])


def _shown(body: dict[str, Any], block_id: str) -> set[int] | None:
    """The item ids the clicker's message showed ticked, when the payload carries the message."""
    for block in (body.get("message") or {}).get("blocks") or []:
        if block.get("block_id") != block_id:
            continue
        for element in block.get("elements") or []:
            if element.get("type") == "checkboxes":
                return {
                    int(o["value"]) for o in element.get("initial_options") or [] if str(o["value"]).isdigit()
                }
    return None
