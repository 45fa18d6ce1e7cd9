"""The modal to propose (or resubmit) a roadmap change."""

from __future__ import annotations

import json

from slack_sdk.models.blocks import (
    Block,
    DatePickerElement,
    ExternalDataMultiSelectElement,
    ExternalDataSelectElement,
    InputBlock,
    PlainTextInputElement,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot import text
from bot.services.roadmap import proposals as form
from bot.services.roadmap.proposals import ProposalDraft
from bot.views import ids, limits
from bot.views.common import labelled, option, plain, section
from storage.models import ChangeKind, Horizon

ANSWERED_MAX = 2000  # of the comment quoted (a section holds 3,000 characters)
KIND_LABELS = {
    ChangeKind.ADD: "Add an item",
    ChangeKind.MOVE: "Move it to another horizon or date",
    ChangeKind.RESCOPE: "Change its scope or description",
    ChangeKind.DROP: "Drop it",
}


def proposal_modal(
    draft: ProposalDraft | None = None,
    *,
    resubmit_number: int | None = None,
    asked_by_id: str | None = None,
    comment: str | None = None,
) -> View:
    """Every field of every kind of change; the submission says which ones the kind needs. A
    resubmission shows the request for changes it answers (`comment`, by `asked_by_id`)."""
    draft = draft or ProposalDraft(kind=ChangeKind.ADD, rationale="")
    kinds = [option(label, kind) for kind, label in KIND_LABELS.items()]
    answered = (
        [section(f"*{_who(asked_by_id)} asked for changes:* “{text.escaped(comment, ANSWERED_MAX)}”")]
        if comment
        else []
    )
    blocks: list[Block] = [
        *answered,
        section(
            "Approvers decide: the change is applied the moment enough of them approve, "
            "and one rejection ends it."
        ),
        _input(
            form.KIND,
            "Kind of change",
            StaticSelectElement(
                action_id=ids.VALUE,
                options=kinds,
                initial_option=next(o for o in kinds if o.value == draft.kind),
            ),
        ),
        _input(
            form.ITEM,
            "Roadmap item (not for a new item)",
            ExternalDataSelectElement(
                action_id=ids.ITEM_PICKER,
                min_query_length=0,
                placeholder="Type to search…",
                initial_option=option(f"RM-{draft.item_number}", str(draft.item_number))
                if draft.item_number
                else None,
            ),
            optional=True,
        ),
        _input(
            form.TITLE,
            "New title",
            PlainTextInputElement(
                action_id=ids.VALUE, max_length=form.TITLE_MAX, initial_value=draft.title or None
            ),
            optional=True,
            hint="Required to add an item; to rescope one, give a new title or description.",
        ),
        _input(
            form.DESCRIPTION,
            "New description / scope",
            PlainTextInputElement(
                action_id=ids.VALUE,
                multiline=True,
                max_length=form.TEXT_MAX,
                initial_value=draft.description or None,
            ),
            optional=True,
        ),
        _horizon_input(draft.horizon),
        _input(
            form.TARGET_DATE,
            "New target date",
            DatePickerElement(
                action_id=ids.VALUE, initial_date=draft.target_date.isoformat() if draft.target_date else None
            ),
            optional=True,
        ),
        _input(
            form.OWNER,
            "Owner",
            UserSelectElement(action_id=ids.VALUE, initial_user=draft.owner_id),
            optional=True,
        ),
        _input(
            form.RATIONALE,
            "Why?",
            PlainTextInputElement(
                action_id=ids.VALUE,
                multiline=True,
                max_length=form.TEXT_MAX,
                initial_value=draft.rationale or None,
            ),
        ),
        _input(
            form.LINKED,
            "Linked requests",
            ExternalDataMultiSelectElement(
                action_id=ids.REQUEST_PICKER,
                min_query_length=0,
                placeholder="REQ-… or words",
                initial_options=[option(f"REQ-{n}", str(n)) for n in draft.linked_request_numbers] or None,
            ),
            optional=True,
        ),
    ]
    return View(
        type="modal",
        callback_id=ids.PROPOSE_MODAL,
        title=plain("Resubmit change" if resubmit_number else "Propose a change", limits.MODAL_TITLE),
        submit=plain("Resubmit" if resubmit_number else "Propose", limits.MODAL_TITLE),
        close=plain("Cancel", limits.MODAL_TITLE),
        blocks=blocks,
        private_metadata=json.dumps({"number": resubmit_number}),
    )


def _who(user_id: str | None) -> str:
    return text.user(user_id) if user_id else "An approver"


def _horizon_input(initial: Horizon | None) -> InputBlock:
    horizons = [option(labelled(h), h) for h in Horizon]
    chosen = next((o for o in horizons if o.value == initial), None)
    element = StaticSelectElement(action_id=ids.VALUE, options=horizons, initial_option=chosen)
    return _input(form.HORIZON, "New horizon", element, optional=True)


def _input(
    block_id: str, label: str, element: object, *, optional: bool = False, hint: str | None = None
) -> InputBlock:
    # Slack cannot make "New title" required only for an Add: the service refuses it inline instead.
    return InputBlock(block_id=block_id, label=label, element=element, optional=optional, hint=hint)  # type: ignore[arg-type]
