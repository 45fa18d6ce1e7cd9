"""Queries behind a person's Home tab: one statement per list, each with its limit and its total.

Every list query returns its rows and, through a `count(*) OVER ()` column, how many rows match in
all, so a home costs the same number of statements for ten requests as for ten thousand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, and_, case, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    ApprovalPolicy,
    Launch,
    LaunchItem,
    LaunchStatus,
    Proposal,
    ProposalStatus,
    ProposalVote,
    Request,
    RequestFollower,
    RequestStatus,
    RoadmapItem,
    Role,
    Workspace,
    WorkspaceMember,
)
from storage.workspaces import DigestDefaults, digest_defaults_of

T = TypeVar("T")

ACTIVE_LAUNCH = (LaunchStatus.PLANNED, LaunchStatus.SLIPPED)  # neither launched nor cancelled


@dataclass(frozen=True)
class Counted(Generic[T]):
    """The first rows of a list, and how many rows the whole list has."""

    rows: list[T]
    total: int


@dataclass(frozen=True)
class PendingVote:
    """A pending proposal waiting for one approver's vote, with the item it changes (if any yet)."""

    proposal: Proposal
    item: RoadmapItem | None


@dataclass(frozen=True)
class ChecklistEntry:
    """A checklist item someone owns, with its launch."""

    item: LaunchItem
    launch: Launch


@dataclass(frozen=True)
class UpcomingLaunch:
    """A launch still to happen, with how many of its checklist items are done."""

    launch: Launch
    done: int
    total: int


@dataclass(frozen=True)
class WorkspaceSetup:
    """Every setting a Home tab shows or needs, read together."""

    intake_channel_id: str | None
    triager_ids: list[str]
    approver_ids: list[str]
    policy: ApprovalPolicy
    admin_ids: list[str] = field(default_factory=list)  # named pmbot admins
    digest: DigestDefaults = field(default_factory=DigestDefaults)
    delivery_problem: str | None = None  # what keeps pmbot from posting, for admins to fix

    @property
    def intake_done(self) -> bool:
        return self.intake_channel_id is not None

    @property
    def triagers_done(self) -> bool:
        return bool(self.triager_ids)

    @property
    def approvers_done(self) -> bool:
        return bool(self.approver_ids or self.policy.approver_group_id)

    @property
    def is_complete(self) -> bool:
        """The three settings of the first-run guide are all made."""
        return self.intake_done and self.triagers_done and self.approvers_done

    @property
    def is_blank(self) -> bool:
        """Nothing that matters is set yet: no intake channel, no triagers, no approvers."""
        return not (
            self.intake_channel_id or self.triager_ids or self.approver_ids or self.policy.approver_group_id
        )


async def list_my_requests(
    session: AsyncSession,
    team_id: str,
    user_id: str,
    statuses: Sequence[RequestStatus],
    *,
    offset: int = 0,
    limit: int,
) -> Counted[Request]:
    """Requests the person asked for or filed, in `statuses`, most recently changed first."""
    query = select(Request, _total()).where(
        Request.team_id == team_id,
        Request.status.in_(statuses),
        or_(Request.requester_id == user_id, Request.filed_by_id == user_id),
    )
    return await _counted(session, _newest_first(query), offset, limit)


async def list_followed_requests(
    session: AsyncSession,
    team_id: str,
    user_id: str,
    statuses: Sequence[RequestStatus],
    *,
    offset: int = 0,
    limit: int,
) -> Counted[Request]:
    """Requests the person follows but neither asked for, filed nor is assigned, most recently
    changed first."""
    query = (
        select(Request, _total())
        .join(RequestFollower, RequestFollower.request_id == Request.id)
        .where(
            RequestFollower.team_id == team_id,
            RequestFollower.user_id == user_id,
            Request.team_id == team_id,
            Request.status.in_(statuses),
            Request.requester_id != user_id,
            Request.filed_by_id != user_id,
            # What is assigned to the person is listed under "Assigned to you", not here too.
            or_(Request.assignee_id.is_(None), Request.assignee_id != user_id),
        )
    )
    return await _counted(session, _newest_first(query), offset, limit)


async def list_awaiting_vote(
    session: AsyncSession, team_id: str, user_id: str, now: datetime, *, offset: int = 0, limit: int
) -> Counted[PendingVote]:
    """Pending, unexpired proposals by someone else on which the person has not voted, soonest to expire
    first. The caller decides whether the person is an approver at all."""
    voted = exists().where(
        ProposalVote.proposal_id == Proposal.id,
        ProposalVote.approver_id == user_id,
        ProposalVote.revision == Proposal.revision,
    )
    query = (
        select(Proposal, RoadmapItem, _total())
        .outerjoin(RoadmapItem, and_(RoadmapItem.id == Proposal.item_id, RoadmapItem.team_id == team_id))
        .where(
            Proposal.team_id == team_id,
            Proposal.status == ProposalStatus.PENDING,
            Proposal.expires_at > now,
            Proposal.proposer_id != user_id,
            ~voted,
        )
        .order_by(Proposal.expires_at, Proposal.number)
        .offset(offset)
        .limit(limit)
    )
    rows = (await session.execute(query)).all()
    return Counted([PendingVote(proposal, item) for proposal, item, _ in rows], _first_total(rows))


async def list_checklist_items(
    session: AsyncSession, team_id: str, user_id: str, due_by: date, *, offset: int = 0, limit: int
) -> Counted[ChecklistEntry]:
    """Open checklist items the person owns, due on or before `due_by` (overdue ones included), of
    launches neither launched nor cancelled; soonest due first."""
    query = (
        select(LaunchItem, Launch, _total())
        .join(Launch, Launch.id == LaunchItem.launch_id)
        .where(
            LaunchItem.team_id == team_id,
            LaunchItem.owner_id == user_id,
            LaunchItem.done.is_(False),
            LaunchItem.due_date <= due_by,
            Launch.team_id == team_id,
            Launch.status.in_(ACTIVE_LAUNCH),
        )
        .order_by(LaunchItem.due_date, Launch.number, LaunchItem.position)
        .offset(offset)
        .limit(limit)
    )
    rows = (await session.execute(query)).all()
    return Counted([ChecklistEntry(item, launch) for item, launch, _ in rows], _first_total(rows))


async def list_upcoming_launches(
    session: AsyncSession, team_id: str, until: date, *, offset: int = 0, limit: int
) -> Counted[UpcomingLaunch]:
    """Planned and slipped launches dated on or before `until` (a passed date included: the launch
    is still to be marked), soonest first, each with its checklist's done and total counts."""
    items = select(func.count()).where(LaunchItem.team_id == team_id, LaunchItem.launch_id == Launch.id)
    done = select(func.coalesce(func.sum(case((LaunchItem.done.is_(True), 1), else_=0)), 0)).where(
        LaunchItem.team_id == team_id, LaunchItem.launch_id == Launch.id
    )
    query = (
        select(Launch, done.scalar_subquery(), items.scalar_subquery(), _total())
        .where(Launch.team_id == team_id, Launch.status.in_(ACTIVE_LAUNCH), Launch.launch_date <= until)
        .order_by(Launch.launch_date, Launch.number)
        .offset(offset)
        .limit(limit)
    )
    rows = (await session.execute(query)).all()
    launches = [UpcomingLaunch(launch, int(d or 0), int(t or 0)) for launch, d, t, _ in rows]
    return Counted(launches, _first_total(rows))


async def get_setup(session: AsyncSession, team_id: str) -> WorkspaceSetup:
    """The intake channel and digest defaults, the people with roles, and the approval policy:
    three statements."""
    workspace = await session.get(Workspace, team_id)
    members = await session.execute(
        select(WorkspaceMember.role, WorkspaceMember.user_id)
        .where(WorkspaceMember.team_id == team_id)
        .order_by(WorkspaceMember.user_id)
    )
    by_role: dict[str, list[str]] = {Role.TRIAGER: [], Role.APPROVER: [], Role.ADMIN: []}
    for role, user_id in members.all():
        by_role.setdefault(role, []).append(user_id)
    policy = await session.get(ApprovalPolicy, team_id)
    return WorkspaceSetup(
        intake_channel_id=workspace.intake_channel_id if workspace else None,
        triager_ids=by_role[Role.TRIAGER],
        approver_ids=by_role[Role.APPROVER],
        policy=policy or ApprovalPolicy(team_id=team_id),
        admin_ids=by_role[Role.ADMIN],
        digest=digest_defaults_of(workspace),
        delivery_problem=workspace.delivery_problem if workspace else None,
    )


def _total() -> Any:
    return func.count().over().label("total")


def _newest_first(query: Select[Any]) -> Select[Any]:
    return query.order_by(Request.updated_at.desc(), Request.number.desc())


async def _counted(session: AsyncSession, query: Select[Any], offset: int, limit: int) -> Counted[Request]:
    rows = (await session.execute(query.offset(offset).limit(limit))).all()
    return Counted([request for request, _ in rows], _first_total(rows))


def _first_total(rows: Sequence[Any]) -> int:
    # Past the end of the list no row comes back to carry the total; the pages before said it.
    return int(rows[0][-1]) if rows else 0
