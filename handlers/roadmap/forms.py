"""Roadmap modals' state → typed input, or inline errors keyed by block_id."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.errors import InvalidInput
from bot.services.roadmap import proposals as form
from bot.services.roadmap.proposals import ProposalDraft
from bot.services.settings.service import ApprovalSettings
from bot.views import ids
from storage.models import ChangeKind, Horizon

State = dict[str, dict[str, dict[str, Any]]]


def proposal_draft(state: State) -> ProposalDraft:
    """The change described in the propose modal (the service checks what each kind needs)."""
    kind = _selected(state, form.KIND, ids.VALUE)
    if kind not in ChangeKind.__members__.values():
        raise InvalidInput({form.KIND: "Pick the kind of change."})
    horizon = _selected(state, form.HORIZON, ids.VALUE)
    item = _selected(state, form.ITEM, ids.ITEM_PICKER)
    linked = _value(state, form.LINKED, ids.REQUEST_PICKER).get("selected_options") or []
    return ProposalDraft(
        kind=ChangeKind(kind),
        rationale=_text(state, form.RATIONALE),
        item_number=int(item) if item and item.isdigit() else None,
        title=_text(state, form.TITLE) or None,
        description=_text(state, form.DESCRIPTION) or None,
        horizon=Horizon(horizon) if horizon in Horizon.__members__.values() else None,
        target_date=_date(state, form.TARGET_DATE),
        owner_id=_value(state, form.OWNER, ids.VALUE).get("selected_user"),
        linked_request_numbers=[int(o["value"]) for o in linked if str(o.get("value", "")).isdigit()],
    )


def approval_settings(state: State) -> ApprovalSettings:
    """The approval policy modal's values."""
    errors: dict[str, str] = {}
    required = _whole_number(state, ids.REQUIRED_APPROVALS, 1, 20, errors)
    expiry = _whole_number(state, ids.EXPIRY_DAYS, 1, 90, errors)
    if errors:
        raise InvalidInput(errors)
    return ApprovalSettings(
        approver_ids=list(_value(state, ids.APPROVERS, ids.VALUE).get("selected_users") or []),
        approver_group_id=_selected(state, ids.APPROVER_GROUP, ids.APPROVER_GROUP_PICKER),
        required_approvals=required,
        expiry_days=expiry,
        approvals_channel_id=_value(state, ids.APPROVALS_CHANNEL, ids.VALUE).get("selected_conversation"),
        announcements_channel_id=_value(state, ids.ANNOUNCEMENTS_CHANNEL, ids.VALUE).get(
            "selected_conversation"
        ),
    )


def _whole_number(state: State, block_id: str, low: int, high: int, errors: dict[str, str]) -> int:
    raw = _text(state, block_id)
    if not raw.isdigit() or not low <= int(raw) <= high:
        errors[block_id] = f"A whole number from {low} to {high}."
        return low
    return int(raw)


def _value(state: State, block_id: str, action_id: str) -> dict[str, Any]:
    return state.get(block_id, {}).get(action_id, {})


def _text(state: State, block_id: str) -> str:
    return (_value(state, block_id, ids.VALUE).get("value") or "").strip()


def _selected(state: State, block_id: str, action_id: str) -> str | None:
    chosen = _value(state, block_id, action_id).get("selected_option")
    return chosen.get("value") if chosen else None


def _date(state: State, block_id: str) -> date | None:
    raw = _value(state, block_id, ids.VALUE).get("selected_date")
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        raise InvalidInput({block_id: "That is not a date."}) from None
