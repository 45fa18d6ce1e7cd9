"""Proposing a roadmap change, resubmitting it after "request changes", and withdrawing it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.errors import InvalidInput, NotAllowed, NotFound, PmbotError
from bot.services import outbox_kinds
from bot.services.roadmap.decisions import DECIDED, decide, notify, record, require_proposal, sync_cards
from bot.services.roadmap.proposals import ITEM, LINKED, RATIONALE, ProposalDraft, draft_from
from bot.services.roadmap.quorum import check_reachable
from storage import requests as request_queries
from storage import roadmap as queries
from storage.models import ChangeKind, ItemStatus, Proposal, ProposalStatus, RoadmapItem
from storage.workspaces import allocate_number


async def propose(
    session: AsyncSession,
    team_id: str,
    proposer_id: str,
    draft: ProposalDraft,
    now: datetime,
    voters: list[str],
) -> Proposal:
    """Store a checked draft as a pending proposal and queue its cards; refused when `voters` (the
    named approvers) cannot reach the quorum without the proposer."""
    policy = await queries.get_policy(session, team_id)
    check_reachable(voters, proposer_id, max(policy.required_approvals, 1), field=RATIONALE)
    item = await _item_for(session, team_id, draft)
    request_ids = await _request_ids(session, team_id, draft.linked_request_numbers)
    proposal = Proposal(
        team_id=team_id,
        number=await allocate_number(session, team_id, "proposal"),
        kind=draft.kind,
        item_id=item.id if item else None,
        proposer_id=proposer_id,
        rationale=draft.rationale,
        changes=draft.changes(),
        linked_request_ids=request_ids,
        required_approvals=max(policy.required_approvals, 1),
        created_at=now,
        submitted_at=now,
        expires_at=now + timedelta(days=policy.expiry_days),
    )
    session.add(proposal)
    await session.flush()
    await record(session, proposal, proposer_id, "proposed", after=proposal.changes, note=draft.rationale)
    await sync_cards(session, proposal, now)
    return proposal


async def resubmit(
    session: AsyncSession,
    team_id: str,
    proposer_id: str,
    number: int,
    draft: ProposalDraft,
    now: datetime,
    voters: list[str],
    approvers: list[str],
) -> Proposal:
    """The proposer's checked edit: a new revision, pending again, its votes starting over; each of
    `approvers` (those sent cards) but the proposer is told once, since every vote is needed again."""
    proposal = await require_proposal(session, team_id, number)
    if proposal.proposer_id != proposer_id:
        raise NotAllowed("Only the proposer can change a proposal.")
    if proposal.status in DECIDED:
        raise PmbotError(f"{proposal.ref} is already {proposal.status}; propose the change again.")
    policy = await queries.get_policy(session, team_id)
    check_reachable(voters, proposer_id, max(policy.required_approvals, 1), field=RATIONALE)
    item = await _item_for(session, team_id, draft)
    proposal.kind, proposal.item_id = draft.kind, item.id if item else None
    proposal.changes, proposal.rationale = draft.changes(), draft.rationale
    proposal.linked_request_ids = await _request_ids(session, team_id, draft.linked_request_numbers)
    proposal.revision += 1
    proposal.status = ProposalStatus.PENDING
    proposal.submitted_at, proposal.reminded_at = now, None
    proposal.expires_at = now + timedelta(days=policy.expiry_days)
    await record(session, proposal, proposer_id, "resubmitted", after=proposal.changes, note=draft.rationale)
    await sync_cards(session, proposal, now)
    # The comment answered travels with the notice: a later request for changes replaces it.
    answered = {"asked_by_id": proposal.decided_by_id, "comment": proposal.decision_note}
    for approver in dict.fromkeys(approvers):
        if approver != proposer_id:
            await notify(
                session, proposal, outbox_kinds.PROPOSAL_RESUBMITTED, now, user_id=approver, **answered
            )
    return proposal


async def withdraw(session: AsyncSession, clock: Clock, team_id: str, actor_id: str, number: int) -> Proposal:
    """The proposer takes back a proposal not decided yet."""
    proposal = await require_proposal(session, team_id, number)
    if proposal.proposer_id != actor_id:
        raise NotAllowed("Only the proposer can withdraw a proposal.")
    if proposal.status in DECIDED:
        raise PmbotError(f"{proposal.ref} is already {proposal.status}.")
    await decide(session, clock, proposal, ProposalStatus.WITHDRAWN, actor_id, None)
    return proposal


@dataclass(frozen=True)
class Resubmission:
    """What the "Resubmit change" form starts from: the draft, and the request for changes it answers."""

    draft: ProposalDraft
    asked_by_id: str | None
    comment: str | None


async def draft_of(session: AsyncSession, team_id: str, proposer_id: str, number: int) -> Resubmission:
    """CHG-`number` as a draft, for its proposer (only) to edit and resubmit."""
    proposal = await queries.get_proposal(session, team_id, number)
    if proposal is None:
        raise NotFound(f"There is no CHG-{number} in this workspace.")
    if proposal.proposer_id != proposer_id:
        raise NotAllowed("Only the proposer can change a proposal.")
    item = await queries.get_item_by_id(session, team_id, proposal.item_id) if proposal.item_id else None
    requests = await queries.requests_by_ids(session, team_id, proposal.linked_request_ids)
    draft = draft_from(proposal, item, [request.number for request in requests])
    if proposal.status != ProposalStatus.CHANGES_REQUESTED:
        return Resubmission(draft, None, None)
    return Resubmission(draft, proposal.decided_by_id, proposal.decision_note)


async def _item_for(session: AsyncSession, team_id: str, draft: ProposalDraft) -> RoadmapItem | None:
    if draft.kind == ChangeKind.ADD:
        return None
    item = await queries.get_item(session, team_id, draft.item_number or 0)
    if item is None:
        raise InvalidInput({ITEM: f"There is no RM-{draft.item_number}."})
    if item.status == ItemStatus.DROPPED:
        raise InvalidInput({ITEM: f"{item.ref} was dropped; propose adding it again instead."})
    return item


async def _request_ids(session: AsyncSession, team_id: str, numbers: list[int]) -> list[int]:
    ids = []
    for number in dict.fromkeys(numbers):
        request = await request_queries.get_request(session, team_id, number)
        if request is None:
            raise InvalidInput({LINKED: f"There is no REQ-{number}."})
        ids.append(request.id or 0)
    return ids
