"""What a request's readers see: the request with its followers, +1s, original and history."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import NotFound
from bot.services.requests.notices import request_id
from bot.services.requests.stale import last_status_change
from storage import audit
from storage import requests as queries
from storage.models import AuditEntry, Request, RequestStatus

OPEN_STATUSES = [
    RequestStatus.NEW,
    RequestStatus.NEEDS_INFO,
    RequestStatus.ACCEPTED,
    RequestStatus.PLANNED,
    RequestStatus.IN_PROGRESS,
]


@dataclass(frozen=True)
class RequestDetail:
    """A request with everything its card and history show."""

    request: Request
    follower_ids: list[str]
    upvotes: int
    duplicate_of_ref: str | None = None
    history: list[AuditEntry] = field(default_factory=list)
    last_decision: AuditEntry | None = None  # who last changed its status, when, and why
    item_refs: list[str] = field(default_factory=list)  # the roadmap items that answer it


async def require(session: AsyncSession, team_id: str, number: int, *, for_update: bool = False) -> Request:
    """REQ-`number` (row-locked if asked), or NotFound."""
    get = queries.get_request_for_update if for_update else queries.get_request
    request = await get(session, team_id, number)
    if request is None:
        raise NotFound(f"There is no REQ-{number} in this workspace.")
    return request


async def require_by_id(session: AsyncSession, team_id: str, row_id: int) -> Request:
    """A request by row id (what outbox jobs carry), or NotFound."""
    request = await queries.get_request_by_id(session, team_id, row_id)
    if request is None:
        raise NotFound(f"Request {row_id} is gone.")
    return request


async def request_detail(session: AsyncSession, request: Request, *, with_history: bool) -> RequestDetail:
    """The request with its followers, +1s, the request it duplicates and, if asked, its history."""
    duplicate_of_ref = None
    if request.duplicate_of_id is not None:
        original = await queries.get_request_by_id(session, request.team_id, request.duplicate_of_id)
        duplicate_of_ref = original.ref if original else None
    history = (
        await audit.list_changes(
            session, team_id=request.team_id, entity="request", entity_id=request_id(request)
        )
        if with_history
        else []
    )
    return RequestDetail(
        request=request,
        follower_ids=await queries.list_follower_ids(session, request),
        upvotes=await queries.count_upvotes(session, request),
        duplicate_of_ref=duplicate_of_ref,
        history=history,
        last_decision=await last_status_change(session, request),
        item_refs=[f"RM-{number}" for number in await queries.linked_item_numbers(session, request)],
    )
