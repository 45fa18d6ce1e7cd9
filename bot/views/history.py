"""History lines from the audit log, for anything that shows its history: in words a person uses."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot import text
from bot.views.common import labelled, via_change
from storage.models import AuditEntry

# What happened, by audit action; an action not named here shows as its words, capitalised.
ACTION_WORDS = {
    "filed": "Filed",
    "edited": "Edited",
    "assigned": "Assigned",
    "accepted": "Accepted",
    "declined": "Declined",
    "marked_duplicate": "Marked as a duplicate",
    "merged": "Merged into another request",
    "upvoted": "+1",
    "followed": "Followed",
    "unfollowed": "Stopped following",
    "roadmap_changed": "Plan changed",
    "shipped": "Shipped",
    "add_applied": "Added to the roadmap",
    "move_applied": "Moved",
    "rescope_applied": "Rescoped",
    "drop_applied": "Dropped from the roadmap",
}
FIELD_LABELS = {
    "status": "Status",
    "horizon": "Horizon",
    "kind": "Kind",
    "impact": "Impact",
    "owner_id": "Owner",
    "target_date": "Target date",
    "needed_by": "Needed by",
    "on_behalf_of": "On behalf of",
}
PEOPLE = {"owner_id", "assignee_id"}
DATES = {"target_date", "needed_by"}
ENUMS = {"status", "horizon", "kind", "impact"}
# Kept in an entry for the record, said elsewhere in the line (or on the card), never as a change.
NOT_CHANGES = {"title", "description", "duplicate_of", "proposal", "approved_by"}
# Actions whose note pmbot wrote itself: shown as a statement, never quoted as someone's words.
PMBOT_NOTES = {"roadmap_changed", "marked_duplicate"}
VALUE_SHOWN = 100
NOTE_SHOWN = 300


def history_line(entry: AuditEntry) -> str:
    """One audit entry: when, what happened, what changed (before → after), by whom, and the note."""
    before, after = entry.before or {}, entry.after or {}
    changes = "; ".join(
        change
        for name, value in after.items()
        if name not in NOT_CHANGES and _shown(name, before.get(name)) != _shown(name, value)
        for change in [_change(name, before.get(name), value)]
    )
    detail = f": {changes}" if changes and entry.action != "filed" else ""
    note = _note_words(entry)
    what = ACTION_WORDS.get(entry.action, labelled(entry.action))
    if changes.startswith("Assigned to ") or changes == "Unassigned":
        what, detail = changes, ""  # "Assigned to @dana", not "Assigned: Assigned to @dana"
    elif changes.startswith("Status: ") and "; " not in changes and changes.endswith(f"→ {what}"):
        what, detail = f"{what} (was {_shown('status', before.get('status'))})", ""
    return f"{text.time_token(entry.at)} · {what}{detail} {_credit(entry, after)}{note}"


def _credit(entry: AuditEntry, after: dict[str, Any]) -> str:
    """ "by @sam", or for a change a proposal applied: "via CHG-2 (approved by @a, @b)"."""
    proposal = after.get("proposal") or _proposal_in_note(entry.note)
    return via_change({**after, "proposal": proposal}) or f"by {text.user(entry.actor_id)}"


def _note_words(entry: AuditEntry) -> str:
    """A person's note in quotes; pmbot's own words (what a roadmap change meant) as they are."""
    note = _own_note(entry)
    if not note:
        return ""
    if entry.action in PMBOT_NOTES:
        return f" — {text.escaped(note, NOTE_SHOWN)}"
    return f" — “{text.escaped(note, NOTE_SHOWN)}”"


def _proposal_in_note(note: str | None) -> str | None:
    # A roadmap item's applied entry notes "CHG-2: <rationale>" (entries written before approvers
    # were recorded have only that).
    head = (note or "").split(":", 1)[0]
    return head if head.startswith("CHG-") and head[4:].isdigit() else None


def _own_note(entry: AuditEntry) -> str:
    """The note, without the "CHG-2: " that the credit already says."""
    note = entry.note or ""
    proposal = _proposal_in_note(note)
    return note.split(":", 1)[1].strip() if proposal else note


def _change(name: str, before: object, after: object) -> str:
    if name == "assignee_id":
        return f"Assigned to {text.user(str(after))}" if after else "Unassigned"
    label = FIELD_LABELS.get(name, labelled(name))
    if before in (None, ""):
        return f"{label}: {_shown(name, after)}"
    return f"{label}: {_shown(name, before)} → {_shown(name, after)}"


def _shown(name: str, value: object) -> str:
    if value in (None, ""):
        return "—"
    if name in PEOPLE:
        return text.user(str(value))
    if name in DATES:
        try:
            return text.date_token(date.fromisoformat(str(value)))
        except ValueError:
            return text.escaped(str(value), VALUE_SHOWN)
    if name in ENUMS:
        return labelled(str(value))
    return text.escaped(str(value), VALUE_SHOWN)
