"""Stakeholder requests: filing, editing, triage, following and +1s. No Slack in here.

The service is the one door: it checks who may, opens the transaction or the read, and hands the
work to `request_filing`, `request_triage`, `request_changes` and `request_views`.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.errors import NotAllowed
from bot.services.requests import merging, triage
from bot.services.requests.changes import AddPerson, Change, add_person, change_request
from bot.services.requests.filing import check_draft, edited, store_request
from bot.services.requests.notices import enqueue_card_sync
from bot.services.requests.originals import Reached, reach
from bot.services.requests.reads import OPEN_STATUSES, RequestDetail, request_detail, require, require_by_id
from bot.services.requests.stale import StaleMove, what_happened
from bot.services.requests.transitions import Move, transition
from bot.services.requests.types import FiledRequest, MessageSource, RequestDraft, Suggestion
from bot.services.settings.permissions import Permissions
from bot.services.writes import write
from storage import requests as queries
from storage.db import Database
from storage.models import Request, RequestStatus
from storage.workspaces import get_workspace
from storage.writer import Writer

__all__ = [
    "OPEN_STATUSES",
    "RequestDetail",
    "RequestService",
]

DOING = {  # what a refusal says a non-triager cannot do
    Move.DECLINE: "decline requests",
    Move.NEED_INFO: "ask for more information",
}


class RequestService:
    """Requests' life: filed, triaged, followed; every change audited and announced."""

    def __init__(self, db: Database, writer: Writer, permissions: Permissions, clock: Clock) -> None:
        self._db = db
        self._writer = writer
        self._permissions = permissions
        self._clock = clock

    # --- filing --------------------------------------------------------------------------

    async def file(
        self,
        team_id: str,
        filer_id: str,
        draft: RequestDraft,
        *,
        source: MessageSource | None = None,
        similar: Sequence[Suggestion] | None = None,
    ) -> FiledRequest:
        """Store a new request, its card and its thread reply, all in one transaction.

        `similar`: the earlier requests it looks like, already searched (its card shows them).
        """
        check_draft(draft)

        async def store(session: AsyncSession) -> FiledRequest:
            return await store_request(
                session,
                self._clock,
                team_id=team_id,
                filer_id=filer_id,
                draft=draft,
                source=source,
                similar=similar,
            )

        return await write(self._writer, store)

    async def edit(self, team_id: str, actor_id: str, number: int, draft: RequestDraft) -> Request:
        """Replace a request's details; its requester, filer or a triager may."""
        check_draft(draft)
        current = (await self.get(team_id, number)).request
        if actor_id not in (current.requester_id, current.filed_by_id):
            await self._permissions.require_triager(team_id, actor_id, "edit other people's requests")
        return await self._change(team_id, actor_id, number, "edited", edited(draft))

    # --- triage --------------------------------------------------------------------------

    async def accept(self, team_id: str, actor_id: str, number: int) -> Request:
        """Accept a request into the backlog."""
        await self._permissions.require_triager(team_id, actor_id, "accept requests")
        return await self._change(team_id, actor_id, number, "accepted", triage.accepted(), move=Move.ACCEPT)

    async def check_may(self, team_id: str, actor_id: str, number: int, move: Move) -> Request:
        """REQ-`number`, if this person may make `move` on it now; else who may, or what happened to
        it (its stale card is brought up to date). Asked before a modal opens, so nobody types a
        reason the server would then refuse."""
        await self._permissions.require_triager(team_id, actor_id, DOING[move])
        async with self._db.read() as session:
            request = await require(session, team_id, number)
            if transition(request.status, move) is not None:
                return request
            happened = await what_happened(session, request)
        await self._resync_card(team_id, number)
        raise StaleMove(request.id or 0, happened)

    async def decline(self, team_id: str, actor_id: str, number: int, reason: str) -> Request:
        """Decline a request, saying why."""
        await self._permissions.require_triager(team_id, actor_id, DOING[Move.DECLINE])
        declined = triage.declined(reason)
        return await self._change(team_id, actor_id, number, "declined", declined, move=Move.DECLINE)

    async def ask_for_info(self, team_id: str, actor_id: str, number: int, question: str) -> Request:
        """Ask the requester a question; the request waits for the answer."""
        await self._permissions.require_triager(team_id, actor_id, DOING[Move.NEED_INFO])
        asked = triage.asked_for_info(question)
        return await self._change(team_id, actor_id, number, "asked_for_info", asked, move=Move.NEED_INFO)

    async def mark_duplicate(self, team_id: str, actor_id: str, number: int, original_number: int) -> Request:
        """Close a request as a duplicate; its requester then follows the original."""
        await self._permissions.require_triager(team_id, actor_id, "mark duplicates")
        duplicate = triage.duplicate_of(team_id, number, original_number)
        return await self._change(
            team_id, actor_id, number, "marked_duplicate", duplicate, move=Move.MARK_DUPLICATE
        )

    async def assign(self, team_id: str, actor_id: str, number: int, assignee_id: str) -> Request:
        """Make someone responsible for a request; they follow it from then on."""
        await self._permissions.require_triager(team_id, actor_id, "assign requests")
        assigned = triage.assigned_to(assignee_id)
        return await self._change(
            team_id, actor_id, number, "assigned", assigned, notify_also=[assignee_id], move=Move.ASSIGN
        )

    # --- following -----------------------------------------------------------------------

    async def follow(self, team_id: str, user_id: str, number: int) -> tuple[Reached, bool]:
        """Follow a request (its original, if it is a duplicate); False if the person already did."""

        async def store(session: AsyncSession) -> tuple[Reached, bool]:
            return await merging.follow(session, self._clock, team_id=team_id, user_id=user_id, number=number)

        return await write(self._writer, store)

    async def unfollow(self, team_id: str, user_id: str, number: int) -> bool:
        """Stop following a request; False if the person did not follow it."""
        return await self._add_person(team_id, user_id, number, queries.remove_follower, "unfollowed")

    async def upvote(self, team_id: str, user_id: str, number: int) -> merging.PlusOne:
        """+1 a request (its original, if it is a duplicate). Its requester may not: their demand is
        the request itself, and a +1 of their own would count it twice."""
        async with self._db.read() as session:  # refused before the write: a raise there rolls back its batch
            reached = await reach(session, await require(session, team_id, number))
        _refuse_own(user_id, reached)

        async def store(session: AsyncSession) -> merging.PlusOne:
            done = await merging.upvote(
                session, self._clock, team_id=team_id, user_id=user_id, number=number, follow=False
            )
            if done.own:  # it became a duplicate of their own request meanwhile; nothing was written
                _refuse_own(user_id, done.reached)
            return done

        return await write(self._writer, store)

    async def undo_upvote(self, team_id: str, user_id: str, number: int) -> bool:
        """Take back a +1; False if the person had not given one."""
        return await self._add_person(team_id, user_id, number, queries.remove_upvote, "upvote_removed")

    # --- reading -------------------------------------------------------------------------

    async def get(self, team_id: str, number: int, *, with_history: bool = False) -> RequestDetail:
        """One request with its followers, +1s and, if asked, its history."""
        async with self._db.read() as session:
            request = await require(session, team_id, number)
            return await request_detail(session, request, with_history=with_history)

    async def get_by_id(self, team_id: str, request_id: int) -> RequestDetail:
        """The same, by row id (what outbox jobs carry)."""
        async with self._db.read() as session:
            request = await require_by_id(session, team_id, request_id)
            return await request_detail(session, request, with_history=False)

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
        """Requests matching a type-ahead; never a duplicate (what is picked would belong to its original)."""
        async with self._db.read() as session:
            return await queries.search_requests(
                session, team_id, typed, limit=limit, without=[RequestStatus.DUPLICATE]
            )

    async def card(self, team_id: str, request_id: int) -> tuple[RequestDetail, str | None]:
        """What a card shows, and the intake channel it goes to, read together."""
        async with self._db.read() as session:
            request = await require_by_id(session, team_id, request_id)
            workspace = await get_workspace(session, team_id)
            detail = await request_detail(session, request, with_history=False)
        return detail, workspace.intake_channel_id if workspace else None

    # --- the two kinds of change, each one transaction -------------------------------------

    async def _change(
        self,
        team_id: str,
        actor_id: str,
        number: int,
        action: str,
        apply: Change,
        *,
        notify_also: list[str] | None = None,
        move: Move | None = None,
    ) -> Request:
        async def store(session: AsyncSession) -> Request:
            return await change_request(
                session,
                self._clock,
                team_id=team_id,
                actor_id=actor_id,
                number=number,
                action=action,
                apply=apply,
                notify_also=notify_also or [],
                move=move,
            )

        try:
            return await write(self._writer, store)
        except StaleMove:
            await self._resync_card(team_id, number)  # the clicked card was stale: show where it stands
            raise

    async def _resync_card(self, team_id: str, number: int) -> None:
        async def store(session: AsyncSession) -> None:
            await enqueue_card_sync(session, await require(session, team_id, number), self._clock.now())

        await write(self._writer, store)

    async def _add_person(self, team_id: str, user_id: str, number: int, add: AddPerson, action: str) -> bool:
        async def store(session: AsyncSession) -> bool:
            return await add_person(
                session, self._clock, team_id=team_id, user_id=user_id, number=number, add=add, action=action
            )

        return await write(self._writer, store)


def _refuse_own(user_id: str, reached: Reached) -> None:
    if user_id == reached.request.requester_id:
        raise NotAllowed(
            f"You asked for {reached.where}, so it already counts your need; +1s are other people's."
        )
