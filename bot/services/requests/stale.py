"""What a person who clicked a card that went stale is told: what happened to the request."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import text
from bot.errors import PmbotError
from storage.models import AuditEntry, Request

NOTE_SHOWN = 300
VERBS = {
    "new": "reopened",
    "needs_info": "sent back to its requester with a question",
    "accepted": "accepted",
    "planned": "planned",
    "in_progress": "started",
    "done": "done",
    "declined": "declined",
    "duplicate": "closed as a duplicate",
}


class StaleMove(PmbotError):
    """The move does not exist from the request's status any more; `message` says what happened."""

    def __init__(self, request_id: int, message: str) -> None:
        super().__init__(message)
        self.request_id = request_id


async def last_status_change(session: AsyncSession, request: Request) -> AuditEntry | None:
    """The newest audit entry that changed the request's status (who decided, when, and why)."""
    query = (
        select(AuditEntry)
        .where(
            AuditEntry.team_id == request.team_id,
            AuditEntry.entity == "request",
            AuditEntry.entity_id == (request.id or 0),
        )
        .order_by(AuditEntry.id.desc())  # type: ignore[union-attr]
    )
    for entry in (await session.execute(query)).scalars():
        if "status" in (entry.after or {}):
            return entry
    return None


async def what_happened(session: AsyncSession, request: Request) -> str:
    """`REQ-1 was planned by @alice in CHG-2 (date).` — or, without a record, its status now."""
    entry = await last_status_change(session, request)
    return describe(request, entry)


def describe(request: Request, entry: AuditEntry | None) -> str:
    """The sentence for a request's last status change."""
    verb = VERBS.get(str(request.status), str(request.status))
    if entry is None or entry.action == "filed":
        status = str(request.status).replace("_", " ").capitalize()
        return f"{request.ref} is already {status}. Nothing changed; the card now shows where it stands."
    where = (entry.after or {}).get("proposal")
    said = f" in {where}" if where else ""
    note = f": “{text.escaped(entry.note, NOTE_SHOWN)}”" if entry.note and not where else ""
    return (
        f"{request.ref} was {verb} by {text.user(entry.actor_id)}{said} {text.time_token(entry.at)}{note}. "
        "Nothing changed; the card now shows where it stands."
    )
