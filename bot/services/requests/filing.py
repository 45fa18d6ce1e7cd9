"""Filing a request: what a person typed, checked, then stored with its followers, audit entry,
card and thread reply; and an edit of what was typed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.errors import InvalidInput
from bot.services.home.refresh import refresh_homes
from bot.services.requests.changes import Change, snapshot
from bot.services.requests.notices import (
    enqueue_card_sync,
    enqueue_filed_for_you,
    enqueue_filed_reply,
    request_id,
)
from bot.services.requests.types import (
    DESCRIPTION_MAX,
    ON_BEHALF_OF_MAX,
    TITLE_MAX,
    FiledRequest,
    MessageSource,
    RequestDraft,
    Suggestion,
)
from storage import requests as queries
from storage.audit import record_change
from storage.models import Request


async def store_request(
    session: AsyncSession,
    clock: Clock,
    *,
    team_id: str,
    filer_id: str,
    draft: RequestDraft,
    source: MessageSource | None,
    similar: Sequence[Suggestion] | None = None,
) -> FiledRequest:
    """Store a new request with its followers and audit entry, and queue its card and thread reply.

    `similar`: the earlier requests it looks like, when the filer was just shown them.
    """
    requester_id = source.requester_for(filer_id) if source else filer_id
    number, intake = await queries.allocate_request_number(session, team_id)
    request = Request(
        team_id=team_id,
        number=number,
        requester_id=requester_id,
        filed_by_id=filer_id,
        source_channel_id=source.channel_id if source else None,
        source_ts=source.ts if source else None,
        source_permalink=source.permalink if source else None,
        created_at=clock.now(),
        updated_at=clock.now(),
        **_draft_fields(draft),
    )
    request.id = await queries.insert_request(session, request)
    for follower in dict.fromkeys([requester_id, filer_id]):
        await queries.add_follower(session, request, follower)
    await record_change(
        session,
        team_id=team_id,
        actor_id=filer_id,
        entity="request",
        entity_id=request_id(request),
        action="filed",
        after=snapshot(request),
        at=clock.now(),
    )
    await _announce(session, clock, request, intake=intake, source=source, similar=similar)
    return FiledRequest(ref=request.ref, number=number, intake_channel_id=intake)


def edited(draft: RequestDraft) -> Change:
    """The change an edit makes: the draft's details replace the request's."""

    async def apply(_session: AsyncSession, request: Request) -> None:
        for name, value in _draft_fields(draft).items():
            setattr(request, name, value)

    return apply


def check_draft(draft: RequestDraft) -> None:
    """Refuse what the tables cannot hold (a forged payload; the modal already caps lengths)."""
    errors = {
        name: f"Keep it under {limit} characters."
        for name, value, limit in (
            ("title", draft.title, TITLE_MAX),
            ("description", draft.description, DESCRIPTION_MAX),
            ("on_behalf_of", draft.on_behalf_of or "", ON_BEHALF_OF_MAX),
        )
        if len(value) > limit
    }
    if not draft.title.strip():
        errors["title"] = "Give the request a title."
    if errors:
        raise InvalidInput(errors)


async def _announce(
    session: AsyncSession,
    clock: Clock,
    request: Request,
    *,
    intake: str | None,
    source: MessageSource | None,
    similar: Sequence[Suggestion] | None,
) -> None:
    if intake:
        await enqueue_card_sync(session, request, clock.now(), similar=similar)
    if source:
        await enqueue_filed_reply(session, request, source, request.filed_by_id, clock.now())
        if request.requester_id != request.filed_by_id:
            await enqueue_filed_for_you(session, request, source, clock.now())
    await refresh_homes(
        session,
        team_id=request.team_id,
        user_ids=[request.requester_id, request.filed_by_id],
        now=clock.now(),
    )


def _draft_fields(draft: RequestDraft) -> dict[str, Any]:
    return {
        "title": draft.title,
        "description": draft.description,
        "kind": draft.kind,
        "impact": draft.impact,
        "on_behalf_of": draft.on_behalf_of,
        "needed_by": draft.needed_by,
    }
