"""Proposed roadmap changes: what a change is, how it is validated, and its before → after diff."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.errors import InvalidInput
from storage.models import ChangeKind, Horizon, ItemStatus, Proposal, RoadmapItem

TITLE_MAX = 150
TEXT_MAX = 3000
DIFF_FIELDS = ("title", "description", "horizon", "target_date", "owner_id", "status")

# The form's field names; the modal uses the same names as block ids, so errors land inline.
KIND, ITEM, TITLE, DESCRIPTION = "change_kind", "item", "new_title", "new_description"
HORIZON, TARGET_DATE, OWNER, RATIONALE, LINKED = (
    "new_horizon",
    "new_target_date",
    "new_owner",
    "rationale",
    "linked",
)


@dataclass(frozen=True)
class ProposalDraft:
    """A change as the proposer described it."""

    kind: ChangeKind
    rationale: str
    item_number: int | None = None
    title: str | None = None
    description: str | None = None
    horizon: Horizon | None = None
    target_date: date | None = None
    owner_id: str | None = None
    linked_request_numbers: list[int] = field(default_factory=list)

    def changes(self) -> dict[str, Any]:
        """The new values this change sets, as stored on the proposal."""
        values: dict[str, Any] = {
            "title": self.title,
            "description": self.description,
            "horizon": str(self.horizon) if self.horizon else None,
            "target_date": self.target_date.isoformat() if self.target_date else None,
            "owner_id": self.owner_id,
        }
        if self.kind == ChangeKind.DROP:
            values = {"status": str(ItemStatus.DROPPED)}
        elif self.kind == ChangeKind.MOVE:
            values = {key: values[key] for key in ("horizon", "target_date")}
        elif self.kind == ChangeKind.RESCOPE:
            values = {key: values[key] for key in ("title", "description")}
        return {key: value for key, value in values.items() if value not in (None, "")}


@dataclass(frozen=True)
class FieldChange:
    """One line of a diff."""

    name: str
    before: Any
    after: Any


def check_draft(draft: ProposalDraft) -> None:
    """Raise InvalidInput naming each field the kind of change needs and lacks."""
    errors: dict[str, str] = {}
    if not draft.rationale.strip():
        errors[RATIONALE] = "Say why the roadmap should change."
    if len(draft.rationale) > TEXT_MAX:
        errors[RATIONALE] = f"Keep it under {TEXT_MAX} characters."
    if draft.kind == ChangeKind.ADD:
        if not (draft.title or "").strip():
            errors[TITLE] = "A new item needs a title."
    elif draft.item_number is None:
        errors[ITEM] = "Pick the roadmap item to change."
    if draft.kind == ChangeKind.MOVE and not (draft.horizon or draft.target_date):
        errors[HORIZON] = "Pick the new horizon or a new target date."
    if draft.kind == ChangeKind.RESCOPE and not (draft.title or draft.description):
        errors[DESCRIPTION] = "Give the new title or description."
    if len(draft.title or "") > TITLE_MAX:
        errors[TITLE] = f"Keep it under {TITLE_MAX} characters."
    if len(draft.description or "") > TEXT_MAX:  # the item's column; the modal's limit is not enough
        errors[DESCRIPTION] = f"Keep it under {TEXT_MAX:,} characters."
    if errors:
        raise InvalidInput(errors)


def item_values(item: RoadmapItem | None) -> dict[str, Any]:
    """An item's fields as a diff compares them (None for an item that does not exist yet)."""
    if item is None:
        return {}
    return {
        "title": item.title,
        "description": item.description,
        "horizon": str(item.horizon),
        "target_date": item.target_date.isoformat() if item.target_date else None,
        "owner_id": item.owner_id,
        "status": str(item.status),
    }


def diff(before: dict[str, Any], changes: dict[str, Any]) -> list[FieldChange]:
    """The fields a change alters, before → after, in a fixed order."""
    return [
        FieldChange(name, before.get(name), changes[name])
        for name in DIFF_FIELDS
        if name in changes and changes[name] != before.get(name)
    ]


def apply_changes(item: RoadmapItem, changes: dict[str, Any]) -> None:
    """Set the item's fields to the change's new values."""
    for name, value in changes.items():
        if name == "target_date":
            item.target_date = date.fromisoformat(value) if value else None
        elif name == "horizon":
            item.horizon = Horizon(value)
        elif name == "status":
            item.status = ItemStatus(value)
        else:
            setattr(item, name, value)


def draft_from(proposal: Proposal, item: RoadmapItem | None, linked_numbers: list[int]) -> ProposalDraft:
    """The draft a stored proposal was made from."""
    changes = proposal.changes
    target = changes.get("target_date")
    return ProposalDraft(
        kind=ChangeKind(proposal.kind),
        rationale=proposal.rationale,
        item_number=item.number if item else None,
        title=changes.get("title"),
        description=changes.get("description"),
        horizon=Horizon(changes["horizon"]) if changes.get("horizon") else None,
        target_date=date.fromisoformat(target) if target else None,
        owner_id=changes.get("owner_id"),
        linked_request_numbers=linked_numbers,
    )
