"""What a request's changes send to Slack: its card, its thread reply, DMs, Home tab refreshes.

Each is an outbox job enqueued in the transaction of the change itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import outbox_kinds
from bot.services.home.refresh import refresh_homes
from bot.services.notifications import policy
from bot.services.requests.types import MessageSource, Suggestion
from storage import outbox
from storage import requests as queries
from storage.models import Request


async def enqueue_card_sync(
    session: AsyncSession, request: Request, now: datetime, *, similar: Sequence[Suggestion] | None = None
) -> None:
    """Re-render the request's triage card (one pending sync per request, whatever happens).

    `similar`: its possible duplicates, when they were just searched (the card need not search again).
    """
    payload: dict[str, Any] = {"request_id": request_id(request)}
    if similar is not None:
        payload["similar"] = [suggestion.as_payload() for suggestion in similar]
    await outbox.enqueue(
        session,
        team_id=request.team_id,
        kind=outbox_kinds.SYNC_CARD,
        payload=payload,
        now=now,
        dedupe_key=f"card:{request_id(request)}",
    )


async def enqueue_filed_reply(
    session: AsyncSession, request: Request, source: MessageSource, filer_id: str, now: datetime
) -> None:
    """Reply "Filed as REQ-n" under the message the request was filed from."""
    await outbox.enqueue(
        session,
        team_id=request.team_id,
        kind=outbox_kinds.FILED_REPLY,
        now=now,
        payload={
            "ref": request.ref,
            "channel_id": source.channel_id,
            "thread_ts": source.ts,
            "filer_id": filer_id,
            "response_url": source.response_url,
        },
    )


async def enqueue_filed_for_you(
    session: AsyncSession, request: Request, source: MessageSource, now: datetime
) -> None:
    """Tell the author of a message someone else filed as a request that it is theirs now."""
    notice = {
        "request_id": request_id(request),
        "ref": request.ref,
        "title": request.title,
        "action": "filed_for_you",
        "actor_id": request.filed_by_id,
        "old_status": str(request.status),
        "new_status": str(request.status),
        "channel_id": source.channel_id,
        "role": "requester",
    }
    await policy.tell(session, team_id=request.team_id, user_id=request.requester_id, notice=notice, now=now)


async def enqueue_request_notices(
    session: AsyncSession,
    request: Request,
    *,
    now: datetime,
    actor_id: str,
    action: str,
    was: dict[str, Any],
    note: str | None,
    extra: list[str],
    credit: dict[str, Any] | None = None,
) -> None:
    """Tell the requester, the followers and `extra` people (not the actor) about a change, as the
    notification policy decides, and re-publish their Home tabs (the actor's too, if it shows it)."""
    followers = await queries.list_follower_ids(session, request)
    involved = [request.requester_id, request.filed_by_id, *followers, *extra]
    await refresh_homes(session, team_id=request.team_id, user_ids=involved, now=now)
    recipients = dict.fromkeys([request.requester_id, *followers, *extra])
    recipients.pop(actor_id, None)
    notice = {
        "request_id": request_id(request),
        "ref": request.ref,
        "title": request.title,
        "action": action,
        "actor_id": actor_id,
        "old_status": str(was["status"]),
        "new_status": str(request.status),
        "assignee_id": request.assignee_id,
        "old_assignee_id": was.get("assignee_id", request.assignee_id),
        "note": note,
        **(credit or {}),  # a roadmap change's "proposal" and "approved_by": said instead of the actor
    }
    for user_id in recipients:
        role = _role(request, user_id, action)
        await policy.tell(
            session, team_id=request.team_id, user_id=user_id, notice={**notice, "role": role}, now=now
        )


async def refresh_request_homes(session: AsyncSession, request: Request, now: datetime) -> None:
    """Re-publish the Home tabs that show the request: its requester's, filer's and followers'."""
    followers = await queries.list_follower_ids(session, request)
    involved = [request.requester_id, request.filed_by_id, *followers]
    await refresh_homes(session, team_id=request.team_id, user_ids=involved, now=now)


def _role(request: Request, user_id: str, action: str) -> str:
    """Why this person is told: they were just given it, they asked for it, or they follow it."""
    if action == "assigned" and user_id == request.assignee_id:
        return "assignee"
    return "requester" if user_id == request.requester_id else "follower"


def request_id(request: Request) -> int:
    """The row id of a request that has been flushed."""
    assert request.id is not None, "request must be flushed before it has an id"
    return request.id
