"""Seed one workspace for the Home tab benchmark: one person's requests, follows and pending votes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.services.requests import OPEN_STATUSES
from storage.db import Database
from storage.models import Proposal, ProposalVote, Request, RequestFollower, Role, WorkspaceMember
from storage.workspaces import set_intake_channel

ME, OTHER = "U_BENCH_ME", "U_BENCH_OTHER"
OPEN = ", ".join(f"'{status}'" for status in OPEN_STATUSES)  # constants, for the bare SQL baseline
CLOSED = ["done", "declined", "duplicate"]


async def seed_team(db: Database, team_id: str, mine: int, followed: int, votes: int) -> None:
    """`mine` open requests of ME's (and a tenth as many closed), `followed` requests of others that
    ME follows, as many of others' that ME does not, and `votes` pending proposals by someone else
    awaiting ME's vote (plus a tenth as many ME already voted on)."""
    now = datetime.now(UTC)
    async with db.transaction() as session:
        await set_intake_channel(session, team_id, "C_BENCH_INTAKE")
        session.add(WorkspaceMember(team_id=team_id, user_id=ME, role=Role.APPROVER))
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
        proposals = [_proposal(team_id, n, now) for n in range(votes + votes // 10)]
        session.add_all(proposals)
        await session.flush()
        session.add_all(
            ProposalVote(
                proposal_id=p.id or 0, team_id=team_id, approver_id=ME, revision=1, choice="approve", at=now
            )
            for p in proposals[votes:]
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


def _proposal(team_id: str, n: int, now: datetime) -> Proposal:
    return Proposal(
        team_id=team_id,
        number=n + 1,
        kind="add",
        proposer_id=OTHER,
        rationale="Customers keep asking",
        changes={"title": f"Item {n + 1}", "horizon": "next"},
        created_at=now,
        submitted_at=now,
        expires_at=now + timedelta(days=7, minutes=n),
    )
