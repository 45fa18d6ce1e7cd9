"""History lines from the audit log, for anything that shows its history."""

from __future__ import annotations

from bot import text
from bot.views.common import labelled
from storage.models import AuditEntry


def history_line(entry: AuditEntry) -> str:
    """One audit entry: when, who, what changed (before → after), and the note."""
    before = entry.before or {}
    changes = ", ".join(  # only what changed: a roadmap item's entry holds every field
        f"{name}: {_shown(before.get(name))} → {_shown(value)}"
        for name, value in (entry.after or {}).items()
        if name not in ("title", "description") and _shown(before.get(name)) != _shown(value)
    )
    note = f" — “{text.escaped(entry.note, 300)}”" if entry.note else ""
    detail = f" ({changes})" if changes and entry.action not in ("filed",) else ""
    who = f"{text.time_token(entry.at)} · {text.user(entry.actor_id)}"
    return f"{who} {labelled(entry.action).lower()}{detail}{note}"


def _shown(value: object) -> str:
    return "—" if value in (None, "") else text.escaped(str(value), 100)
