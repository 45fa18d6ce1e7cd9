"""Who has opened the Home tab, per workspace: the people whose tabs are worth re-publishing."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import HomeViewer
from storage.upsert import insert_for


async def record_viewer(session: AsyncSession, *, team_id: str, user_id: str, now: datetime) -> None:
    """Remember that the person opened the Home tab (once; later opens change nothing)."""
    statement = insert_for(session, HomeViewer).values(team_id=team_id, user_id=user_id, first_opened_at=now)
    await session.execute(statement.on_conflict_do_nothing(index_elements=["team_id", "user_id"]))


async def is_viewer(session: AsyncSession, *, team_id: str, user_id: str) -> bool:
    """True if the person has opened the Home tab before."""
    found = await session.execute(
        select(HomeViewer.user_id).where(HomeViewer.team_id == team_id, HomeViewer.user_id == user_id)
    )
    return found.first() is not None


async def select_viewers(session: AsyncSession, *, team_id: str, user_ids: Iterable[str]) -> set[str]:
    """Those of `user_ids` who have opened the Home tab."""
    wanted = list(dict.fromkeys(user_ids))
    if not wanted:
        return set()
    found = await session.execute(
        select(HomeViewer.user_id).where(HomeViewer.team_id == team_id, HomeViewer.user_id.in_(wanted))
    )
    return set(found.scalars())
