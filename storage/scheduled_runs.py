"""Claims of scheduled occurrences: one row per (team, job, period), inserted by whoever is first."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, exists, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import ScheduledRun
from storage.upsert import insert_for


async def claim_run(
    session: AsyncSession,
    *,
    team_id: str,
    job: str,
    period: str,
    due_at: datetime,
    timezone: str,
    owner: str,
    now: datetime,
    late: bool = False,
    skipped: bool = False,
) -> int | None:
    """Insert the occurrence's row; its id if this caller won it, None if another already had."""
    statement = (
        insert_for(session, ScheduledRun)
        .values(
            team_id=team_id,
            job=job,
            period=period,
            due_at=due_at,
            timezone=timezone,
            late=late,
            skipped=skipped,
            claimed_by=owner,
            claimed_at=now,
        )
        .on_conflict_do_nothing(index_elements=["team_id", "job", "period"])
        .returning(ScheduledRun.id)
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def claimed_periods(
    session: AsyncSession, occurrences: Iterable[tuple[str, str, str]]
) -> set[tuple[str, str, str]]:
    """Which of these (team, job, period) occurrences already have a row."""
    wanted = list(occurrences)
    if not wanted:
        return set()
    key = tuple_(ScheduledRun.team_id, ScheduledRun.job, ScheduledRun.period)
    rows = await session.execute(
        select(ScheduledRun.team_id, ScheduledRun.job, ScheduledRun.period).where(key.in_(wanted))
    )
    return {(team, job, period) for team, job, period in rows}


async def last_posted_run(session: AsyncSession, *, team_id: str, job: str) -> ScheduledRun | None:
    """The newest occurrence of `job` that was posted (not skipped)."""
    result = await session.execute(
        select(ScheduledRun)
        .where(ScheduledRun.team_id == team_id, ScheduledRun.job == job, ScheduledRun.skipped.is_(False))
        .order_by(ScheduledRun.due_at.desc())
        .limit(1)
    )
    return result.scalar_one_or_none()


async def record_posted(
    session: AsyncSession, *, run_id: int, channel_id: str, message_ts: str, at: datetime
) -> None:
    """Note where the occurrence's message went, once Slack accepted it."""
    await session.execute(
        update(ScheduledRun)
        .where(ScheduledRun.id == run_id)
        .values(channel_id=channel_id, message_ts=message_ts, posted_at=at)
    )


async def delete_runs_before(session: AsyncSession, *, before: datetime, limit: int) -> int:
    """Delete up to `limit` runs due before `before`, in every workspace; how many went.

    Each job's newest posted (not skipped) run stays however old: it is what `last_posted_run`
    answers, and a digest's next window starts at it. A skipped run, or one with a newer posted
    run of the same job, may go.
    """
    run, newer = aliased(ScheduledRun), aliased(ScheduledRun)
    superseded = exists().where(
        newer.team_id == run.team_id,
        newer.job == run.job,
        newer.skipped.is_(False),
        newer.due_at > run.due_at,
    )
    batch = (
        select(run.id)
        .where(run.due_at < before, or_(run.skipped.is_(True), superseded))
        .order_by(run.id)
        .limit(limit)
        .with_for_update(of=run, skip_locked=True)  # replicas pruning at once never wait on each other
    )
    # Ids first, then the DELETE: PostgreSQL may re-run a locking subquery per row, past its LIMIT.
    ids = list((await session.execute(batch)).scalars())
    if not ids:
        return 0
    result = await session.execute(
        delete(ScheduledRun).where(ScheduledRun.id.in_(ids)).execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)
