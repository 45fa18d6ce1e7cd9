"""Queries behind a digest's launch lists: launches coming up or shipped, with checklist progress
(items, done, overdue) aggregated in the same statement, and the first overdue items of each."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Integer, and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.digests.queries import Counted, first_total, total_column
from storage.models import Launch, LaunchItem, LaunchStatus

UPCOMING_LAUNCHES = (LaunchStatus.PLANNED, LaunchStatus.SLIPPED)


@dataclass(frozen=True)
class LaunchRow:
    """A launch with its checklist's progress: items, done, and overdue (not done, due before today)."""

    id: int
    number: int
    name: str
    launch_date: date
    status: str
    owner_id: str
    launched_at: datetime | None
    items: int
    done: int
    overdue: int
    channel_id: str
    ts: str | None


@dataclass(frozen=True)
class OverdueRow:
    """A checklist item past its due date and not done."""

    launch_id: int
    title: str
    due_date: date
    owner_id: str | None


async def list_upcoming_launches(
    session: AsyncSession, *, team_id: str, today: date, last_day: date, offset: int = 0, limit: int
) -> Counted[LaunchRow]:
    """Launches planned (or slipped) from `today` to `last_day`, soonest first, with progress."""
    query = _launch_columns(team_id, today).where(
        Launch.team_id == team_id,
        Launch.status.in_(UPCOMING_LAUNCHES),
        Launch.launch_date >= today,
        Launch.launch_date <= last_day,
    )
    query = query.order_by(Launch.launch_date, Launch.number)
    return await _launches(session, query, offset, limit)


async def list_shipped_launches(
    session: AsyncSession,
    *,
    team_id: str,
    since: datetime,
    until: datetime,
    today: date,
    offset: int = 0,
    limit: int,
) -> Counted[LaunchRow]:
    """Launches that went out in the window, most recent first."""
    query = _launch_columns(team_id, today).where(
        Launch.team_id == team_id,
        Launch.status == LaunchStatus.LAUNCHED,
        Launch.launched_at >= since,
        Launch.launched_at < until,
    )
    query = query.order_by(Launch.launched_at.desc(), Launch.number.desc())
    return await _launches(session, query, offset, limit)


async def list_overdue_items(
    session: AsyncSession, *, team_id: str, launch_ids: Sequence[int], today: date, per_launch: int
) -> list[OverdueRow]:
    """The first `per_launch` overdue checklist items of each launch, earliest due first."""
    rank = func.row_number().over(
        partition_by=LaunchItem.launch_id, order_by=(LaunchItem.due_date, LaunchItem.position)
    )
    ranked = (
        select(
            LaunchItem.launch_id, LaunchItem.title, LaunchItem.due_date, LaunchItem.owner_id, rank.label("n")
        )
        .where(
            LaunchItem.team_id == team_id,
            LaunchItem.launch_id.in_(list(launch_ids)),
            LaunchItem.done.is_(False),
            LaunchItem.due_date < today,
        )
        .subquery()
    )
    query = (
        select(ranked.c.launch_id, ranked.c.title, ranked.c.due_date, ranked.c.owner_id)
        .where(ranked.c.n <= per_launch)
        .order_by(ranked.c.launch_id, ranked.c.n)
    )
    return [OverdueRow(int(row[0]), row[1], row[2], row[3]) for row in (await session.execute(query)).all()]


def _launch_columns(team_id: str, today: date) -> Any:
    not_done = LaunchItem.done.is_(False)
    return (
        select(
            Launch.id,
            Launch.number,
            Launch.name,
            Launch.launch_date,
            Launch.status,
            Launch.owner_id,
            Launch.launched_at,
            func.count(LaunchItem.id),
            func.coalesce(func.sum(case((LaunchItem.done.is_(True), 1), else_=0)), 0).cast(Integer),
            func.coalesce(func.sum(case((and_(not_done, LaunchItem.due_date < today), 1), else_=0)), 0).cast(
                Integer
            ),
            Launch.channel_id,
            Launch.parent_ts,
            total_column(),
        )
        .outerjoin(LaunchItem, and_(LaunchItem.launch_id == Launch.id, LaunchItem.team_id == team_id))
        .group_by(Launch.id)
    )


async def _launches(session: AsyncSession, query: Any, offset: int, limit: int) -> Counted[LaunchRow]:
    rows = (await session.execute(query.offset(offset).limit(limit))).all()
    found = [LaunchRow(*row[:7], int(row[7]), int(row[8]), int(row[9]), row[10], row[11]) for row in rows]
    return Counted(found, first_total(rows))
