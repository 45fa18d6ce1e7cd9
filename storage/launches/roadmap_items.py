"""Queries over the roadmap items a launch ships (launch_roadmap_item). Every query names its team."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Launch, LaunchRoadmapItem, RoadmapItem


async def items_by_number(session: AsyncSession, team_id: str, numbers: list[int]) -> list[RoadmapItem]:
    """The workspace's roadmap items among RM-`numbers`, in one query (unknown numbers are left out)."""
    if not numbers:
        return []
    query = select(RoadmapItem).where(RoadmapItem.team_id == team_id, RoadmapItem.number.in_(numbers))
    return list((await session.execute(query.order_by(RoadmapItem.number))).scalars())


def link_items(session: AsyncSession, launch: Launch, item_ids: list[int]) -> None:
    """Link a new launch to roadmap items of its workspace (each once)."""
    assert launch.id is not None
    session.add_all(
        LaunchRoadmapItem(launch_id=launch.id, item_id=item_id, team_id=launch.team_id)
        for item_id in dict.fromkeys(item_ids)
    )


async def list_linked_items(session: AsyncSession, team_id: str, launch_id: int) -> list[RoadmapItem]:
    """The roadmap items a launch ships, by number, in one query."""
    query = (
        select(RoadmapItem)
        .join(LaunchRoadmapItem, LaunchRoadmapItem.item_id == RoadmapItem.id)
        .where(
            LaunchRoadmapItem.team_id == team_id,
            LaunchRoadmapItem.launch_id == launch_id,
            RoadmapItem.team_id == team_id,
        )
        .order_by(RoadmapItem.number)
    )
    return list((await session.execute(query)).scalars())


async def list_launches_shipping(session: AsyncSession, team_id: str, item_id: int) -> list[Launch]:
    """The launches that ship a roadmap item, soonest first, in one query."""
    query = (
        select(Launch)
        .join(LaunchRoadmapItem, LaunchRoadmapItem.launch_id == Launch.id)
        .where(
            LaunchRoadmapItem.team_id == team_id,
            LaunchRoadmapItem.item_id == item_id,
            Launch.team_id == team_id,
        )
        .order_by(Launch.launch_date, Launch.number)
    )
    return list((await session.execute(query)).scalars())
