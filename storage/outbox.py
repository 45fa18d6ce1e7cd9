"""The outbox: what must reach Slack, stored with the change that made it necessary.

Jobs are claimed with a lease, so a process that dies mid-delivery leaves its jobs to be taken
over once the lease runs out, and several replicas never deliver the same job at the same time
(PostgreSQL skips rows another replica has locked).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import JobStatus, OutboxJob, Workspace
from storage.types import utcnow
from storage.upsert import insert_for

ERROR_TEXT_LIMIT = 500


@dataclass(frozen=True)
class ClaimedJob:
    """A job this process holds the lease of."""

    id: int
    team_id: str
    kind: str
    payload: dict[str, Any]
    generation: int
    attempts: int
    # When an earlier attempt may have reached Slack unseen (None: every earlier one is known).
    unsure_since: datetime | None = None


async def enqueue(
    session: AsyncSession,
    *,
    team_id: str,
    kind: str,
    payload: dict[str, Any],
    now: datetime,
    dedupe_key: str | None = None,
) -> None:
    """Store a job due at `now`; a job with the key of an existing one re-arms that one instead."""
    values = {
        "team_id": team_id,
        "kind": kind,
        "payload": payload,
        "dedupe_key": dedupe_key,
        "status": JobStatus.PENDING,
        "generation": 0,
        "attempts": 0,
        "due_at": now,
        "created_at": now,
    }
    statement = insert_for(session, OutboxJob).values(**values)
    if dedupe_key is not None:
        statement = statement.on_conflict_do_update(
            index_elements=["dedupe_key"],
            set_={
                "payload": statement.excluded.payload,
                "status": JobStatus.PENDING,
                "generation": OutboxJob.generation + 1,
                "attempts": 0,
                "due_at": now,
                "last_error": None,
            },
        )
    await session.execute(statement)


async def claim_due(
    session: AsyncSession, *, now: datetime, limit: int, lease_for: timedelta
) -> list[ClaimedJob]:
    """Lease up to `limit` jobs that are due and not leased by anyone else."""
    due = (
        select(OutboxJob.id)
        .where(
            OutboxJob.status == JobStatus.PENDING,
            OutboxJob.due_at <= now,
            or_(OutboxJob.lease_until.is_(None), OutboxJob.lease_until < now),
            OutboxJob.team_id.not_in(_inactive_teams()),
        )
        .order_by(OutboxJob.due_at, OutboxJob.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claim = (
        update(OutboxJob)
        .where(OutboxJob.id.in_(due.scalar_subquery()))
        .values(
            lease_until=now + lease_for,
            attempts=OutboxJob.attempts + 1,
            # A lease that ran out: whoever held it may have posted. Its end is kept; the reader
            # looks from a lease length before it (when that attempt began) on.
            unsure_since=case(
                (
                    OutboxJob.lease_until.is_not(None),
                    func.coalesce(OutboxJob.unsure_since, OutboxJob.lease_until),
                ),
                else_=OutboxJob.unsure_since,
            ),
        )
        .returning(
            OutboxJob.id,
            OutboxJob.team_id,
            OutboxJob.kind,
            OutboxJob.payload,
            OutboxJob.generation,
            OutboxJob.attempts,
            OutboxJob.unsure_since,
        )
        .execution_options(synchronize_session=False)
    )
    rows = (await session.execute(claim)).all()
    return sorted((ClaimedJob(*row) for row in rows), key=lambda job: job.id)


async def mark_done(session: AsyncSession, job: ClaimedJob) -> None:
    """Finish the job, unless it was re-armed while it ran: then free it to run again."""
    finished = await session.execute(
        update(OutboxJob)
        .where(OutboxJob.id == job.id, OutboxJob.generation == job.generation)
        .values(status=JobStatus.DONE, done_at=utcnow(), lease_until=None, last_error=None, unsure_since=None)
        .execution_options(synchronize_session=False)
    )
    if finished.rowcount == 0:
        await _release(session, job.id, unsure_since=None)


async def retry_later(
    session: AsyncSession,
    job: ClaimedJob,
    *,
    due_at: datetime,
    error: str,
    unsure_since: datetime | None = None,
    counts: bool = True,
) -> None:
    """Put the job back to be tried again at `due_at`.

    `unsure_since`: the attempt may have reached Slack (its answer was lost) from that time on.
    `counts=False`: the attempt never started (a pause, a pacing wait), so it is not counted.
    """
    values: dict[str, Any] = {"due_at": due_at, "lease_until": None, "last_error": error[:ERROR_TEXT_LIMIT]}
    if unsure_since is not None:
        values["unsure_since"] = func.coalesce(OutboxJob.unsure_since, unsure_since)
    if not counts:
        values["attempts"] = OutboxJob.attempts - 1
    await session.execute(
        update(OutboxJob)
        .where(OutboxJob.id == job.id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


async def mark_failed(session: AsyncSession, job: ClaimedJob, *, error: str) -> None:
    """Give the job up: retrying cannot help (unless it was re-armed meanwhile)."""
    failed = await session.execute(
        update(OutboxJob)
        .where(OutboxJob.id == job.id, OutboxJob.generation == job.generation)
        .values(
            status=JobStatus.FAILED,
            done_at=utcnow(),
            lease_until=None,
            last_error=error[:ERROR_TEXT_LIMIT],
            unsure_since=None,
        )
        .execution_options(synchronize_session=False)
    )
    if failed.rowcount == 0:
        await _release(session, job.id)


async def _release(session: AsyncSession, job_id: int, **also: Any) -> None:
    await session.execute(
        update(OutboxJob)
        .where(OutboxJob.id == job_id)
        .values(lease_until=None, **also)
        .execution_options(synchronize_session=False)
    )


@dataclass(frozen=True)
class OutboxStats:
    """For metrics: what waits, what failed for good, and how long the oldest waiting job has waited."""

    pending: int
    failed: int
    oldest_pending_seconds: float


async def stats(session: AsyncSession, *, now: datetime) -> OutboxStats:
    """Counts by status and the age of the oldest pending job, in every workspace (one statement)."""
    query = select(
        func.count().filter(OutboxJob.status == JobStatus.PENDING),
        func.count().filter(OutboxJob.status == JobStatus.FAILED),
        func.min(OutboxJob.created_at).filter(OutboxJob.status == JobStatus.PENDING),
    )
    pending, failed, oldest = (await session.execute(query)).one()
    age = (now - oldest).total_seconds() if oldest is not None else 0.0
    return OutboxStats(int(pending), int(failed), max(age, 0.0))


def _inactive_teams() -> Any:
    return select(Workspace.team_id).where(Workspace.installation_active.is_(False))


async def count_unfinished(session: AsyncSession) -> int:
    """How many jobs still wait to reach Slack (for health and benchmarks)."""
    query = select(func.count()).select_from(OutboxJob).where(OutboxJob.status == JobStatus.PENDING)
    return int((await session.execute(query)).scalar_one())


async def next_due_at(session: AsyncSession) -> datetime | None:
    """When the earliest pending job is due, to know how long the deliverer may sleep."""
    query = select(func.min(OutboxJob.due_at)).where(
        and_(OutboxJob.status == JobStatus.PENDING, OutboxJob.lease_until.is_(None))
    )
    return (await session.execute(query)).scalar_one_or_none()


async def delete_done_before(session: AsyncSession, *, before: datetime, limit: int) -> int:
    """Delete up to `limit` delivered jobs finished before `before`, in every workspace; how many.

    Only `done` jobs go: pending ones still have to reach Slack, and failed ones are kept (with
    their error) for a person to look into.
    """
    finished = and_(OutboxJob.status == JobStatus.DONE, OutboxJob.done_at < before)
    # The status index walks done jobs oldest-due first, so a batch stops early. The ids are read
    # first: inside `DELETE … IN (subquery)` PostgreSQL may re-run a locking subquery for every row
    # and ignore its LIMIT. SKIP LOCKED lets replicas pruning at once take different rows.
    batch = (
        select(OutboxJob.id)
        .where(finished)
        .order_by(OutboxJob.due_at, OutboxJob.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = list((await session.execute(batch)).scalars())
    if not ids:
        return 0
    result = await session.execute(
        delete(OutboxJob).where(OutboxJob.id.in_(ids), finished).execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)
