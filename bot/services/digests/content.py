"""What a weekly digest says for a window of time. No Slack in here.

A digest costs a fixed number of SQL statements whatever the data size: one per list (its first
rows and its total together), plus the approvers, the votes of the open proposals shown and the
overdue items of the launches shown — never one per item.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.local_time import local_date
from storage.db import Database
from storage.digests import launches as launch_queries
from storage.digests import queries
from storage.digests.launches import LaunchRow, OverdueRow
from storage.digests.queries import Counted, ProposalRow, RequestRow, TriageRow
from storage.models import ALL_SECTIONS, DigestSection, ProposalStatus

__all__ = [
    "Counted",
    "Digest",
    "DigestContentService",
    "DigestList",
    "DigestPage",
    "DigestWindow",
    "LaunchLine",
    "ProposalLine",
    "RequestRow",
    "TriageRow",
]

SHOWN_PER_LIST = 10  # rows read per list for the message; the view shows what fits
STUCK_REQUEST_DAYS = 5
STUCK_APPROVAL_DAYS = 3
UPCOMING_DAYS = 14
OVERDUE_SHOWN = 3  # overdue checklist items named under each upcoming launch


class DigestList(StrEnum):
    """The lists a digest shows; each can be paged through in full from the message."""

    NEW = "new"
    TRIAGED = "triaged"
    APPROVED = "approved"
    REJECTED = "rejected"
    PENDING = "pending"
    UPCOMING = "upcoming"
    SHIPPED = "shipped"
    STUCK_REQUESTS = "stuck_requests"
    STUCK_APPROVALS = "stuck_approvals"


LISTS_OF = {
    DigestSection.REQUESTS: (DigestList.NEW,),
    DigestSection.TRIAGE: (DigestList.TRIAGED,),
    DigestSection.ROADMAP: (DigestList.APPROVED, DigestList.REJECTED, DigestList.PENDING),
    DigestSection.LAUNCHES: (DigestList.UPCOMING, DigestList.SHIPPED),
    DigestSection.STUCK: (DigestList.STUCK_REQUESTS, DigestList.STUCK_APPROVALS),
}
PROPOSAL_LISTS = (DigestList.APPROVED, DigestList.REJECTED, DigestList.PENDING, DigestList.STUCK_APPROVALS)


class WorkspaceUrls(Protocol):
    """Where the workspace lives on the web (for permalinks)."""

    async def url(self, team_id: str) -> str | None:
        """`https://acme.slack.com/`, or None when unknown."""
        ...


@dataclass(frozen=True)
class DigestWindow:
    """What one digest covers: a workspace, a period, the sections a channel chose."""

    team_id: str
    since: datetime  # aware UTC: the channel's previous digest (or the subscription's creation)
    until: datetime  # aware UTC: now
    sections: list[str] = field(default_factory=lambda: list(ALL_SECTIONS))
    timezone: str = "UTC"  # the channel's zone: which day is "today" for launches and overdue items


@dataclass(frozen=True)
class ProposalLine:
    """A roadmap change, who approved its current revision and whose vote is still missing."""

    row: ProposalRow
    approved_by: tuple[str, ...] = ()
    waiting_for: tuple[str, ...] = ()  # named approvers who have not voted (never the proposer)
    approver_group_id: str | None = None  # members of this user group may vote too
    admins_approve: bool = False  # nobody is named: workspace admins and owners approve


@dataclass(frozen=True)
class LaunchLine:
    """A launch with its checklist progress and its first overdue items."""

    row: LaunchRow
    overdue_items: tuple[OverdueRow, ...] = ()


@dataclass(frozen=True)
class Digest:
    """Everything one digest shows, as plain data. Lists a window's sections leave out stay empty."""

    team_id: str
    since: datetime
    until: datetime
    sections: tuple[str, ...]
    workspace_url: str | None
    lists: dict[DigestList, Counted[Any]]
    triage_counts: dict[str, int]
    timezone: str = "UTC"

    def listed(self, which: DigestList) -> Counted[Any]:
        """One list: its first rows and its total."""
        return self.lists.get(which) or Counted([], 0)

    @property
    def is_quiet(self) -> bool:
        """Nothing to report in any of the sections asked for."""
        return all(listed.total == 0 for listed in self.lists.values())

    def permalink(self, channel_id: str | None, ts: str | None) -> str | None:
        """The link to a message, when the workspace URL and the message are known."""
        return permalink(self.workspace_url, channel_id, ts)


@dataclass(frozen=True)
class DigestPage:
    """One page of one digest list, for the "See all" modal."""

    which: DigestList
    listed: Counted[Any]
    page: int
    workspace_url: str | None

    def permalink(self, channel_id: str | None, ts: str | None) -> str | None:
        """The link to a message, when the workspace URL and the message are known."""
        return permalink(self.workspace_url, channel_id, ts)


def permalink(workspace_url: str | None, channel_id: str | None, ts: str | None) -> str | None:
    """`<workspace>archives/<channel>/p<ts without the dot>`, Slack's message permalink."""
    if not (workspace_url and channel_id and ts):
        return None
    return f"{workspace_url}archives/{channel_id}/p{ts.replace('.', '')}"


class DigestContentService:
    """Builds a digest for a window, and pages through any of its lists in full."""

    def __init__(self, db: Database, clock: Clock, *, workspace_urls: WorkspaceUrls | None = None) -> None:
        self._db = db
        self._clock = clock
        self._urls = workspace_urls

    async def build(self, window: DigestWindow) -> Digest:
        """The digest of `window`: one read transaction, a fixed number of statements."""
        wanted = [
            which for section in ALL_SECTIONS if section in window.sections for which in LISTS_OF[section]
        ]
        url = await self._url(window.team_id)
        lists: dict[DigestList, Counted[Any]] = {}
        triage_counts = dict.fromkeys(queries.TRIAGE_ACTIONS, 0)
        async with self._db.read() as session:
            for which in wanted:
                if which == DigestList.TRIAGED:
                    lists[which], triage_counts = await _triage(session, window, 0, SHOWN_PER_LIST)
                else:
                    lists[which] = await _fetch(session, window, which, 0, SHOWN_PER_LIST)
            await _complete(session, window, lists)
        return Digest(
            team_id=window.team_id,
            since=window.since,
            until=window.until,
            sections=tuple(section for section in ALL_SECTIONS if section in window.sections),
            workspace_url=url,
            lists=lists,
            triage_counts=triage_counts,
            timezone=window.timezone,
        )

    async def page(self, window: DigestWindow, which: DigestList, *, page: int, per_page: int) -> DigestPage:
        """One page of one list of the window's digest, as the database has it now."""
        url = await self._url(window.team_id)
        offset = max(page, 0) * per_page
        async with self._db.read() as session:
            if which == DigestList.TRIAGED:
                listed, _ = await _triage(session, window, offset, per_page)
            else:
                listed = await _fetch(session, window, which, offset, per_page)
            lists = {which: listed}
            await _complete(session, window, lists)
        return DigestPage(which, lists[which], max(page, 0), url)

    async def _url(self, team_id: str) -> str | None:
        return await self._urls.url(team_id) if self._urls else None


def _today(window: DigestWindow) -> date:
    return local_date(window.until, window.timezone)


async def _triage(
    session: AsyncSession, window: DigestWindow, offset: int, limit: int
) -> tuple[Counted[TriageRow], dict[str, int]]:
    return await queries.list_triage_decisions(
        session, team_id=window.team_id, since=window.since, until=window.until, offset=offset, limit=limit
    )


async def _fetch(
    session: AsyncSession, window: DigestWindow, which: DigestList, offset: int, limit: int
) -> Counted[Any]:
    """One list's rows (proposals and launches not yet completed with votes and overdue items)."""
    team, since, until = window.team_id, window.since, window.until
    page: dict[str, Any] = {"team_id": team, "offset": offset, "limit": limit}
    if which == DigestList.NEW:
        return await queries.list_new_requests(session, since=since, until=until, **page)
    if which == DigestList.STUCK_REQUESTS:
        cutoff = until - timedelta(days=STUCK_REQUEST_DAYS)
        return await queries.list_untriaged(session, filed_before=cutoff, **page)
    if which in (DigestList.APPROVED, DigestList.REJECTED):
        status = ProposalStatus(str(which))
        return await queries.list_decided_proposals(session, status=status, since=since, until=until, **page)
    if which in (DigestList.PENDING, DigestList.STUCK_APPROVALS):
        days = STUCK_APPROVAL_DAYS if which == DigestList.STUCK_APPROVALS else 0
        return await queries.list_open_proposals(
            session, submitted_before=until - timedelta(days=days), **page
        )
    today = _today(window)
    if which == DigestList.UPCOMING:
        last_day = today + timedelta(days=UPCOMING_DAYS)
        return await launch_queries.list_upcoming_launches(session, today=today, last_day=last_day, **page)
    if which == DigestList.SHIPPED:
        shipped = launch_queries.list_shipped_launches
        return await shipped(session, since=since, until=until, today=today, **page)
    raise ValueError(f"no such digest list: {which}")


async def _complete(
    session: AsyncSession, window: DigestWindow, lists: dict[DigestList, Counted[Any]]
) -> None:
    """Turn proposal and launch rows into lines: votes and approvers in one statement each, and the
    overdue items of upcoming launches in one more — whatever the number of rows."""
    proposal_lists = [which for which in PROPOSAL_LISTS if which in lists]
    if proposal_lists:
        rows = [row for which in proposal_lists for row in lists[which].rows]
        approvers, group_id = await queries.get_approvers(session, team_id=window.team_id)
        votes = await queries.list_current_votes(
            session, team_id=window.team_id, proposal_ids=sorted({row.id for row in rows})
        )
        for which in proposal_lists:
            listed = lists[which]
            lines = [_proposal_line(row, votes, approvers, group_id) for row in listed.rows]
            lists[which] = Counted(lines, listed.total)
    for which in (DigestList.UPCOMING, DigestList.SHIPPED):
        if which not in lists:
            continue
        listed = lists[which]
        overdue: list[OverdueRow] = []
        if which == DigestList.UPCOMING:
            overdue = await launch_queries.list_overdue_items(
                session,
                team_id=window.team_id,
                launch_ids=[row.id for row in listed.rows],
                today=_today(window),
                per_launch=OVERDUE_SHOWN,
            )
        lines = [
            LaunchLine(row, tuple(item for item in overdue if item.launch_id == row.id))
            for row in listed.rows
        ]
        lists[which] = Counted(lines, listed.total)


def _proposal_line(
    row: ProposalRow, votes: list[tuple[int, str, str]], approvers: list[str], group_id: str | None
) -> ProposalLine:
    voted = {approver: choice for proposal_id, approver, choice in votes if proposal_id == row.id}
    approved = tuple(approver for approver, choice in voted.items() if choice == "approve")
    if row.status != ProposalStatus.PENDING:
        return ProposalLine(row, approved_by=approved)
    waiting = tuple(a for a in approvers if a not in voted and a != row.proposer_id)
    return ProposalLine(
        row,
        approved_by=approved,
        waiting_for=waiting,
        approver_group_id=group_id,
        admins_approve=not approvers and not group_id,
    )
