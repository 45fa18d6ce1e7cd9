"""Queries behind the Home tab's work queues: waiting for triage, assigned to you, your proposals.

Like every Home list (storage/home.py), each returns its first rows and the list's total in one
statement; "Your proposals" adds one statement for the votes of the proposals shown, so a home
costs the same number of statements for ten rows as for ten thousand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.home import Counted
from storage.models import Proposal, ProposalStatus, ProposalVote, Request, RequestStatus, RoadmapItem


@dataclass(frozen=True)
class OwnProposal:
    """An open proposal of the viewer's, with its item (if any yet) and who voted on this revision."""

    proposal: Proposal
    item: RoadmapItem | None
    voter_ids: list[str]


async def list_waiting_for_triage(
    session: AsyncSession, team_id: str, *, offset: int = 0, limit: int
) -> Counted[Request]:
    """New requests nobody has triaged yet, oldest first (the longest wait at the top)."""
    query = (
        select(Request, _total())
        .where(Request.team_id == team_id, Request.status == RequestStatus.NEW)
        .order_by(Request.created_at, Request.number)
        .offset(offset)
        .limit(limit)
    )
    rows = (await session.execute(query)).all()
    return Counted([request for request, _ in rows], _first_total(rows))


async def list_assigned(
    session: AsyncSession,
    team_id: str,
    user_id: str,
    statuses: Sequence[RequestStatus],
    *,
    offset: int = 0,
    limit: int,
) -> Counted[Request]:
    """Open requests assigned to the person, most recently changed first."""
    query = (
        select(Request, _total())
        .where(Request.team_id == team_id, Request.assignee_id == user_id, Request.status.in_(statuses))
        .order_by(Request.updated_at.desc(), Request.number.desc())
        .offset(offset)
        .limit(limit)
    )
    rows = (await session.execute(query)).all()
    return Counted([request for request, _ in rows], _first_total(rows))


async def list_own_proposals(
    session: AsyncSession, team_id: str, user_id: str, *, offset: int = 0, limit: int
) -> Counted[OwnProposal]:
    """The person's pending proposals, soonest to expire first, each with its current revision's
    voters: two statements whatever the sizes."""
    query = (
        select(Proposal, RoadmapItem, _total())
        .outerjoin(RoadmapItem, and_(RoadmapItem.id == Proposal.item_id, RoadmapItem.team_id == team_id))
        .where(
            Proposal.team_id == team_id,
            Proposal.proposer_id == user_id,
            Proposal.status == ProposalStatus.PENDING,
        )
        .order_by(Proposal.expires_at, Proposal.number)
        .offset(offset)
        .limit(limit)
    )
    rows = (await session.execute(query)).all()
    voters = await _voters(session, team_id, [proposal for proposal, _, _ in rows])
    own = [OwnProposal(proposal, item, voters.get(proposal.id or 0, [])) for proposal, item, _ in rows]
    return Counted(own, _first_total(rows))


async def _voters(session: AsyncSession, team_id: str, proposals: list[Proposal]) -> dict[int, list[str]]:
    revision = {proposal.id: proposal.revision for proposal in proposals}
    query = select(ProposalVote.proposal_id, ProposalVote.approver_id, ProposalVote.revision).where(
        ProposalVote.team_id == team_id, ProposalVote.proposal_id.in_(list(revision))
    )
    voters: dict[int, list[str]] = {}
    for proposal_id, approver_id, voted_revision in (await session.execute(query)).all():
        if revision.get(proposal_id) == voted_revision:
            voters.setdefault(proposal_id, []).append(approver_id)
    return voters


def _total() -> object:
    return func.count().over().label("total")


def _first_total(rows: Sequence[object]) -> int:
    return int(rows[0][-1]) if rows else 0  # type: ignore[index]
