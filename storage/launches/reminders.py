"""Queries behind launch reminders: who owns open checklist items, and which launches are near.

The first two span every workspace, as the scheduler's sweep does (each row found names its team);
the others name their team.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.launches.queries import ACTIVE
from storage.models import Launch, LaunchItem, LaunchStatus

REMINDED = (*ACTIVE, LaunchStatus.LAUNCHED)  # a launched launch still gets its day-after summary


def still_to_do() -> ColumnElement[bool]:
    """An item someone is still reminded of: on a planned or slipped launch, or due from launch
    day on once launched (monitoring, the retro; what was left before the launch is let go)."""
    after_launch = and_(Launch.status == LaunchStatus.LAUNCHED, LaunchItem.due_date >= Launch.launch_date)
    return and_(LaunchItem.done.is_(False), or_(Launch.status.in_(ACTIVE), after_launch))


async def list_item_owners(session: AsyncSession) -> list[tuple[str, str]]:
    """(team, person) for everyone who owns an item still to do, or owns a launch with an item
    still to do that nobody owns (the launch owner hears of those)."""
    open_items = (
        select(LaunchItem.team_id, LaunchItem.owner_id, Launch.owner_id.label("launch_owner_id"))
        .join(Launch, Launch.id == LaunchItem.launch_id)
        .where(Launch.team_id == LaunchItem.team_id, still_to_do())
        .distinct()
    )
    found = {
        (team, owner or launch_owner)
        for team, owner, launch_owner in (await session.execute(open_items)).all()
        if owner or launch_owner
    }
    return sorted(found)


async def list_launches_between(session: AsyncSession, *, first: date, last: date) -> list[Launch]:
    """Planned, slipped and launched launches whose launch day lies from `first` to `last`."""
    query = (
        select(Launch)
        .where(Launch.status.in_(REMINDED), Launch.launch_date >= first, Launch.launch_date <= last)
        .order_by(Launch.team_id, Launch.launch_date, Launch.number)
    )
    return list((await session.execute(query)).scalars())


async def list_items_due_for(
    session: AsyncSession, team_id: str, owner_id: str, *, up_to: date
) -> list[tuple[LaunchItem, Launch]]:
    """A person's open items of planned or slipped launches due by `up_to`, and the items nobody
    owns of the launches they own; earliest first."""
    query = _due_for(select(LaunchItem, Launch), team_id, owner_id, up_to).order_by(
        LaunchItem.due_date, Launch.number, LaunchItem.position
    )
    return [(item, launch) for item, launch in (await session.execute(query)).all()]


async def has_items_due_for(session: AsyncSession, team_id: str, owner_id: str, *, up_to: date) -> bool:
    """Whether `list_items_due_for` would find anything."""
    query = _due_for(select(LaunchItem.id), team_id, owner_id, up_to).limit(1)
    return (await session.execute(query)).first() is not None


def _due_for(query: Select[Any], team_id: str, owner_id: str, up_to: date) -> Select[Any]:
    theirs = or_(
        LaunchItem.owner_id == owner_id,
        and_(LaunchItem.owner_id.is_(None), Launch.owner_id == owner_id),
    )
    return query.join(Launch, Launch.id == LaunchItem.launch_id).where(
        LaunchItem.team_id == team_id,
        Launch.team_id == team_id,
        theirs,
        still_to_do(),
        LaunchItem.due_date <= up_to,
    )


async def list_open_dues_between(
    session: AsyncSession, *, first: date, last: date
) -> list[tuple[Launch, date]]:
    """(launch, due date) for the items still to do of posted launches, due from `first` to
    `last` (a pair per item): which checklists have items falling overdue about now."""
    query = (
        select(Launch, LaunchItem.due_date)
        .join(LaunchItem, LaunchItem.launch_id == Launch.id)
        .where(
            still_to_do(),
            Launch.parent_ts.is_not(None),
            LaunchItem.team_id == Launch.team_id,
            LaunchItem.due_date >= first,
            LaunchItem.due_date <= last,
        )
        .order_by(Launch.team_id, Launch.number, LaunchItem.due_date)
    )
    return [(launch, due) for launch, due in (await session.execute(query)).all()]
