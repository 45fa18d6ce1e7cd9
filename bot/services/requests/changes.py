"""How a stored request changes, in one transaction each: a change of its fields (audited with a
before/after diff, its card re-rendered, its people told), or a follow or +1 added."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.services.home.refresh import refresh_homes
from bot.services.requests.notices import (
    enqueue_card_sync,
    enqueue_request_notices,
    refresh_request_homes,
    request_id,
)
from bot.services.requests.reads import require
from bot.services.requests.stale import StaleMove, what_happened
from bot.services.requests.transitions import Move, transition
from storage.audit import record_change
from storage.models import Request

# Applies a change to a locked request; returns the note the audit log and the notices carry.
Change = Callable[[AsyncSession, Request], Awaitable[str | None]]
# Adds or removes a person (a follower, a +1); returns whether anything changed.
AddPerson = Callable[[AsyncSession, Request, str], Awaitable[bool]]
TRACKED_FIELDS = (
    "title",
    "description",
    "kind",
    "impact",
    "on_behalf_of",
    "needed_by",
    "status",
    "assignee_id",
    "duplicate_of",
)


async def change_request(
    session: AsyncSession,
    clock: Clock,
    *,
    team_id: str,
    actor_id: str,
    number: int,
    action: str,
    apply: Change,
    notify_also: list[str],
    move: Move | None = None,
) -> Request:
    """Change one request: audit it, re-render its card, tell its people (or refresh their homes).

    A `move` that does not exist from the request's status now (a stale card, a second click) is
    refused with what happened instead; a change that changes nothing is no change: no audit
    entry, no card update, no message.
    """
    request = await require(session, team_id, number, for_update=True)
    if move is not None and transition(request.status, move) is None:
        raise StaleMove(request.id or 0, await what_happened(session, request))
    was = snapshot(request)
    note = await apply(session, request)
    now = snapshot(request)
    if now == was:
        return request
    request.updated_at = clock.now()
    await record_change(
        session,
        team_id=team_id,
        actor_id=actor_id,
        entity="request",
        entity_id=request_id(request),
        action=action,
        before=_diff(was, now),
        after=_diff(now, was),
        note=note,
        at=clock.now(),
    )
    await enqueue_card_sync(session, request, clock.now())
    if was["status"] != now["status"] or notify_also:
        await enqueue_request_notices(
            session,
            request,
            now=clock.now(),
            actor_id=actor_id,
            action=action,
            was=was,
            note=note,
            extra=notify_also,
        )
    else:
        await refresh_request_homes(session, request, clock.now())
    return request


async def add_person(
    session: AsyncSession,
    clock: Clock,
    *,
    team_id: str,
    user_id: str,
    number: int,
    add: AddPerson,
    action: str,
) -> bool:
    """Add (or take back) a follow or a +1; audited and shown on the card only if it changed."""
    request = await require(session, team_id, number)
    added = bool(await add(session, request, user_id))
    if added:
        await record_change(
            session,
            team_id=team_id,
            actor_id=user_id,
            entity="request",
            entity_id=request_id(request),
            action=action,
            at=clock.now(),
        )
        await enqueue_card_sync(session, request, clock.now())
        if action in ("followed", "unfollowed"):  # a +1 shows on no Home tab; a follow does
            await refresh_homes(session, team_id=team_id, user_ids=[user_id], now=clock.now())
    return added


def snapshot(request: Request) -> dict[str, Any]:
    """The request's tracked fields, as the audit log stores them."""
    values: dict[str, Any] = {name: getattr(request, name, None) for name in TRACKED_FIELDS}
    values["duplicate_of"] = request.duplicate_of_id
    values["needed_by"] = request.needed_by.isoformat() if request.needed_by else None
    return {name: str(value) if hasattr(value, "value") else value for name, value in values.items()}


def _diff(side: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in side.items() if other.get(name) != value}
