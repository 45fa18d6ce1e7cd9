"""Seed one workspace for the Home tab benchmark: one person's requests, follows, pending votes,
checklist items and the workspace's upcoming launches."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.services.requests.service import OPEN_STATUSES
from storage.db import Database
from storage.models import (
    Launch,
    LaunchItem,
    LaunchStatus,
    Proposal,
    ProposalVote,
    Request,
    RequestFollower,
    Role,
    WorkspaceMember,
)
from storage.workspaces import set_intake_channel

ME, OTHER = "U_BENCH_ME", "U_BENCH_OTHER"
OPEN = ", ".join(f"'{status}'" for status in OPEN_STATUSES)  # constants, for the bare SQL baseline
CLOSED = ["done", "declined", "duplicate"]


ITEMS_PER_LAUNCH = 20
APPROVE = "approve"


async def seed_team(
    db: Database, team_id: str, mine: int, followed: int, votes: int, checklist: int, launches: int
) -> None:
    """`mine` open requests of ME's (and a tenth as many closed), `followed` requests of others that
    ME follows, as many of others' that ME does not but is assigned, `votes` pending proposals by
    someone else awaiting ME's vote (plus a tenth as many ME already voted on) and as many of ME's
    own, `launches` upcoming launches and `checklist` open items of ME's due within a week (see
    seed_launches for the noise). ME triages: the NEW requests among them wait for triage."""
    now = datetime.now(UTC)
    await seed_launches(db, team_id, checklist, launches, now.date())
    async with db.transaction() as session:
        await set_intake_channel(session, team_id, "C_BENCH_INTAKE")
        session.add(WorkspaceMember(team_id=team_id, user_id=ME, role=Role.APPROVER))
        session.add(WorkspaceMember(team_id=team_id, user_id=OTHER, role=Role.APPROVER))
        session.add(WorkspaceMember(team_id=team_id, user_id=ME, role=Role.TRIAGER))
        session.add(WorkspaceMember(team_id=team_id, user_id=OTHER, role=Role.TRIAGER))
        owners = [ME] * mine + [ME] * (mine // 10) + [OTHER] * (2 * followed)
        requests = [
            _request(team_id, n, owner, now, closed=mine <= n < mine + mine // 10)
            for n, owner in enumerate(owners)
        ]
        session.add_all(requests)
        await session.flush()
        others = requests[mine + mine // 10 :]
        session.add_all(
            RequestFollower(request_id=r.id or 0, user_id=ME, team_id=team_id) for r in others[:followed]
        )
        for assigned in others[followed:]:  # the work queues: others' requests assigned to ME
            assigned.assignee_id = ME
        proposals = [_proposal(team_id, n, now) for n in range(votes + votes // 10)]
        own = [_proposal(team_id, n, now, by=ME) for n in range(len(proposals), len(proposals) + votes)]
        session.add_all([*proposals, *own])
        await session.flush()
        session.add_all(
            ProposalVote(
                proposal_id=p.id or 0, team_id=team_id, approver_id=ME, revision=1, choice="approve", at=now
            )
            for p in proposals[votes:]
        )
        # Half of ME's own proposals have OTHER's vote.
        session.add_all(_vote(team_id, p, OTHER) for p in own[::2])


def _vote(team_id: str, proposal: Proposal, approver_id: str) -> ProposalVote:
    return ProposalVote(
        proposal_id=proposal.id or 0, team_id=team_id, approver_id=approver_id, revision=1, choice=APPROVE
    )


def _request(team_id: str, n: int, owner: str, now: datetime, *, closed: bool) -> Request:
    statuses = CLOSED if closed else [str(status) for status in OPEN_STATUSES]
    return Request(
        team_id=team_id,
        number=n + 1,
        title=f"Request {n + 1}: make the <export> & import faster for everyone",
        status=statuses[n % len(statuses)],
        requester_id=owner,
        filed_by_id=owner,
        created_at=now - timedelta(minutes=n),
        updated_at=now - timedelta(minutes=n),
    )


def _proposal(team_id: str, n: int, now: datetime, *, by: str = OTHER) -> Proposal:
    return Proposal(
        team_id=team_id,
        number=n + 1,
        kind="add",
        proposer_id=by,
        rationale="Customers keep asking",
        changes={"title": f"Item {n + 1}", "horizon": "next"},
        created_at=now,
        submitted_at=now,
        expires_at=now + timedelta(days=7, minutes=n),
    )


async def seed_launches(db: Database, team_id: str, checklist: int, launches: int, today: date) -> None:
    """`launches` planned launches within the next 30 days, and as many again that the home must
    skip (cancelled, launched, months away); `checklist` open items of ME's due within a week spread
    over them, beside as many done, later or someone else's items."""
    async with db.transaction() as session:
        rows = [_launch(team_id, n, today, skipped=n >= launches) for n in range(2 * launches)]
        session.add_all(rows)
        await session.flush()
        listed = rows[: max(launches, 1)]
        items = [_item(team_id, listed[n % len(listed)], n, today, ME, mine=True) for n in range(checklist)]
        items += [
            _item(team_id, listed[n % len(listed)], n, today, OTHER, mine=False) for n in range(checklist)
        ]
        session.add_all(items)


def _launch(team_id: str, n: int, today: date, *, skipped: bool) -> Launch:
    status = (
        [LaunchStatus.CANCELLED, LaunchStatus.LAUNCHED, LaunchStatus.PLANNED][n % 3] if skipped else "planned"
    )
    days = 200 if skipped and status == LaunchStatus.PLANNED else n % 30
    return Launch(
        team_id=team_id,
        number=n + 1,
        name=f"Launch {n + 1}: the <new> search & filters",
        launch_date=today + timedelta(days=days),
        channel_id="C_BENCH_LAUNCHES",
        owner_id=OTHER,
        template_name="Standard",
        status=status,
        created_by=OTHER,
    )


def _item(team_id: str, launch: Launch, n: int, today: date, owner: str, *, mine: bool) -> LaunchItem:
    # ME's items are due from 3 days ago to 7 days ahead; the noise is done, due later, or OTHER's.
    due = today + timedelta(days=n % 11 - 3 if mine else 8 + n % 20)
    return LaunchItem(
        team_id=team_id,
        launch_id=launch.id or 0,
        position=n,
        phase="Prepare",
        title=f"Item {n + 1}: brief <support> & sales",
        due_date=due,
        owner_id=owner if mine or n % 2 else ME,
        done=not mine and n % 4 == 0,
    )
