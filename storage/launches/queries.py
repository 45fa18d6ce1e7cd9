"""Queries over launches, their checklist items, thread messages, templates and go/no-go votes.

Every query names its team.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import GoNoGo, GoNoGoVote, Launch, LaunchItem, LaunchMessage, LaunchStatus, LaunchTemplate
from storage.upsert import insert_for

ACTIVE = (LaunchStatus.PLANNED, LaunchStatus.SLIPPED)


async def get_launch(
    session: AsyncSession, team_id: str, number: int, *, for_update: bool = False
) -> Launch | None:
    """The launch LCH-`number`; `for_update` row-locks it on PostgreSQL (SQLite has one writer)."""
    query = select(Launch).where(Launch.team_id == team_id, Launch.number == number)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def get_launch_by_id(session: AsyncSession, team_id: str, launch_id: int) -> Launch | None:
    """A launch by row id, within the workspace."""
    query = select(Launch).where(Launch.team_id == team_id, Launch.id == launch_id)
    return (await session.execute(query)).scalar_one_or_none()


async def find_launches(session: AsyncSession, team_id: str, typed: str, *, limit: int) -> list[Launch]:
    """Launches whose name is `typed` (case aside) first, then those whose name contains it."""
    words = typed.strip().lower()
    query = select(Launch).where(
        Launch.team_id == team_id, func.lower(Launch.name).contains(words, autoescape=True)
    )
    found = list((await session.execute(query.order_by(Launch.number.desc()).limit(limit))).scalars())
    return sorted(found, key=lambda launch: launch.name.lower() != words)


async def list_upcoming(session: AsyncSession, team_id: str, *, since: date, limit: int) -> list[Launch]:
    """Planned or slipped launches from `since` on, soonest first."""
    query = (
        select(Launch)
        .where(Launch.team_id == team_id, Launch.status.in_(ACTIVE), Launch.launch_date >= since)
        .order_by(Launch.launch_date, Launch.number)
        .limit(limit)
    )
    return list((await session.execute(query)).scalars())


async def list_items(session: AsyncSession, team_id: str, launch_id: int) -> list[LaunchItem]:
    """A launch's checklist, in template order."""
    query = (
        select(LaunchItem)
        .where(LaunchItem.team_id == team_id, LaunchItem.launch_id == launch_id)
        .order_by(LaunchItem.position)
    )
    return list((await session.execute(query)).scalars())


async def get_item(session: AsyncSession, team_id: str, item_id: int) -> LaunchItem | None:
    """One checklist item by row id, within the workspace."""
    query = select(LaunchItem).where(LaunchItem.team_id == team_id, LaunchItem.id == item_id)
    return (await session.execute(query)).scalar_one_or_none()


async def progress(session: AsyncSession, team_id: str, launch_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(done, total) items per launch, in one query."""
    if not launch_ids:
        return {}
    done = func.sum(case((LaunchItem.done.is_(True), 1), else_=0))
    query = (
        select(LaunchItem.launch_id, func.coalesce(done, 0), func.count())
        .where(LaunchItem.team_id == team_id, LaunchItem.launch_id.in_(launch_ids))
        .group_by(LaunchItem.launch_id)
    )
    return {launch_id: (int(d), int(t)) for launch_id, d, t in (await session.execute(query)).all()}


async def list_messages(session: AsyncSession, team_id: str, launch_id: int) -> dict[int, str]:
    """The ts of each thread message (by chunk) of a launch."""
    query = select(LaunchMessage).where(
        LaunchMessage.team_id == team_id, LaunchMessage.launch_id == launch_id
    )
    return {message.chunk: message.ts for message in (await session.execute(query)).scalars()}


async def record_message(session: AsyncSession, team_id: str, launch_id: int, chunk: int, ts: str) -> None:
    """Remember where a thread message of the launch is (a later post of the same chunk replaces it)."""
    statement = insert_for(session, LaunchMessage).values(
        launch_id=launch_id, chunk=chunk, team_id=team_id, ts=ts
    )
    await session.execute(
        statement.on_conflict_do_update(index_elements=["launch_id", "chunk"], set_={"ts": ts})
    )


async def list_templates(session: AsyncSession, team_id: str) -> list[LaunchTemplate]:
    """The templates admins wrote, by name."""
    query = select(LaunchTemplate).where(LaunchTemplate.team_id == team_id).order_by(LaunchTemplate.name)
    return list((await session.execute(query)).scalars())


async def get_template(session: AsyncSession, team_id: str, name: str) -> LaunchTemplate | None:
    """A stored template by its name (case aside)."""
    query = select(LaunchTemplate).where(
        LaunchTemplate.team_id == team_id, func.lower(LaunchTemplate.name) == name.strip().lower()
    )
    return (await session.execute(query)).scalars().first()


async def save_template(
    session: AsyncSession, team_id: str, name: str, items: list[dict[str, Any]], author_id: str, at: datetime
) -> LaunchTemplate:
    """Store a template, replacing the one of the same name."""
    template = await get_template(session, team_id, name)
    if template is None:
        template = LaunchTemplate(
            team_id=team_id, name=name, items=items, created_by=author_id, created_at=at, updated_at=at
        )
        session.add(template)
    else:
        template.items, template.updated_at = items, at
    await session.flush()
    return template


async def add_vote(
    session: AsyncSession, launch: Launch, voter_id: str, choice: GoNoGo, note: str | None, at: datetime
) -> bool:
    """Record a decider's answer in the current round; False if they already answered it."""
    statement = insert_for(session, GoNoGoVote).values(
        team_id=launch.team_id,
        launch_id=launch.id,
        round=launch.gonogo_round,
        voter_id=voter_id,
        choice=choice,
        note=note,
        at=at,
    )
    return (await session.execute(statement.on_conflict_do_nothing())).rowcount == 1


async def list_votes(session: AsyncSession, launch: Launch) -> list[GoNoGoVote]:
    """The answers in the launch's current go/no-go round, in the order they came."""
    query = (
        select(GoNoGoVote)
        .where(
            GoNoGoVote.team_id == launch.team_id,
            GoNoGoVote.launch_id == launch.id,
            GoNoGoVote.round == launch.gonogo_round,
        )
        .order_by(GoNoGoVote.id)
    )
    return list((await session.execute(query)).scalars())


async def set_parent_ts(session: AsyncSession, team_id: str, launch_id: int, ts: str) -> None:
    """Remember where the launch's parent message is."""
    await session.execute(
        update(Launch)
        .where(Launch.team_id == team_id, Launch.id == launch_id)
        .values(parent_ts=ts)
        .execution_options(synchronize_session=False)
    )
