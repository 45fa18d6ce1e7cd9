"""Rows for digest tests, written straight into the tables (launches are seeded as rows too)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.models import (
    AuditEntry,
    Launch,
    LaunchItem,
    Proposal,
    ProposalMessage,
    ProposalVote,
    Request,
    RequestUpvote,
    RoadmapItem,
    Role,
    WorkspaceMember,
)
from storage.workspaces import ensure_workspace

TEAM, OTHER_TEAM = "T_TEST", "T_OTHER"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday morning
WEEK_AGO = NOW - timedelta(days=7)
TODAY = NOW.date()
APPROVALS = "C_APPROVALS"
INTAKE = "C_INTAKE"
LAUNCHES = "C_LAUNCHES"
URL = "https://acme.slack.com/"


class StaticUrls:
    """A workspace URL without Slack, for service-level tests."""

    async def url(self, team_id: str) -> str | None:
        return URL


async def add_request(
    session: AsyncSession,
    number: int,
    created_at: datetime,
    *,
    team_id: str = TEAM,
    title: str | None = None,
    status: str = "new",
    impact: str = "medium",
    upvotes: int = 0,
) -> Request:
    """A request with a card in the intake channel, and `upvotes` +1s."""
    await ensure_workspace(session, team_id)
    request = Request(
        team_id=team_id,
        number=number,
        title=title or f"Request {number}",
        status=status,
        impact=impact,
        requester_id="U_ALICE",
        filed_by_id="U_ALICE",
        card_channel_id=INTAKE,
        card_ts=f"1700000000.{number:06d}",
        created_at=created_at,
        updated_at=created_at,
    )
    session.add(request)
    await session.flush()
    session.add_all(
        RequestUpvote(request_id=request.id or 0, user_id=f"U_FAN{n}", team_id=team_id)
        for n in range(upvotes)
    )
    return request


def triaged(request: Request, action: str, at: datetime, actor: str = "U_ADMIN") -> AuditEntry:
    """The audit entry of a triage decision."""
    return AuditEntry(
        team_id=request.team_id,
        actor_id=actor,
        entity="request",
        entity_id=request.id or 0,
        action=action,
        at=at,
    )


async def add_proposal(
    session: AsyncSession,
    number: int,
    submitted_at: datetime,
    *,
    team_id: str = TEAM,
    status: str = "pending",
    decided_at: datetime | None = None,
    required: int = 2,
    votes: tuple[tuple[str, str], ...] = (),
    title: str | None = None,
    with_item: bool = False,
) -> Proposal:
    """A proposal with a card in the approvals channel (and one in a DM), and its votes."""
    item = None
    if with_item:
        item = RoadmapItem(team_id=team_id, number=number, title=title or f"Item {number}", horizon="next")
        session.add(item)
        await session.flush()
    proposal = Proposal(
        team_id=team_id,
        number=number,
        kind="move" if item else "add",
        item_id=item.id if item else None,
        proposer_id="U_ALICE",
        rationale="why",
        changes={"title": title or f"Idea {number}", "horizon": "next"},
        status=status,
        required_approvals=required,
        created_at=submitted_at,
        submitted_at=submitted_at,
        expires_at=submitted_at + timedelta(days=7),
        decided_at=decided_at,
    )
    session.add(proposal)
    await session.flush()
    pid = proposal.id or 0
    session.add(
        ProposalMessage(proposal_id=pid, target="U_BOB", team_id=team_id, channel_id="D_BOB", ts="9.1")
    )
    ts = f"1700000001.{number:06d}"
    session.add(
        ProposalMessage(proposal_id=pid, target=APPROVALS, team_id=team_id, channel_id=APPROVALS, ts=ts)
    )
    for approver, choice in votes:
        session.add(
            ProposalVote(
                proposal_id=pid,
                team_id=team_id,
                approver_id=approver,
                revision=1,
                choice=choice,
                at=submitted_at,
            )
        )
    return proposal


async def add_launch(
    session: AsyncSession,
    number: int,
    launch_date: date,
    *,
    team_id: str = TEAM,
    status: str = "planned",
    launched_at: datetime | None = None,
    items: tuple[tuple[bool, date], ...] = (),
    name: str | None = None,
) -> Launch:
    """A launch with a parent message in the launches channel and checklist items (done, due)."""
    launch = Launch(
        team_id=team_id,
        number=number,
        name=name or f"Launch {number}",
        launch_date=launch_date,
        channel_id=LAUNCHES,
        owner_id="U_CAROL",
        template_name="standard",
        status=status,
        parent_ts=f"1700000002.{number:06d}",
        launched_at=launched_at,
        created_by="U_CAROL",
    )
    session.add(launch)
    await session.flush()
    session.add_all(
        LaunchItem(
            team_id=team_id,
            launch_id=launch.id or 0,
            position=n,
            phase="build",
            title=f"Item {n} of {launch.name}",
            due_date=due,
            done=done,
        )
        for n, (done, due) in enumerate(items)
    )
    return launch


async def name_approvers(db: Database, approvers: list[str], team_id: str = TEAM) -> None:
    """Name pmbot's approvers."""
    async with db.transaction() as session:
        await ensure_workspace(session, team_id)
        session.add_all(
            WorkspaceMember(team_id=team_id, user_id=user, role=Role.APPROVER) for user in approvers
        )
