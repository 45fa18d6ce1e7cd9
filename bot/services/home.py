"""Each person's Home tab: what waits for them, and pmbot's settings for admins. No Slack in here.

A queue costs a fixed number of SQL statements whatever the sizes: three for the settings and one
per list (rows and total together), never one per item.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.services.permissions import Permissions
from bot.services.requests import OPEN_STATUSES
from storage import home as queries
from storage.db import Database
from storage.home import Counted, PendingVote, WorkspaceSetup
from storage.models import Request

__all__ = ["Counted", "HomeList", "HomeQueue", "HomeService", "PendingVote", "WorkspaceSetup"]

SHOWN_PER_LIST = 8  # what the Home tab shows of each list; "See all" pages through the rest


class HomeList(StrEnum):
    """The lists of a Home tab that "See all" can page through.

    Launches and checklist items (not built yet) add their lists here, a query in storage/home.py
    and a field on HomeQueue.
    """

    MINE = "mine"
    FOLLOWED = "followed"
    VOTES = "votes"


@dataclass(frozen=True)
class HomeQueue:
    """Everything one person's Home tab shows."""

    user_id: str
    my_requests: Counted[Request]
    followed: Counted[Request]
    awaiting_vote: Counted[PendingVote]
    is_admin: bool
    is_approver: bool
    settings: WorkspaceSetup | None  # only for admins: nobody else is shown the settings
    first_run: bool  # nothing that matters is set: no intake channel, no triagers, no approvers


class HomeService:
    """Reads a person's queue for the Home tab, and the full lists behind its "See all" buttons."""

    def __init__(self, db: Database, permissions: Permissions, clock: Clock) -> None:
        self._db = db
        self._permissions = permissions
        self._clock = clock

    async def queue(self, team_id: str, user_id: str, *, shown: int = SHOWN_PER_LIST) -> HomeQueue:
        """The person's queue: the first `shown` items of each list, and each list's total.

        One read transaction, so every list comes from the same snapshot of the database.
        """
        is_admin = await self._permissions.is_admin(team_id, user_id)  # Slack, cached: before the reads
        async with self._db.read() as session:
            setup = await queries.get_setup(session, team_id)
            is_approver = await self._permissions.is_approver_among(
                team_id, user_id, setup.approver_ids, setup.policy.approver_group_id
            )
            mine = await queries.list_my_requests(session, team_id, user_id, OPEN_STATUSES, limit=shown)
            followed = await queries.list_followed_requests(
                session, team_id, user_id, OPEN_STATUSES, limit=shown
            )
            votes = await self._votes(session, team_id, user_id, is_approver, offset=0, limit=shown)
        return HomeQueue(
            user_id=user_id,
            my_requests=mine,
            followed=followed,
            awaiting_vote=votes,
            is_admin=is_admin,
            is_approver=is_approver,
            settings=setup if is_admin else None,
            first_run=setup.is_blank,
        )

    async def full_list(
        self, team_id: str, user_id: str, which: HomeList, *, page: int, per_page: int
    ) -> Counted[Request] | Counted[PendingVote]:
        """One page of one of the person's lists, for "See all"."""
        offset = max(page, 0) * per_page
        if which == HomeList.VOTES:
            is_approver = await self._permissions.is_approver(team_id, user_id)
            async with self._db.read() as session:
                return await self._votes(
                    session, team_id, user_id, is_approver, offset=offset, limit=per_page
                )
        list_requests = queries.list_my_requests if which == HomeList.MINE else queries.list_followed_requests
        async with self._db.read() as session:
            return await list_requests(
                session, team_id, user_id, OPEN_STATUSES, offset=offset, limit=per_page
            )

    async def _votes(
        self, session: AsyncSession, team_id: str, user_id: str, is_approver: bool, **window: int
    ) -> Counted[PendingVote]:
        if not is_approver:
            return Counted([], 0)
        return await queries.list_awaiting_vote(session, team_id, user_id, self._clock.now(), **window)
