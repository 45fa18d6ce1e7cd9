"""Claims of scheduled occurrences: one row per (team, job, period), inserted by whoever is first."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

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
