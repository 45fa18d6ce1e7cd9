"""The launch modals: plan a launch, assign or re-date an item, change the launch date, a template."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    ConversationSelectElement,
    DatePickerElement,
    ExternalDataMultiSelectElement,
    ExternalDataSelectElement,
    InputBlock,
    PlainTextInputElement,
    StaticSelectElement,
    TimePickerElement,
    UserMultiSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot import text
from bot.services.launches import changes as fields
from bot.services.launches import gonogo, templates
from bot.services.launches.links import LINKED_ITEMS_MAX
from bot.services.launches.templates import Template
from bot.views import ids, limits
from bot.views.common import mrkdwn, option, plain, section
from storage.models import Launch, LaunchItem

TEMPLATE_TEXT_MAX = limits.PLAIN_TEXT_INPUT
TEMPLATE_HINT = (
    "One item a line: the days from launch day, an optional [Phase], the item, an optional @role. "
    "`-7d [Prepare] Docs published @docs`, `0d Flag flipped`, `+1d Monitoring`. "
    "Items of @owner go to the launch owner."
)


def new_launch_modal(choices: list[Template], *, user_id: str, channel_id: str | None) -> View:
    """The /launch new modal: name, date, time, channel, owner, deciders, roadmap items, template."""
    blocks: list[Block] = [
        _input(fields.NAME, "Name", PlainTextInputElement(action_id=ids.VALUE, max_length=fields.NAME_MAX)),
        _input(fields.DATE, "Launch date", DatePickerElement(action_id=ids.VALUE)),
        _input(fields.TIME, "Time", TimePickerElement(action_id=ids.VALUE), optional=True),
        _input(
            fields.CHANNEL,
            "Channel for the checklist",
            ConversationSelectElement(action_id=ids.VALUE, initial_conversation=channel_id or None),
        ),
        _input(fields.OWNER, "Launch owner", UserSelectElement(action_id=ids.VALUE, initial_user=user_id)),
        _input(
            fields.DECIDERS,
            "Go / no-go deciders",
            UserMultiSelectElement(action_id=ids.VALUE),
            optional=True,
            hint="Nobody named: the launch owner decides.",
        ),
        _input(
            fields.ROADMAP_ITEMS,
            "Roadmap items it ships",
            ExternalDataMultiSelectElement(
                action_id=ids.ITEM_PICKER,
                min_query_length=0,
                placeholder="RM-… or words",
                max_selected_items=LINKED_ITEMS_MAX,
            ),
            optional=True,
        ),
        _input(fields.TEMPLATE, "Checklist template", _template_picker(choices)),
        ContextBlock(elements=[mrkdwn("Due dates count from launch day in the launch owner's timezone.")]),
    ]
    return _form(ids.LAUNCH_MODAL, "New launch", "Create", blocks)


def item_modal(launch: Launch, item: LaunchItem) -> View:
    """Assign a checklist item and set its due date (a date set here stays put when the launch slips)."""
    owner = UserSelectElement(action_id=ids.VALUE, initial_user=item.owner_id) if item.owner_id else None
    blocks: list[Block] = [
        section(f"*{text.escaped(item.title, 200)}*\n{launch.ref} · {text.escaped(item.phase, 40)}"),
        _input(fields.ITEM_OWNER, "Owner", owner or UserSelectElement(action_id=ids.VALUE), optional=True),
        _input(
            fields.ITEM_DUE,
            "Due",
            DatePickerElement(action_id=ids.VALUE, initial_date=item.due_date.isoformat()),
        ),
        ContextBlock(elements=[mrkdwn("A due date changed here stays put if the launch date moves.")]),
    ]
    return _form(ids.LAUNCH_ITEM_MODAL, "Checklist item", "Save", blocks, json.dumps({"item_id": item.id}))


def date_modal(launch: Launch) -> View:
    """Change the launch date: a later day is a slip, posted in the thread."""
    picker = DatePickerElement(action_id=ids.VALUE, initial_date=launch.launch_date.isoformat())
    blocks: list[Block] = [
        section(f"*{launch.ref} · {text.escaped(launch.name, 150)}*"),
        _input(fields.NEW_DATE, "New launch date", picker),
        _input(
            fields.SLIP_REASON,
            "Why (needed when it moves later)",
            PlainTextInputElement(action_id=ids.VALUE, multiline=True, max_length=fields.SLIP_REASON_MAX),
            optional=True,
        ),
        ContextBlock(elements=[mrkdwn("Items move with the launch unless their due date was set by hand.")]),
    ]
    metadata = json.dumps({"number": launch.number})
    return _form(ids.LAUNCH_DATE_MODAL, "Change launch date", "Move", blocks, metadata)


def no_go_modal(launch: Launch, round_: int) -> View:
    """A no-go asks why: the launch owner and the thread read the reason."""
    reason = PlainTextInputElement(action_id=ids.VALUE, multiline=True, max_length=gonogo.NO_GO_REASON_MAX)
    blocks: list[Block] = [
        section(f"*{launch.ref} · {text.escaped(launch.name, 150)}* (poll {round_})"),
        _input(gonogo.NO_GO_REASON, "Why is it a no-go?", reason),
        ContextBlock(elements=[mrkdwn("The launch owner is told, and the poll shows your reason.")]),
    ]
    metadata = json.dumps({"number": launch.number, "round": round_})
    return _form(ids.LAUNCH_NO_GO_MODAL, "No-go", "Say no-go", blocks, metadata)


def _template_picker(choices: list[Template]) -> StaticSelectElement | ExternalDataSelectElement:
    """A plain select while every template fits in one; past Slack's 100 options, a type-ahead."""
    first = option(choices[0].name, choices[0].name)
    if len(choices) <= limits.SELECT_OPTIONS:
        return StaticSelectElement(
            action_id=ids.VALUE, options=[option(t.name, t.name) for t in choices], initial_option=first
        )
    return ExternalDataSelectElement(
        action_id=ids.TEMPLATE_PICKER, min_query_length=0, initial_option=first, placeholder="Template name"
    )


def template_modal(template: Template | None = None) -> View:
    """Write a checklist template one item a line (an existing one is replaced when saved by name)."""
    name = PlainTextInputElement(
        action_id=ids.VALUE, max_length=templates.NAME_MAX, initial_value=template.name if template else None
    )
    lines = templates.format_items(template.items) if template else None
    items = PlainTextInputElement(
        action_id=ids.VALUE, multiline=True, max_length=TEMPLATE_TEXT_MAX, initial_value=lines or None
    )
    blocks: list[Block] = [
        _input(templates.TEMPLATE_NAME, "Template name", name),
        _input(templates.TEMPLATE_ITEMS, "Items", items),
        ContextBlock(elements=[mrkdwn(TEMPLATE_HINT)]),
    ]
    return _form(ids.LAUNCH_TEMPLATE_MODAL, "Launch template", "Save", blocks)


def _input(
    block_id: str, label: str, element: object, *, optional: bool = False, hint: str | None = None
) -> InputBlock:
    # Slack itself shows "(optional)" after the label of an optional input: never write it here too.
    return InputBlock(
        block_id=block_id,
        label=plain(label, 2000),
        element=element,
        optional=optional,
        hint=plain(hint, 2000) if hint else None,
    )


def _form(
    callback_id: str, title: str, submit: str, blocks: list[Block], metadata: str | None = None
) -> View:
    return View(
        type="modal",
        callback_id=callback_id,
        title=plain(title, limits.MODAL_TITLE),
        submit=plain(submit, limits.MODAL_TITLE),
        close=plain("Cancel", limits.MODAL_TITLE),
        blocks=blocks,
        private_metadata=metadata,
    )


OVERDUE_WARNING = "overdue_warning"


def overdue_warning(submitted: dict[str, Any], warning: str) -> dict[str, Any]:
    """The /launch new modal as submitted, with the overdue items said at the top and the next
    submission marked as made knowing it (Slack keeps what was typed: the block ids are unchanged)."""
    kept = [block for block in submitted.get("blocks", []) if block.get("block_id") != OVERDUE_WARNING]
    said = section(f":warning: {text.escaped(warning, 1000)}").to_dict()
    return {
        "type": "modal",
        "callback_id": submitted["callback_id"],
        "title": submitted["title"],
        "submit": plain("Create anyway", limits.MODAL_TITLE).to_dict(),
        "close": submitted.get("close") or plain("Cancel", limits.MODAL_TITLE).to_dict(),
        "blocks": [{**said, "block_id": OVERDUE_WARNING}, *kept],
        "private_metadata": json.dumps({"accept_overdue": True}),
    }
