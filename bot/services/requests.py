"""Stakeholder requests: filing, editing, triage, following and +1s. No Slack in here."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.errors import InvalidInput, NotFound
from bot.services.home_refresh import refresh_homes
from bot.services.permissions import Permissions
from bot.services.request_notices import (
    enqueue_card_sync,
    enqueue_filed_reply,
    enqueue_request_notices,
    refresh_request_homes,
    request_id,
)
from bot.services.writes import write
from storage import audit
from storage import requests as queries
from storage.audit import record_change
from storage.db import Database
from storage.models import AuditEntry, Impact, Request, RequestKind, RequestStatus
from storage.workspaces import get_workspace
from storage.writer import Writer

OPEN_STATUSES = [
    RequestStatus.NEW,
    RequestStatus.NEEDS_INFO,
    RequestStatus.ACCEPTED,
    RequestStatus.PLANNED,
    RequestStatus.IN_PROGRESS,
]
TITLE_MAX = 150
DESCRIPTION_MAX = 3000
ON_BEHALF_OF_MAX = 150

# Applies a change to a locked request; returns the note the audit log and the notices carry.
Change = Callable[[AsyncSession, Request], Awaitable[str | None]]
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


@dataclass(frozen=True)
class MessageSource:
    """The Slack message a request was filed from."""

    channel_id: str
    ts: str
    author_id: str
    permalink: str | None = None
    response_url: str | None = None


@dataclass(frozen=True)
class RequestDraft:
    """What a person typed for a request, already validated."""

    title: str
    description: str = ""
    kind: RequestKind = RequestKind.FEATURE
    impact: Impact = Impact.MEDIUM
    on_behalf_of: str | None = None
    needed_by: date | None = None


@dataclass(frozen=True)
class FiledRequest:
    """A stored request, and whether its card has somewhere to go."""

    ref: str
    number: int
    intake_channel_id: str | None


@dataclass(frozen=True)
class RequestDetail:
    """A request with everything its card and history show."""

    request: Request
    follower_ids: list[str]
    upvotes: int
    duplicate_of_ref: str | None = None
    history: list[AuditEntry] = field(default_factory=list)


class RequestService:
    """Requests' life: filed, triaged, followed; every change audited and announced."""

    def __init__(self, db: Database, writer: Writer, permissions: Permissions, clock: Clock) -> None:
        self._db = db
        self._writer = writer
        self._permissions = permissions
        self._clock = clock

    async def file(
        self, team_id: str, filer_id: str, draft: RequestDraft, *, source: MessageSource | None = None
    ) -> FiledRequest:
        """Store a new request, its card and its thread reply, all in one transaction."""
        _check_lengths(draft)
        requester_id = source.author_id if source else filer_id

        async def store(session: AsyncSession) -> FiledRequest:
            number, intake = await queries.allocate_request_number(session, team_id)
            request = Request(
                team_id=team_id,
                number=number,
                requester_id=requester_id,
                filed_by_id=filer_id,
                source_channel_id=source.channel_id if source else None,
                source_ts=source.ts if source else None,
                source_permalink=source.permalink if source else None,
                created_at=self._clock.now(),
                updated_at=self._clock.now(),
                **_draft_fields(draft),
            )
            session.add(request)
            await session.flush()
            for follower in dict.fromkeys([requester_id, filer_id]):
                await queries.add_follower(session, request, follower)
            await record_change(
                session,
                team_id=team_id,
                actor_id=filer_id,
                entity="request",
                entity_id=request_id(request),
                action="filed",
                after=_snapshot(request),
                at=self._clock.now(),
            )
            if intake:
                await enqueue_card_sync(session, request, self._clock.now())
            if source:
                await enqueue_filed_reply(session, request, source, filer_id, self._clock.now())
            await refresh_homes(
                session, team_id=team_id, user_ids=[requester_id, filer_id], now=self._clock.now()
            )
            return FiledRequest(ref=request.ref, number=number, intake_channel_id=intake)

        return await write(self._writer, store)

    async def edit(self, team_id: str, actor_id: str, number: int, draft: RequestDraft) -> Request:
        """Replace a request's details; its requester, filer or a triager may."""
        _check_lengths(draft)
        current = (await self.get(team_id, number)).request
        if actor_id not in (current.requester_id, current.filed_by_id):
            await self._permissions.require_triager(team_id, actor_id, "edit other people's requests")

        async def apply(_session: AsyncSession, request: Request) -> None:
            for name, value in _draft_fields(draft).items():
                setattr(request, name, value)

        return await self._change(team_id, actor_id, number, "edited", apply)

    async def accept(self, team_id: str, actor_id: str, number: int) -> Request:
        """Accept a request into the backlog."""
        await self._permissions.require_triager(team_id, actor_id, "accept requests")
        return await self._change(team_id, actor_id, number, "accepted", _set_status(RequestStatus.ACCEPTED))

    async def decline(self, team_id: str, actor_id: str, number: int, reason: str) -> Request:
        """Decline a request, saying why."""
        await self._permissions.require_triager(team_id, actor_id, "decline requests")
        _require_text(reason, "reason", "Say why the request is declined.")
        return await self._change(
            team_id, actor_id, number, "declined", _set_status(RequestStatus.DECLINED, note=reason)
        )

    async def ask_for_info(self, team_id: str, actor_id: str, number: int, question: str) -> Request:
        """Ask the requester a question; the request waits for the answer."""
        await self._permissions.require_triager(team_id, actor_id, "ask for more information")
        _require_text(question, "question", "Write the question for the requester.")
        return await self._change(
            team_id, actor_id, number, "asked_for_info", _set_status(RequestStatus.NEEDS_INFO, note=question)
        )

    async def mark_duplicate(self, team_id: str, actor_id: str, number: int, original_number: int) -> Request:
        """Close a request as a duplicate; its requester then follows the original."""
        await self._permissions.require_triager(team_id, actor_id, "mark duplicates")
        if original_number == number:
            raise InvalidInput({"original": "A request cannot duplicate itself."})

        async def apply(session: AsyncSession, request: Request) -> str:
            original = await queries.get_request(session, team_id, original_number)
            if original is None:
                raise InvalidInput({"original": f"There is no REQ-{original_number}."})
            request.duplicate_of_id = original.id
            request.status = RequestStatus.DUPLICATE
            await queries.add_follower(session, original, request.requester_id)
            return f"Duplicate of {original.ref}"

        return await self._change(team_id, actor_id, number, "marked_duplicate", apply)

    async def assign(self, team_id: str, actor_id: str, number: int, assignee_id: str) -> Request:
        """Make someone responsible for a request; they follow it from then on."""
        await self._permissions.require_triager(team_id, actor_id, "assign requests")

        async def apply(session: AsyncSession, request: Request) -> None:
            request.assignee_id = assignee_id
            await queries.add_follower(session, request, assignee_id)

        return await self._change(team_id, actor_id, number, "assigned", apply, notify_also=[assignee_id])

    async def follow(self, team_id: str, user_id: str, number: int) -> bool:
        """Follow a request; False if the person already did."""
        return await self._toggle(team_id, user_id, number, queries.add_follower, "followed")

    async def upvote(self, team_id: str, user_id: str, number: int) -> bool:
        """+1 a request; False if the person already had."""
        return await self._toggle(team_id, user_id, number, queries.add_upvote, "upvoted")

    async def get(self, team_id: str, number: int, *, with_history: bool = False) -> RequestDetail:
        """One request with its followers, +1s and, if asked, its history."""
        async with self._db.read() as session:
            request = await queries.get_request(session, team_id, number)
            if request is None:
                raise NotFound(f"There is no REQ-{number} in this workspace.")
            return await _detail(session, request, with_history=with_history)

    async def get_by_id(self, team_id: str, request_id: int) -> RequestDetail:
        """The same, by row id (what outbox jobs carry)."""
        async with self._db.read() as session:
            request = await queries.get_request_by_id(session, team_id, request_id)
            if request is None:
                raise NotFound(f"Request {request_id} is gone.")
            return await _detail(session, request, with_history=False)

    async def list(
        self,
        team_id: str,
        *,
        statuses: list[RequestStatus] | None,
        involving: str | None,
        page: int,
        per_page: int,
    ) -> queries.RequestPage:
        """A page of requests, newest first."""
        async with self._db.read() as session:
            return await queries.list_requests(
                session,
                team_id,
                statuses=statuses,
                involving=involving,
                offset=page * per_page,
                limit=per_page,
            )

    async def search(self, team_id: str, typed: str, *, limit: int) -> list[Request]:
        """Requests matching a type-ahead."""
        async with self._db.read() as session:
            return await queries.search_requests(session, team_id, typed, limit=limit)

    async def card(self, team_id: str, request_id: int) -> tuple[RequestDetail, str | None]:
        """What a card shows, and the intake channel it goes to, read together."""
        async with self._db.read() as session:
            request = await queries.get_request_by_id(session, team_id, request_id)
            if request is None:
                raise NotFound(f"Request {request_id} is gone.")
            workspace = await get_workspace(session, team_id)
            detail = await _detail(session, request, with_history=False)
        return detail, workspace.intake_channel_id if workspace else None

    async def _toggle(
        self, team_id: str, user_id: str, number: int, add: Callable[..., Any], action: str
    ) -> bool:
        async def store(session: AsyncSession) -> bool:
            request = await _require(session, team_id, number)
            added = bool(await add(session, request, user_id))
            if added:
                await record_change(
                    session,
                    team_id=team_id,
                    actor_id=user_id,
                    entity="request",
                    entity_id=request_id(request),
                    action=action,
                    at=self._clock.now(),
                )
                await enqueue_card_sync(session, request, self._clock.now())
                if action == "followed":  # a +1 shows on no Home tab; a follow does
                    await refresh_homes(session, team_id=team_id, user_ids=[user_id], now=self._clock.now())
            return added

        return await write(self._writer, store)

    async def _change(
        self,
        team_id: str,
        actor_id: str,
        number: int,
        action: str,
        apply: Change,
        *,
        notify_also: list[str] | None = None,
    ) -> Request:
        """Change one request in one transaction: audit it, re-render its card, tell its people."""

        async def store(session: AsyncSession) -> Request:
            request = await _require(session, team_id, number, for_update=True)
            was = _snapshot(request)
            note = await apply(session, request)
            request.updated_at = self._clock.now()
            now = _snapshot(request)
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
                at=self._clock.now(),
            )
            await enqueue_card_sync(session, request, self._clock.now())
            if was["status"] != now["status"] or notify_also:
                await enqueue_request_notices(
                    session,
                    request,
                    now=self._clock.now(),
                    actor_id=actor_id,
                    action=action,
                    was=was,
                    note=note,
                    extra=notify_also or [],
                )
            else:
                await refresh_request_homes(session, request, self._clock.now())
            return request

        return await write(self._writer, store)


def _set_status(status: RequestStatus, *, note: str | None = None) -> Change:
    async def apply(_session: AsyncSession, request: Request) -> str | None:
        request.status = status
        return note

    return apply


def _check_lengths(draft: RequestDraft) -> None:
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


def _require_text(value: str, field_name: str, message: str) -> None:
    if not value.strip():
        raise InvalidInput({field_name: message})


async def _require(session: AsyncSession, team_id: str, number: int, *, for_update: bool = False) -> Request:
    get = queries.get_request_for_update if for_update else queries.get_request
    request = await get(session, team_id, number)
    if request is None:
        raise NotFound(f"There is no REQ-{number} in this workspace.")
    return request


async def _detail(session: AsyncSession, request: Request, *, with_history: bool) -> RequestDetail:
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


def _snapshot(request: Request) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(request, name, None) for name in TRACKED_FIELDS}
    values["duplicate_of"] = request.duplicate_of_id
    values["needed_by"] = request.needed_by.isoformat() if request.needed_by else None
    return {name: str(value) if hasattr(value, "value") else value for name, value in values.items()}


def _diff(side: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in side.items() if other.get(name) != value}
