"""Queries over requests, their followers and +1s. Every query names its workspace."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Request,
    RequestFollower,
    RequestStatus,
    RequestUpvote,
    RoadmapItem,
    RoadmapItemRequest,
    Workspace,
)
from storage.upsert import insert_for
from storage.workspaces import ensure_workspace

REQUEST_TABLE = Request.__table__  # type: ignore[attr-defined]
INSERTED_COLUMNS = [column.key for column in REQUEST_TABLE.columns if not column.primary_key]


@dataclass(frozen=True)
class RequestPage:
    """One page of a listing, and whether more follow."""

    requests: list[Request]
    has_more: bool


async def allocate_request_number(session: AsyncSession, team_id: str) -> tuple[int, str | None]:
    """The next REQ number of the workspace, and its intake channel, in one statement."""
    bump = (
        update(Workspace)
        .where(Workspace.team_id == team_id)
        .values(last_request_number=Workspace.last_request_number + 1)
        .returning(Workspace.last_request_number, Workspace.intake_channel_id)
        .execution_options(synchronize_session=False)
    )
    row = (await session.execute(bump)).one_or_none()
    if row is None:  # the workspace's first request
        await ensure_workspace(session, team_id)
        row = (await session.execute(bump)).one()
    return int(row[0]), row[1]


async def insert_request(session: AsyncSession, request: Request) -> int:
    """Store a new request (a Core INSERT: no ORM flush); its row id. `request` stays unattached."""
    values = {name: getattr(request, name) for name in INSERTED_COLUMNS}
    statement = insert(REQUEST_TABLE).values(values).returning(REQUEST_TABLE.c.id)
    return int((await session.execute(statement)).scalar_one())


async def set_card(session: AsyncSession, team_id: str, request_id: int, channel_id: str, ts: str) -> None:
    """Remember where a request's card was posted, so later changes update it in place."""
    await session.execute(
        update(Request)
        .where(Request.team_id == team_id, Request.id == request_id)
        .values(card_channel_id=channel_id, card_ts=ts)
        .execution_options(synchronize_session=False)
    )


async def get_request(session: AsyncSession, team_id: str, number: int) -> Request | None:
    """The request REQ-`number` of the workspace."""
    query = select(Request).where(Request.team_id == team_id, Request.number == number)
    return (await session.execute(query)).scalar_one_or_none()


async def get_request_for_update(session: AsyncSession, team_id: str, number: int) -> Request | None:
    """The same, row-locked on PostgreSQL until the transaction ends."""
    query = select(Request).where(Request.team_id == team_id, Request.number == number).with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def list_requests(
    session: AsyncSession,
    team_id: str,
    *,
    statuses: list[RequestStatus] | None = None,
    involving: str | None = None,
    offset: int = 0,
    limit: int = 10,
) -> RequestPage:
    """Newest first; `involving` keeps those a person asked for or filed."""
    query = select(Request).where(Request.team_id == team_id)
    if statuses:
        query = query.where(Request.status.in_(statuses))
    if involving:
        query = query.where(or_(Request.requester_id == involving, Request.filed_by_id == involving))
    query = query.order_by(Request.number.desc()).offset(offset).limit(limit + 1)
    rows = list((await session.execute(query)).scalars())
    return RequestPage(requests=rows[:limit], has_more=len(rows) > limit)


async def search_requests(
    session: AsyncSession, team_id: str, typed: str, *, limit: int, without: Sequence[RequestStatus] = ()
) -> list[Request]:
    """Requests whose number or title matches what someone typed, newest first (none in `without`)."""
    query = select(Request).where(Request.team_id == team_id)
    if without:
        query = query.where(Request.status.not_in(list(without)))  # type: ignore[attr-defined]
    typed = typed.strip()
    number = typed.upper().removeprefix("REQ-").removeprefix("REQ")
    if number.isdigit():
        query = query.where(Request.number == int(number))
    elif typed:
        query = query.where(func.lower(Request.title).contains(typed.lower(), autoescape=True))
    query = query.order_by(Request.number.desc()).limit(limit)
    return list((await session.execute(query)).scalars())


async def add_follower(session: AsyncSession, request: Request, user_id: str) -> bool:
    """Make `user_id` follow the request; False if they already did."""
    assert request.id is not None
    statement = insert_for(session, RequestFollower).values(
        request_id=request.id, user_id=user_id, team_id=request.team_id
    )
    result = await session.execute(statement.on_conflict_do_nothing())
    return result.rowcount == 1


async def add_upvote(session: AsyncSession, request: Request, user_id: str) -> bool:
    """Record a +1 by `user_id`; False if they had given one already."""
    assert request.id is not None
    statement = insert_for(session, RequestUpvote).values(
        request_id=request.id, user_id=user_id, team_id=request.team_id
    )
    result = await session.execute(statement.on_conflict_do_nothing())
    return result.rowcount == 1


async def remove_follower(session: AsyncSession, request: Request, user_id: str) -> bool:
    """Stop `user_id` following the request; False if they did not follow it."""
    statement = delete(RequestFollower).where(
        RequestFollower.team_id == request.team_id,
        RequestFollower.request_id == request.id,
        RequestFollower.user_id == user_id,
    )
    result = await session.execute(statement)
    return result.rowcount == 1


async def remove_upvote(session: AsyncSession, request: Request, user_id: str) -> bool:
    """Take back `user_id`'s +1; False if they had not given one."""
    statement = delete(RequestUpvote).where(
        RequestUpvote.team_id == request.team_id,
        RequestUpvote.request_id == request.id,
        RequestUpvote.user_id == user_id,
    )
    result = await session.execute(statement)
    return result.rowcount == 1


async def list_follower_ids(session: AsyncSession, request: Request) -> list[str]:
    """Who follows the request, in the order they started."""
    query = (
        select(RequestFollower.user_id)
        .where(RequestFollower.team_id == request.team_id, RequestFollower.request_id == request.id)
        .order_by(RequestFollower.created_at, RequestFollower.user_id)
    )
    return list((await session.execute(query)).scalars())


async def count_upvotes(session: AsyncSession, request: Request) -> int:
    """How many +1s the request has."""
    query = (
        select(func.count())
        .select_from(RequestUpvote)
        .where(RequestUpvote.team_id == request.team_id, RequestUpvote.request_id == request.id)
    )
    return int((await session.execute(query)).scalar_one())


async def linked_item_numbers(session: AsyncSession, request: Request) -> list[int]:
    """The RM numbers of the roadmap items that answer the request."""
    query = (
        select(RoadmapItem.number)
        .join(RoadmapItemRequest, RoadmapItemRequest.item_id == RoadmapItem.id)
        .where(RoadmapItemRequest.team_id == request.team_id, RoadmapItemRequest.request_id == request.id)
        .order_by(RoadmapItem.number)
    )
    return list((await session.execute(query)).scalars())


async def get_request_by_id(session: AsyncSession, team_id: str, request_id: int) -> Request | None:
    """A request by its row id, within the workspace."""
    query = select(Request).where(Request.team_id == team_id, Request.id == request_id)
    return (await session.execute(query)).scalar_one_or_none()
