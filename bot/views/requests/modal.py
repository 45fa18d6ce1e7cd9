"""The request modal (new or edit) and the view that confirms a filing."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DatePickerElement,
    InputBlock,
    PlainTextInputElement,
    StaticSelectElement,
)
from slack_sdk.models.blocks.basic_components import DispatchActionConfig
from slack_sdk.models.views import View

from bot import text
from bot.services.requests.types import DESCRIPTION_MAX, ON_BEHALF_OF_MAX, TITLE_MAX, RequestDraft, Suggestion
from bot.views import ids, limits
from bot.views.common import labelled, mrkdwn, option, plain, section
from bot.views.requests.similar import modal_suggestions
from storage.models import Impact, RequestKind

# Typing the title asks for similar requests: on Enter, and whenever the person pauses typing.
TITLE_TRIGGERS = ["on_enter_pressed", "on_character_entered"]


@dataclass
class RequestModalMetadata:
    """What the modal carries to its submission (Slack's private_metadata, JSON)."""

    number: int | None = None  # set when editing an existing request
    source: dict[str, Any] | None = field(default=None)  # the message a shortcut filed from

    def dumps(self) -> str:
        """Serialise within Slack's private_metadata limit."""
        data = json.dumps(asdict(self), separators=(",", ":"))
        if len(data) > limits.PRIVATE_METADATA - limits.METADATA_SEAL:
            raise ValueError("request modal metadata exceeds Slack's private_metadata limit")
        return data

    @classmethod
    def loads(cls, raw: str) -> RequestModalMetadata:
        """Read it back; empty metadata means a new request typed from scratch."""
        return cls(**json.loads(raw)) if raw else cls()


def request_modal(
    draft: RequestDraft | None = None,
    metadata: RequestModalMetadata | None = None,
    suggestions: Sequence[Suggestion] = (),
    viewer_id: str = "",
) -> View:
    """The modal to file a request (with similar ones under its title), or to add details to one filed."""
    metadata = metadata or RequestModalMetadata()
    draft = draft or RequestDraft(title="")
    editing = metadata.number is not None
    blocks: list[Block] = []
    if editing:
        blocks.append(section(f"Details of *REQ-{metadata.number}*"))
    title, *rest = _inputs(draft, suggest=not editing)
    blocks += [title, *modal_suggestions(list(suggestions), viewer_id), *rest]
    if metadata.source:
        blocks.append(_source_context(metadata.source))
    return View(
        type="modal",
        callback_id=ids.REQUEST_MODAL,
        title=plain("Edit request" if editing else "File a request", limits.MODAL_TITLE),
        submit=plain("Save" if editing else "File", limits.MODAL_TITLE),
        close=plain("Cancel", limits.MODAL_TITLE),
        blocks=blocks,
        private_metadata=metadata.dumps(),
    )


def filed_view(ref: str, intake_channel_id: str | None) -> View:
    """Shown in place of the modal once the request is stored."""
    return View(
        type="modal",
        title=plain("Request filed", limits.MODAL_TITLE),
        close=plain("Done", limits.MODAL_TITLE),
        blocks=[section(filed_message(ref, intake_channel_id))],
    )


def filed_message(ref: str, intake_channel_id: str | None) -> str:
    """Tell the filer their request's id and where its card went."""
    if intake_channel_id:
        return f":white_check_mark: Filed as *{ref}*. Its card is in {text.channel(intake_channel_id)}."
    return (
        f":white_check_mark: Filed as *{ref}*. No intake channel is set yet, so it has no card: "
        "an admin has to choose one first."
    )


def _inputs(draft: RequestDraft, *, suggest: bool) -> list[Block]:
    return [
        InputBlock(
            block_id=ids.TITLE,
            label="Title",
            dispatch_action=suggest,
            element=PlainTextInputElement(
                action_id=ids.VALUE,
                max_length=TITLE_MAX,
                initial_value=text.truncate(draft.title, TITLE_MAX) or None,
                placeholder="What do you need, in a line?",
                dispatch_action_config=DispatchActionConfig(trigger_actions_on=TITLE_TRIGGERS)
                if suggest
                else None,
            ),
        ),
        InputBlock(
            block_id=ids.DESCRIPTION,
            label="Description",
            optional=True,
            element=PlainTextInputElement(
                action_id=ids.VALUE,
                multiline=True,
                max_length=DESCRIPTION_MAX,
                initial_value=text.truncate(draft.description, DESCRIPTION_MAX) or None,
            ),
        ),
        _select(ids.KIND, "Kind", [kind.value for kind in RequestKind], draft.kind),
        _select(ids.IMPACT, "Impact", [impact.value for impact in Impact], draft.impact),
        InputBlock(
            block_id=ids.ON_BEHALF_OF,
            label="On behalf of",
            optional=True,
            hint="A customer or team, if you ask for someone else.",
            element=PlainTextInputElement(
                action_id=ids.VALUE,
                max_length=ON_BEHALF_OF_MAX,
                initial_value=text.truncate(draft.on_behalf_of or "", ON_BEHALF_OF_MAX) or None,
            ),
        ),
        InputBlock(
            block_id=ids.NEEDED_BY,
            label="Needed by",
            optional=True,
            element=DatePickerElement(
                action_id=ids.VALUE, initial_date=draft.needed_by.isoformat() if draft.needed_by else None
            ),
        ),
    ]


def _select(block_id: str, label: str, values: list[str], initial: str) -> InputBlock:
    options = [option(labelled(value), value) for value in values]
    chosen = next(item for item in options if item.value == initial)
    return InputBlock(
        block_id=block_id,
        label=label,
        element=StaticSelectElement(action_id=ids.VALUE, options=options, initial_option=chosen),
    )


def _source_context(source: dict[str, Any]) -> ContextBlock:
    link = f" · <{source['permalink']}|original message>" if source.get("permalink") else ""
    return ContextBlock(elements=[mrkdwn(f"From a message by {text.user(source['author_id'])}{link}")])
