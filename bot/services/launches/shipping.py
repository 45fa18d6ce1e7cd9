"""Closing the loop when a launch ships: its roadmap items become shipped, the requests they answer
become done, and the people who asked for them (and their followers) are told, once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.requests.notices import enqueue_card_sync, enqueue_request_notices
from storage import audit
from storage import roadmap as roadmap_queries
from storage.launches import roadmap_items as launch_items
from storage.models import ItemStatus, Launch, Request, RequestStatus, RoadmapItem

STILL_OPEN = {ItemStatus.PLANNED, ItemStatus.IN_PROGRESS}
ANSWERED = {RequestStatus.DONE, RequestStatus.DECLINED, RequestStatus.DUPLICATE}


async def ship_linked(session: AsyncSession, launch: Launch, actor_id: str, now: datetime) -> list[str]:
    """Mark the launch's open roadmap items shipped and their open requests done; returns the refs of
    the requests it closed. Runs in the transaction that marks the launch launched, which happens
    once (a launched launch is not active any more), so each requester hears it once."""
    items = [
        item
        for item in await launch_items.list_linked_items(session, launch.team_id, launch.id or 0)
        if item.status in STILL_OPEN
    ]
    for item in items:
        await _ship_item(session, item, launch, actor_id, now)
    linked = await roadmap_queries.linked_requests(session, launch.team_id, [item.id or 0 for item in items])
    requests = {request.id: request for found in linked.values() for request in found}
    closed = []
    for request in requests.values():
        if request.status not in ANSWERED:
            await _close_request(session, request, launch, actor_id, now)
            closed.append(request.ref)
    return closed


async def _ship_item(
    session: AsyncSession, item: RoadmapItem, launch: Launch, actor_id: str, now: datetime
) -> None:
    before = str(item.status)
    item.status, item.updated_at = ItemStatus.SHIPPED, now
    await audit.record_change(
        session,
        team_id=item.team_id,
        actor_id=actor_id,
        entity="roadmap_item",
        entity_id=item.id or 0,
        action="shipped",
        before={"status": before},
        after={"status": str(item.status), "launch": launch.ref},
        note=f"Shipped in {launch.ref}",
        at=now,
    )


async def _close_request(
    session: AsyncSession, request: Request, launch: Launch, actor_id: str, now: datetime
) -> None:
    was = {"status": str(request.status)}
    request.status, request.updated_at = RequestStatus.DONE, now
    note = f"{request.ref} shipped in {launch.ref} 🎉"
    await audit.record_change(
        session,
        team_id=request.team_id,
        actor_id=actor_id,
        entity="request",
        entity_id=request.id or 0,
        action="shipped",
        before=was,
        after={"status": str(request.status), "launch": launch.ref},
        note=note,
        at=now,
    )
    await enqueue_card_sync(session, request, now)
    await enqueue_request_notices(
        session, request, now=now, actor_id=actor_id, action="shipped", was=was, note=note, extra=[]
    )
