"""Queries behind a weekly digest: one statement per list, each with its limit and its total.

Every list returns its first rows and, through window aggregates (`count(*) OVER ()`), how many
rows match in all, so a digest costs the same statements for a thousand requests as for a hundred
thousand. Every query names its workspace, and its filters follow the tables' indexes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, and_, case, cast, func, null, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.home import Counted
from storage.models import (
    ApprovalPolicy,
    AuditEntry,
    Impact,
    Proposal,
    ProposalMessage,
    ProposalStatus,
    ProposalVote,
    Request,
    RequestStatus,
    RequestUpvote,
    RoadmapItem,
    Role,
    WorkspaceMember,
)

__all__ = [
    "TRIAGE_ACTIONS",
    "Counted",
    "ProposalRow",
    "RequestRow",
    "TriageRow",
]

# What the audit log calls each triage decision (bot/services/requests/service.py), in the digest's order.
TRIAGE_ACTIONS = ("accepted", "declined", "asked_for_info", "marked_duplicate")
OPEN_PROPOSALS = (ProposalStatus.PENDING, ProposalStatus.CHANGES_REQUESTED)
ALL_REQUEST_STATUSES = tuple(RequestStatus)
IMPACT_RANK = {Impact.CRITICAL: 4, Impact.HIGH: 3, Impact.MEDIUM: 2, Impact.LOW: 1}


@dataclass(frozen=True)
class RequestRow:
    """A request as a digest line shows it; `channel_id`/`ts` are its card's."""

    number: int
    title: str
    impact: str
    status: str
    upvotes: int
    created_at: datetime
    channel_id: str | None
    ts: str | None


@dataclass(frozen=True)
class TriageRow:
    """One triage decision from the audit log, with the request it was about."""

    number: int
    title: str
    action: str
    actor_id: str
    at: datetime
    channel_id: str | None
    ts: str | None


@dataclass(frozen=True)
class ProposalRow:
    """A roadmap change; `channel_id`/`ts` are its card in a channel (never a DM), if any."""

    id: int
    number: int
    kind: str
    title: str
    item_number: int | None
    status: str
    proposer_id: str
    revision: int
    required_approvals: int
    submitted_at: datetime
    decided_at: datetime | None
    decided_by_id: str | None
    channel_id: str | None
    ts: str | None


async def list_new_requests(
    session: AsyncSession, *, team_id: str, since: datetime, until: datetime, offset: int = 0, limit: int
) -> Counted[RequestRow]:
    """Requests filed in the window, highest impact first, then most +1s."""
    upvotes = _upvotes()
    query = (
        _request_columns(upvotes)
        .where(
            Request.team_id == team_id,
            # Every status, named: lets the (team, status, created) index serve the date range.
            Request.status.in_(ALL_REQUEST_STATUSES),
            Request.created_at >= since,
            Request.created_at < until,
        )
        .order_by(_impact_rank().desc(), upvotes.desc(), Request.number.desc())
    )
    return await _requests(session, query, offset, limit)


async def list_untriaged(
    session: AsyncSession, *, team_id: str, filed_before: datetime, offset: int = 0, limit: int
) -> Counted[RequestRow]:
    """Requests still new that were filed before `filed_before`, oldest first."""
    query = (
        _request_columns(_upvotes())
        .where(
            Request.team_id == team_id,
            Request.status == RequestStatus.NEW,
            Request.created_at < filed_before,
        )
        .order_by(Request.created_at, Request.number)
    )
    return await _requests(session, query, offset, limit)


async def list_triage_decisions(
    session: AsyncSession, *, team_id: str, since: datetime, until: datetime, offset: int = 0, limit: int
) -> tuple[Counted[TriageRow], dict[str, int]]:
    """Triage decisions taken in the window, newest first, and how many of each kind."""
    per_action = [
        func.sum(case((AuditEntry.action == action, 1), else_=0)).over().label(action)
        for action in TRIAGE_ACTIONS
    ]
    query = (
        select(
            Request.number,
            Request.title,
            AuditEntry.action,
            AuditEntry.actor_id,
            AuditEntry.at,
            Request.card_channel_id,
            Request.card_ts,
            *per_action,
            total_column(),
        )
        .join(Request, and_(Request.id == AuditEntry.entity_id, Request.team_id == team_id))
        .where(
            AuditEntry.team_id == team_id,
            AuditEntry.entity == "request",
            AuditEntry.action.in_(TRIAGE_ACTIONS),
            AuditEntry.at >= since,
            AuditEntry.at < until,
        )
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .offset(offset)
        .limit(limit)
    )
    rows = (await session.execute(query)).all()
    counts = {action: int(rows[0][7 + n] or 0) if rows else 0 for n, action in enumerate(TRIAGE_ACTIONS)}
    return Counted([TriageRow(*row[:7]) for row in rows], first_total(rows)), counts


async def list_decided_proposals(
    session: AsyncSession,
    *,
    team_id: str,
    status: ProposalStatus,
    since: datetime,
    until: datetime,
    offset: int = 0,
    limit: int,
) -> Counted[ProposalRow]:
    """Proposals approved (or rejected) in the window, most recent decision first."""
    query = _proposal_columns(team_id).where(
        Proposal.team_id == team_id,
        Proposal.status == status,
        # A vote after expiry expires the proposal instead, so anything decided in the window
        # expires after its start: a redundant bound that lets the (team, status, expires) index serve.
        Proposal.expires_at > since,
        Proposal.decided_at >= since,
        Proposal.decided_at < until,
    )
    query = query.order_by(Proposal.decided_at.desc(), Proposal.number.desc())
    return await _proposals(session, query, offset, limit)


async def list_open_proposals(
    session: AsyncSession, *, team_id: str, submitted_before: datetime, offset: int = 0, limit: int
) -> Counted[ProposalRow]:
    """Proposals still waiting (for votes, or for the proposer's changes), oldest first."""
    query = _proposal_columns(team_id).where(
        Proposal.team_id == team_id,
        Proposal.status.in_(OPEN_PROPOSALS),
        Proposal.submitted_at < submitted_before,
    )
    query = query.order_by(Proposal.submitted_at, Proposal.number)
    return await _proposals(session, query, offset, limit)


async def list_current_votes(
    session: AsyncSession, *, team_id: str, proposal_ids: Sequence[int]
) -> list[tuple[int, str, str]]:
    """(proposal id, approver, choice) of the current revision of each proposal."""
    query = (
        select(ProposalVote.proposal_id, ProposalVote.approver_id, ProposalVote.choice)
        .join(Proposal, Proposal.id == ProposalVote.proposal_id)
        .where(
            ProposalVote.team_id == team_id,
            ProposalVote.proposal_id.in_(list(proposal_ids)),
            ProposalVote.revision == Proposal.revision,
        )
        .order_by(ProposalVote.proposal_id, ProposalVote.at)
    )
    return [(int(pid), approver, choice) for pid, approver, choice in (await session.execute(query)).all()]


async def get_approvers(session: AsyncSession, *, team_id: str) -> tuple[list[str], str | None]:
    """The approvers pmbot names, and the approvers' Slack user group (if any), in one statement."""
    group = (
        select(ApprovalPolicy.approver_group_id).where(ApprovalPolicy.team_id == team_id).scalar_subquery()
    )
    query = (
        select(cast(null(), String).label("user_id"), group.label("group_id"))
        .union_all(
            select(WorkspaceMember.user_id, cast(null(), String)).where(
                WorkspaceMember.team_id == team_id, WorkspaceMember.role == Role.APPROVER
            )
        )
        .order_by("user_id")
    )
    rows = (await session.execute(query)).all()
    group_id = next((row[1] for row in rows if row[1]), None)
    return [row[0] for row in rows if row[0]], group_id


def _upvotes() -> Any:
    return (
        select(func.count())
        .select_from(RequestUpvote)
        .where(RequestUpvote.request_id == Request.id)
        .correlate(Request)
        .scalar_subquery()
    )


def _impact_rank() -> Any:
    return case(*((Request.impact == impact, rank) for impact, rank in IMPACT_RANK.items()), else_=0)


def _request_columns(upvotes: Any) -> Any:
    return select(
        Request.number,
        Request.title,
        Request.impact,
        Request.status,
        upvotes,
        Request.created_at,
        Request.card_channel_id,
        Request.card_ts,
        total_column(),
    )


async def _requests(session: AsyncSession, query: Any, offset: int, limit: int) -> Counted[RequestRow]:
    rows = (await session.execute(query.offset(offset).limit(limit))).all()
    return Counted([RequestRow(*row[:8]) for row in rows], first_total(rows))


def _channel_card(column: Any) -> Any:
    # The card in a channel (target == channel); DMs to approvers are no use to a channel's readers.
    return (
        select(column)
        .where(
            ProposalMessage.proposal_id == Proposal.id,
            ProposalMessage.team_id == Proposal.team_id,
            ProposalMessage.target == ProposalMessage.channel_id,
        )
        .order_by(ProposalMessage.target)
        .limit(1)
        .correlate(Proposal)
        .scalar_subquery()
    )


def _proposal_columns(team_id: str) -> Any:
    return select(
        Proposal.id,
        Proposal.number,
        Proposal.kind,
        Proposal.changes,
        RoadmapItem.title,
        RoadmapItem.number,
        Proposal.status,
        Proposal.proposer_id,
        Proposal.revision,
        Proposal.required_approvals,
        Proposal.submitted_at,
        Proposal.decided_at,
        Proposal.decided_by_id,
        _channel_card(ProposalMessage.channel_id),
        _channel_card(ProposalMessage.ts),
        total_column(),
    ).outerjoin(RoadmapItem, and_(RoadmapItem.id == Proposal.item_id, RoadmapItem.team_id == team_id))


async def _proposals(session: AsyncSession, query: Any, offset: int, limit: int) -> Counted[ProposalRow]:
    rows = (await session.execute(query.offset(offset).limit(limit))).all()
    found = [
        ProposalRow(
            id=int(row[0]),
            number=row[1],
            kind=row[2],
            title=row[4] or (row[3] or {}).get("title") or "a new item",
            item_number=row[5],
            status=row[6],
            proposer_id=row[7],
            revision=row[8],
            required_approvals=row[9],
            submitted_at=row[10],
            decided_at=row[11],
            decided_by_id=row[12],
            channel_id=row[13],
            ts=row[14],
        )
        for row in rows
    ]
    return Counted(found, first_total(rows))


def total_column() -> Any:
    """`count(*) OVER ()`: how many rows the whole list has, on every row."""
    return func.count().over().label("total")


def first_total(rows: Sequence[Any]) -> int:
    """The total a list query carried on its rows (0 past its end)."""
    # Past the end of the list no row comes back to carry the total; the pages before said it.
    return int(rows[0][-1]) if rows else 0
