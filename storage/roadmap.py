"""Queries over the roadmap, proposals, votes and the approval policy. Every query names its team."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    ApprovalPolicy,
    Horizon,
    Proposal,
    ProposalMessage,
    ProposalStatus,
    ProposalVote,
    Request,
    RequestUpvote,
    RoadmapItem,
    RoadmapItemRequest,
    VoteChoice,
)
from storage.upsert import insert_for

HORIZON_ORDER = {Horizon.NOW: 0, Horizon.NEXT: 1, Horizon.LATER: 2}


async def get_item(session: AsyncSession, team_id: str, number: int) -> RoadmapItem | None:
    """The roadmap item RM-`number`."""
    query = select(RoadmapItem).where(RoadmapItem.team_id == team_id, RoadmapItem.number == number)
    return (await session.execute(query)).scalar_one_or_none()


async def get_item_by_id(session: AsyncSession, team_id: str, item_id: int) -> RoadmapItem | None:
    """A roadmap item by row id, within the workspace."""
    query = select(RoadmapItem).where(RoadmapItem.team_id == team_id, RoadmapItem.id == item_id)
    return (await session.execute(query)).scalar_one_or_none()


async def list_items(session: AsyncSession, team_id: str) -> list[RoadmapItem]:
    """Every item, by horizon then position."""
    query = select(RoadmapItem).where(RoadmapItem.team_id == team_id).order_by(RoadmapItem.position)
    items = list((await session.execute(query)).scalars())
    return sorted(items, key=lambda item: (HORIZON_ORDER[Horizon(item.horizon)], item.position))


async def search_items(session: AsyncSession, team_id: str, typed: str, *, limit: int) -> list[RoadmapItem]:
    """Items whose number or title matches what someone typed."""
    query = select(RoadmapItem).where(RoadmapItem.team_id == team_id)
    typed = typed.strip()
    number = typed.upper().removeprefix("RM-").removeprefix("RM")
    if number.isdigit():
        query = query.where(RoadmapItem.number == int(number))
    elif typed:
        query = query.where(func.lower(RoadmapItem.title).contains(typed.lower(), autoescape=True))
    return list((await session.execute(query.order_by(RoadmapItem.number.desc()).limit(limit))).scalars())


async def next_position(session: AsyncSession, team_id: str, horizon: Horizon) -> int:
    """The position after the last item of a horizon."""
    query = select(func.max(RoadmapItem.position)).where(
        RoadmapItem.team_id == team_id, RoadmapItem.horizon == horizon
    )
    last = (await session.execute(query)).scalar_one_or_none()
    return (last or 0) + 1


async def linked_requests(
    session: AsyncSession, team_id: str, item_ids: list[int]
) -> dict[int, list[Request]]:
    """The requests linked to each item, in one query."""
    if not item_ids:
        return {}
    query = (
        select(RoadmapItemRequest.item_id, Request)
        .join(Request, Request.id == RoadmapItemRequest.request_id)
        .where(RoadmapItemRequest.team_id == team_id, RoadmapItemRequest.item_id.in_(item_ids))
        .order_by(Request.number)
    )
    found: dict[int, list[Request]] = defaultdict(list)
    for item_id, request in (await session.execute(query)).all():
        found[item_id].append(request)
    return dict(found)


async def upvote_counts(session: AsyncSession, team_id: str, request_ids: list[int]) -> dict[int, int]:
    """+1s per request (the demand behind roadmap items), in one query."""
    if not request_ids:
        return {}
    query = (
        select(RequestUpvote.request_id, func.count())
        .where(RequestUpvote.team_id == team_id, RequestUpvote.request_id.in_(request_ids))
        .group_by(RequestUpvote.request_id)
    )
    return {request_id: int(count) for request_id, count in (await session.execute(query)).all()}


async def requests_by_ids(session: AsyncSession, team_id: str, request_ids: list[int]) -> list[Request]:
    """Requests by row id, within the workspace, in number order."""
    if not request_ids:
        return []
    query = (
        select(Request)
        .where(Request.team_id == team_id, Request.id.in_(request_ids))
        .order_by(Request.number)
    )
    return list((await session.execute(query)).scalars())


async def link_requests(session: AsyncSession, item: RoadmapItem, request_ids: list[int]) -> None:
    """Link requests to an item; links already there stay."""
    assert item.id is not None
    for request_id in dict.fromkeys(request_ids):
        statement = insert_for(session, RoadmapItemRequest).values(
            item_id=item.id, request_id=request_id, team_id=item.team_id
        )
        await session.execute(statement.on_conflict_do_nothing())


async def get_policy(session: AsyncSession, team_id: str) -> ApprovalPolicy:
    """The workspace's approval policy (the defaults until an admin sets one)."""
    policy = await session.get(ApprovalPolicy, team_id)
    return policy or ApprovalPolicy(team_id=team_id)


async def save_policy(session: AsyncSession, policy: ApprovalPolicy) -> None:
    """Store the policy, replacing the one before."""
    await session.merge(policy)


async def get_proposal(
    session: AsyncSession, team_id: str, number: int, *, for_update: bool = False
) -> Proposal | None:
    """The proposal CHG-`number`; `for_update` row-locks it on PostgreSQL (SQLite has one writer)."""
    query = select(Proposal).where(Proposal.team_id == team_id, Proposal.number == number)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def get_proposal_by_id(session: AsyncSession, team_id: str, proposal_id: int) -> Proposal | None:
    """A proposal by row id, within the workspace."""
    query = select(Proposal).where(Proposal.team_id == team_id, Proposal.id == proposal_id)
    return (await session.execute(query)).scalar_one_or_none()


async def list_open_proposals(session: AsyncSession, team_id: str) -> list[Proposal]:
    """Proposals still waiting for votes or for their proposer, oldest first."""
    query = (
        select(Proposal)
        .where(
            Proposal.team_id == team_id,
            Proposal.status.in_([ProposalStatus.PENDING, ProposalStatus.CHANGES_REQUESTED]),
        )
        .order_by(Proposal.created_at)
    )
    return list((await session.execute(query)).scalars())


async def list_proposals_due(session: AsyncSession, now: datetime) -> list[Proposal]:
    """Pending proposals, in every workspace, that have expired or may need a reminder."""
    query = select(Proposal).where(
        Proposal.status == ProposalStatus.PENDING,
        or_(Proposal.expires_at <= now, Proposal.reminded_at.is_(None)),
    )
    return list((await session.execute(query)).scalars())


async def add_vote(
    session: AsyncSession,
    proposal: Proposal,
    approver_id: str,
    choice: VoteChoice,
    comment: str | None,
    at: datetime,
) -> bool:
    """Record a vote; False if this approver already voted on this revision (the constraint says so)."""
    assert proposal.id is not None
    statement = insert_for(session, ProposalVote).values(
        proposal_id=proposal.id,
        team_id=proposal.team_id,
        approver_id=approver_id,
        revision=proposal.revision,
        choice=choice,
        comment=comment,
        at=at,
    )
    result = await session.execute(statement.on_conflict_do_nothing())
    return result.rowcount == 1


async def list_votes(session: AsyncSession, proposal: Proposal) -> list[ProposalVote]:
    """The votes on the proposal's current revision, in the order they came."""
    query = (
        select(ProposalVote)
        .where(
            ProposalVote.team_id == proposal.team_id,
            ProposalVote.proposal_id == proposal.id,
            ProposalVote.revision == proposal.revision,
        )
        .order_by(ProposalVote.id)
    )
    return list((await session.execute(query)).scalars())


async def list_votes_for(session: AsyncSession, proposals: list[Proposal]) -> dict[int, list[ProposalVote]]:
    """Current-revision votes of several proposals, in one query."""
    if not proposals:
        return {}
    query = select(ProposalVote).where(ProposalVote.proposal_id.in_([p.id for p in proposals]))
    revisions = {proposal.id: proposal.revision for proposal in proposals}
    found: dict[int, list[ProposalVote]] = defaultdict(list)
    for vote in (await session.execute(query.order_by(ProposalVote.id))).scalars():
        if revisions.get(vote.proposal_id) == vote.revision:
            found[vote.proposal_id].append(vote)
    return dict(found)


async def list_messages(session: AsyncSession, proposal: Proposal) -> list[ProposalMessage]:
    """Where the proposal's cards are."""
    query = select(ProposalMessage).where(
        ProposalMessage.team_id == proposal.team_id, ProposalMessage.proposal_id == proposal.id
    )
    return list((await session.execute(query)).scalars())


async def record_message(
    session: AsyncSession, proposal: Proposal, target: str, channel_id: str, ts: str
) -> None:
    """Remember where the card for `target` (a channel or an approver) was posted."""
    statement = insert_for(session, ProposalMessage).values(
        proposal_id=proposal.id, target=target, team_id=proposal.team_id, channel_id=channel_id, ts=ts
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["proposal_id", "target"], set_={"channel_id": channel_id, "ts": ts}
        )
    )
