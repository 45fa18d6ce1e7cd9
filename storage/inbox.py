"""Queries on the inbox: record an interaction once, mark its effect, finish it, claim leftovers.

Plain Core statements: they run on every interaction, so no ORM objects are built for them.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import InboxEntry, InboxStatus
from storage.upsert import insert_for


@dataclass(frozen=True)
class Record:
    """An interaction to insert into the inbox with the first write of its listener."""

    team_id: str
    key: str
    kind: str
    body: str
    headers: dict[str, Any]
    now: datetime
    lease_for: timedelta
    deadline: float  # loop time: its transaction must begin by then, or nothing is written


class RecordedBefore(BaseException):
    """The interaction's key was recorded before (a replay, a retry): its listener must stop.

    A BaseException so that no listener's or Bolt's `except Exception` takes it for a failure.
    """


@dataclass
class Attempt:
    """One run of a recorded interaction's listener, as the writer sees it."""

    key: str
    write_failed: bool = False  # a write of this run failed: its effect is not committed
    # Not recorded yet: the listener's first write inserts it (as APPLIED) in its own transaction.
    record: Record | None = None
    write_began: bool = False  # a transaction with a write of this run has begun


# The interaction the current task works for. The writer marks its entry APPLIED in the
# transaction of the interaction's write, so a replay after a crash knows the effect was
# committed and does not repeat it; and notes a failed write, so the answer can say so.
CURRENT: ContextVar[Attempt | None] = ContextVar("pmbot_inbox_attempt", default=None)

UNFINISHED = (InboxStatus.PENDING, InboxStatus.APPLIED)


@dataclass(frozen=True)
class ClaimedEntry:
    """An unfinished interaction this process leased to dispatch again."""

    key: str
    status: InboxStatus
    body: str
    headers: dict[str, Any]
    attempts: int


async def record(
    session: AsyncSession,
    *,
    team_id: str,
    key: str,
    kind: str,
    body: str,
    headers: dict[str, Any],
    now: datetime,
    lease_for: timedelta,
    status: InboxStatus = InboxStatus.PENDING,
) -> bool:
    """Insert the interaction under `key`; False if that key was recorded before (a repeat)."""
    statement = insert_for(session, InboxEntry).values(
        team_id=team_id,
        key=key,
        kind=kind,
        body=body,
        headers=headers,
        status=status,
        attempts=1,
        due_at=now,
        lease_until=now + lease_for,
        created_at=now,
    )
    statement = statement.on_conflict_do_nothing(index_elements=["key"]).returning(InboxEntry.id)
    return (await session.execute(statement)).first() is not None


async def record_applied(session: AsyncSession, entry: Record) -> bool:
    """Insert the interaction as APPLIED, in the transaction of its listener's first write; False
    if its key was recorded before."""
    return await insert_record(session, entry, InboxStatus.APPLIED)


async def insert_record(session: AsyncSession, entry: Record, status: InboxStatus) -> bool:
    """Insert `entry` with `status`; False if its key was recorded before."""
    return await record(
        session,
        team_id=entry.team_id,
        key=entry.key,
        kind=entry.kind,
        body=entry.body,
        headers=entry.headers,
        now=entry.now,
        lease_for=entry.lease_for,
        status=status,
    )


async def get_state(session: AsyncSession, key: str) -> tuple[InboxStatus, dict[str, Any] | None] | None:
    """(status, stored answer) of the interaction under `key`, or None if it was never recorded."""
    row = (
        await session.execute(select(InboxEntry.status, InboxEntry.answer).where(InboxEntry.key == key))
    ).first()
    return None if row is None else (InboxStatus(row[0]), row[1])


async def mark_applied(session: AsyncSession, key: str) -> None:
    """The interaction's effect is in this transaction."""
    await session.execute(
        update(InboxEntry)
        .where(InboxEntry.key == key, InboxEntry.status == InboxStatus.PENDING)
        .values(status=InboxStatus.APPLIED)
    )


async def finish(session: AsyncSession, key: str, *, answer: dict[str, Any] | None, now: datetime) -> None:
    """Done: keep the answer for repeats, free the lease."""
    await session.execute(
        update(InboxEntry)
        .where(InboxEntry.key == key, InboxEntry.status.in_(UNFINISHED))
        .values(status=InboxStatus.DONE, answer=answer, done_at=now, lease_until=None)
    )


async def retry_later(session: AsyncSession, key: str, *, due_at: datetime) -> None:
    """The effect could not be committed yet: try again from `due_at` (any replica may)."""
    await session.execute(
        update(InboxEntry)
        .where(InboxEntry.key == key, InboxEntry.status == InboxStatus.PENDING)
        .values(due_at=due_at, lease_until=None)
    )


async def give_up(session: AsyncSession, key: str, *, now: datetime) -> None:
    """Failed for good; the person was told it did not happen."""
    await session.execute(
        update(InboxEntry)
        .where(InboxEntry.key == key, InboxEntry.status.in_(UNFINISHED))
        .values(status=InboxStatus.FAILED, done_at=now, lease_until=None)
    )


async def release(session: AsyncSession, keys: list[str]) -> None:
    """Hand unfinished interactions back at once (shutdown), for this or another replica."""
    if keys:
        await session.execute(
            update(InboxEntry)
            .where(InboxEntry.key.in_(keys), InboxEntry.status.in_(UNFINISHED))
            .values(lease_until=None)
        )


async def claim_due(
    session: AsyncSession, *, now: datetime, limit: int, lease_for: timedelta, ignore_leases: bool = False
) -> list[ClaimedEntry]:
    """Lease up to `limit` unfinished interactions that are due and not leased by anyone else.

    `ignore_leases` is for a process that knows it is the only one (SQLite, at start): leases
    left by its own previous life need not run out first.
    """
    free = or_(InboxEntry.lease_until.is_(None), InboxEntry.lease_until < now)
    due = (
        select(InboxEntry.id)
        .where(InboxEntry.status.in_(UNFINISHED), InboxEntry.due_at <= now)
        .where(true() if ignore_leases else free)
        .order_by(InboxEntry.due_at, InboxEntry.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claim = (
        update(InboxEntry)
        .where(InboxEntry.id.in_(due.scalar_subquery()))
        .values(lease_until=now + lease_for, attempts=InboxEntry.attempts + 1)
        .returning(
            InboxEntry.key, InboxEntry.status, InboxEntry.body, InboxEntry.headers, InboxEntry.attempts
        )
        .execution_options(synchronize_session=False)
    )
    rows = (await session.execute(claim)).all()
    return [ClaimedEntry(row[0], InboxStatus(row[1]), row[2], row[3], row[4]) for row in rows]


async def delete_finished_before(session: AsyncSession, *, before: datetime, limit: int) -> int:
    """Delete up to `limit` finished entries recorded before `before` (keys are kept long enough
    to catch Slack's last retry first)."""
    old = (
        select(InboxEntry.id)
        .where(InboxEntry.status.in_((InboxStatus.DONE, InboxStatus.FAILED)), InboxEntry.created_at < before)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    result = await session.execute(delete(InboxEntry).where(InboxEntry.id.in_(old.scalar_subquery())))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
