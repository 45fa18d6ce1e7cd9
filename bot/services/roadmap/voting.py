"""Voting on a proposal: one vote per approver, never the proposer's; a rejection or a request for
changes decides at once, and the approval that reaches the quorum applies the change, once."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.errors import InvalidInput, NotAllowed
from bot.services import outbox_kinds
from bot.services.roadmap.apply import apply_proposal
from bot.services.roadmap.decisions import decide, expire, notify, record, require_proposal, sync_cards
from bot.text import plural
from storage import roadmap as queries
from storage.models import Proposal, ProposalStatus, VoteChoice


@dataclass(frozen=True)
class VoteResult:
    """What a click did, in words for the person who clicked."""

    proposal_ref: str
    status: ProposalStatus
    counted: bool
    applied: bool
    message: str


def check_vote(choice: VoteChoice, comment: str | None) -> None:
    """Anything but an approval needs a comment for the proposer."""
    if choice != VoteChoice.APPROVE and not (comment or "").strip():
        raise InvalidInput({"comment": "Say why, so the proposer knows what to change."})


async def cast(
    session: AsyncSession,
    clock: Clock,
    *,
    team_id: str,
    approver_id: str,
    number: int,
    choice: VoteChoice,
    comment: str | None,
) -> VoteResult:
    """Count an approver's vote on CHG-`number` (expiring it first if its time ran out)."""
    proposal = await require_proposal(session, team_id, number)
    now = clock.now()
    if proposal.status == ProposalStatus.PENDING and proposal.expires_at <= now:
        await expire(session, clock, proposal)
    if proposal.status != ProposalStatus.PENDING:
        return final_state(proposal)
    if proposal.proposer_id == approver_id:
        raise NotAllowed("You proposed this change, so your vote does not count; another approver decides.")
    if not await queries.add_vote(session, proposal, approver_id, choice, comment, now):
        return VoteResult(proposal.ref, proposal.status, False, False, already_voted(proposal))
    await record(session, proposal, approver_id, f"voted_{choice}", note=comment)
    if choice == VoteChoice.REJECT:
        await decide(session, clock, proposal, ProposalStatus.REJECTED, approver_id, comment)
        return VoteResult(proposal.ref, proposal.status, True, False, f"You rejected {proposal.ref}.")
    if choice == VoteChoice.REQUEST_CHANGES:
        return await _ask_for_changes(session, clock, proposal, approver_id, comment)
    return await _approve(session, clock, proposal, approver_id, comment)


async def _ask_for_changes(
    session: AsyncSession, clock: Clock, proposal: Proposal, approver_id: str, comment: str | None
) -> VoteResult:
    now = clock.now()
    proposal.status = ProposalStatus.CHANGES_REQUESTED
    proposal.decision_note, proposal.decided_by_id = comment, approver_id
    await notify(session, proposal, outbox_kinds.PROPOSAL_OUTCOME, now, user_id=proposal.proposer_id)
    await sync_cards(session, proposal, now)
    return VoteResult(proposal.ref, proposal.status, True, False, f"You asked for changes to {proposal.ref}.")


async def _approve(
    session: AsyncSession, clock: Clock, proposal: Proposal, approver_id: str, comment: str | None
) -> VoteResult:
    now = clock.now()
    approvals = [v for v in await queries.list_votes(session, proposal) if v.choice == VoteChoice.APPROVE]
    if len(approvals) < proposal.required_approvals:
        await sync_cards(session, proposal, now)
        left = proposal.required_approvals - len(approvals)
        return VoteResult(
            proposal.ref, proposal.status, True, False, f"Approved; {plural(left, 'more approval')} needed."
        )
    await apply_proposal(session, proposal, approver_id, now)
    await decide(session, clock, proposal, ProposalStatus.APPROVED, approver_id, comment)
    return VoteResult(
        proposal.ref, proposal.status, True, True, f"Approved: {proposal.ref} is on the roadmap now."
    )


def final_state(proposal: Proposal) -> VoteResult:
    """What a click is told when the proposal is past the move it offered (decided, sent back for
    changes, or already resubmitted)."""
    words = {
        ProposalStatus.APPROVED: "was approved and applied",
        ProposalStatus.REJECTED: "was rejected",
        ProposalStatus.WITHDRAWN: "was withdrawn",
        ProposalStatus.EXPIRED: "expired",
        ProposalStatus.CHANGES_REQUESTED: "waits for its proposer's changes",
        # Only a move that waits for changes (resubmit) is refused while pending: it was resubmitted.
        ProposalStatus.PENDING: "was resubmitted and waits for approvers' votes",
    }
    message = (
        f"{proposal.ref} {words.get(ProposalStatus(proposal.status), proposal.status)}; nothing changed."
    )
    return VoteResult(proposal.ref, proposal.status, False, False, message)


def already_voted(proposal: Proposal) -> str:
    """What a second vote on the same revision is told (said before a reason form opens, too)."""
    return f"You already voted on {proposal.ref}."
