"""Each person's Home tab: what waits for them, and pmbot's settings for admins. No Slack in here.

A queue costs a fixed number of SQL statements whatever the sizes: three for the settings and one
per list (rows and total together), never one per item.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.local_time import local_date
from bot.services.requests.service import OPEN_STATUSES
from bot.services.settings.permissions import Permissions
from storage import home as queries
from storage import home_queues
from storage.db import Database
from storage.home import ChecklistEntry, Counted, PendingVote, UpcomingLaunch, WorkspaceSetup
from storage.models import Proposal, Request, RoadmapItem

__all__ = [
    "AnyList",
    "ChecklistEntry",
    "Counted",
    "HomeList",
    "HomeQueue",
    "HomeService",
    "PendingVote",
    "UpcomingLaunch",
    "WorkspaceSetup",
    "YourProposal",
]

SHOWN_PER_LIST = 8  # what the Home tab shows of each list; "See all" pages through the rest
CHECKLIST_DAYS = 7  # checklist items due within this many days are listed (and every overdue one)
UPCOMING_LAUNCH_DAYS = 30  # launches dated within this many days are listed


@dataclass(frozen=True)
class YourProposal:
    """One of the person's open proposals, and the approvers whose vote it still waits for."""

    proposal: Proposal
    item: RoadmapItem | None
    waiting_on: list[str]


AnyList = (
    Counted[Request]
    | Counted[PendingVote]
    | Counted[ChecklistEntry]
    | Counted[UpcomingLaunch]
    | Counted[YourProposal]
)


class HomeList(StrEnum):
    """The lists of a Home tab that "See all" can page through."""

    MINE = "mine"
    FOLLOWED = "followed"
    TRIAGE = "triage"
    ASSIGNED = "assigned"
    PROPOSALS = "proposals"
    VOTES = "votes"
    CHECKLIST = "checklist"
    LAUNCHES = "launches"


class Timezones(Protocol):
    """Where a person is, so "today" and "overdue" are theirs."""

    async def timezone(self, team_id: str, user_id: str) -> str:
        """The person's IANA timezone name."""
        ...


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
    first_run: bool  # the guide's three settings (intake, triagers, approvers) are not all made
    checklist: Counted[ChecklistEntry]
    launches: Counted[UpcomingLaunch]
    today: date  # the person's date, against which items are overdue
    is_triager: bool = False  # a named triager, or an admin while nobody is named
    waiting_for_triage: Counted[Request] = field(default_factory=lambda: Counted([], 0))
    assigned: Counted[Request] = field(default_factory=lambda: Counted([], 0))
    your_proposals: Counted[YourProposal] = field(default_factory=lambda: Counted([], 0))
    admins_to_ask: list[str] = field(default_factory=list)  # the named pmbot admins, for a first run
    setup_blank: bool = False  # nothing that matters is set: everyone else is told whom to ask


class HomeService:
    """Reads a person's queue for the Home tab, and the full lists behind its "See all" buttons."""

    def __init__(
        self, db: Database, permissions: Permissions, clock: Clock, timezones: Timezones | None = None
    ) -> None:
        self._db = db
        self._permissions = permissions
        self._clock = clock
        self._timezones = timezones

    async def queue(self, team_id: str, user_id: str, *, shown: int = SHOWN_PER_LIST) -> HomeQueue:
        """The person's queue: the first `shown` items of each list, and each list's total.

        One read transaction, so every list comes from the same snapshot of the database.
        """
        today = await self.today(team_id, user_id)  # Slack, cached: before the reads
        window = {"offset": 0, "limit": shown}
        async with self._db.read() as session:
            setup = await queries.get_setup(session, team_id)
            is_admin = await self._permissions.is_admin_among(team_id, user_id, setup.admin_ids)
            is_approver = await self._permissions.is_approver_among(
                team_id, user_id, setup.approver_ids, setup.policy.approver_group_id, setup.admin_ids
            )
            mine = await queries.list_my_requests(session, team_id, user_id, OPEN_STATUSES, **window)
            followed = await queries.list_followed_requests(
                session, team_id, user_id, OPEN_STATUSES, **window
            )
            votes = await self._votes(session, team_id, user_id, is_approver, **window)
            checklist = await _checklist(session, team_id, user_id, today, **window)
            launches = await _launches(session, team_id, today, **window)
            is_triager = user_id in setup.triager_ids if setup.triager_ids else is_admin
            triage = await _triage(session, team_id, is_triager, **window)
            assigned = await home_queues.list_assigned(session, team_id, user_id, OPEN_STATUSES, **window)
            own = await home_queues.list_own_proposals(session, team_id, user_id, **window)
        proposals = await self._waiting_on(team_id, own, setup)
        return HomeQueue(
            user_id=user_id,
            my_requests=mine,
            followed=followed,
            awaiting_vote=votes,
            is_admin=is_admin,
            is_approver=is_approver,
            settings=setup if is_admin else None,
            first_run=not setup.is_complete,
            setup_blank=setup.is_blank,
            admins_to_ask=setup.admin_ids if setup.is_blank and not is_admin else [],
            checklist=checklist,
            launches=launches,
            today=today,
            is_triager=is_triager,
            waiting_for_triage=triage,
            assigned=assigned,
            your_proposals=proposals,
        )

    async def full_list(
        self, team_id: str, user_id: str, which: HomeList, *, page: int, per_page: int
    ) -> AnyList:
        """One page of one of the person's lists, for "See all"."""
        window = {"offset": max(page, 0) * per_page, "limit": per_page}
        if which in (HomeList.TRIAGE, HomeList.ASSIGNED, HomeList.PROPOSALS):
            return await self._queue_list(team_id, user_id, which, **window)
        if which == HomeList.VOTES:
            is_approver = await self._permissions.is_approver(team_id, user_id)
            async with self._db.read() as session:
                return await self._votes(session, team_id, user_id, is_approver, **window)
        if which in (HomeList.CHECKLIST, HomeList.LAUNCHES):
            today = await self.today(team_id, user_id)
            async with self._db.read() as session:
                if which == HomeList.CHECKLIST:
                    return await _checklist(session, team_id, user_id, today, **window)
                return await _launches(session, team_id, today, **window)
        list_requests = queries.list_my_requests if which == HomeList.MINE else queries.list_followed_requests
        async with self._db.read() as session:
            return await list_requests(session, team_id, user_id, OPEN_STATUSES, **window)

    async def _queue_list(self, team_id: str, user_id: str, which: HomeList, **window: int) -> AnyList:
        """A page of a work queue: waiting for triage (triagers only), assigned, your proposals."""
        if which == HomeList.TRIAGE:
            is_triager = await self._permissions.is_triager(team_id, user_id)
            async with self._db.read() as session:
                return await _triage(session, team_id, is_triager, **window)
        async with self._db.read() as session:
            if which == HomeList.ASSIGNED:
                return await home_queues.list_assigned(session, team_id, user_id, OPEN_STATUSES, **window)
            setup = await queries.get_setup(session, team_id)
            own = await home_queues.list_own_proposals(session, team_id, user_id, **window)
        return await self._waiting_on(team_id, own, setup)

    async def _waiting_on(
        self, team_id: str, own: Counted[home_queues.OwnProposal], setup: WorkspaceSetup
    ) -> Counted[YourProposal]:
        """Each proposal with the approvers who have not voted on its current revision."""
        if not own.rows:
            return Counted([], own.total)
        group = setup.policy.approver_group_id
        approvers = await self._permissions.voters_among(team_id, setup.approver_ids, group)
        approvers = approvers or setup.admin_ids  # while nobody is named, the named admins approve
        rows = [
            YourProposal(
                mine.proposal,
                mine.item,
                [a for a in approvers if a not in mine.voter_ids and a != mine.proposal.proposer_id],
            )
            for mine in own.rows
        ]
        return Counted(rows, own.total)

    async def today(self, team_id: str, user_id: str) -> date:
        """The person's calendar date now (UTC's when their timezone is unknown)."""
        name = await self._timezones.timezone(team_id, user_id) if self._timezones else "UTC"
        return local_date(self._clock.now(), name or "UTC")

    async def _votes(
        self, session: AsyncSession, team_id: str, user_id: str, is_approver: bool, **window: int
    ) -> Counted[PendingVote]:
        if not is_approver:
            return Counted([], 0)
        return await queries.list_awaiting_vote(session, team_id, user_id, self._clock.now(), **window)


async def _triage(session: AsyncSession, team_id: str, is_triager: bool, **window: int) -> Counted[Request]:
    if not is_triager:  # only those who triage are shown (and may page through) the queue
        return Counted([], 0)
    return await home_queues.list_waiting_for_triage(session, team_id, **window)


async def _checklist(
    session: AsyncSession, team_id: str, user_id: str, today: date, **window: int
) -> Counted[ChecklistEntry]:
    due_by = today + timedelta(days=CHECKLIST_DAYS)
    return await queries.list_checklist_items(session, team_id, user_id, due_by, **window)


async def _launches(
    session: AsyncSession, team_id: str, today: date, **window: int
) -> Counted[UpcomingLaunch]:
    until = today + timedelta(days=UPCOMING_LAUNCH_DAYS)
    return await queries.list_upcoming_launches(session, team_id, until, **window)
