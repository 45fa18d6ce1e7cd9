"""The roadmap's sweep over one pending proposal: expire it when its time ran out, or remind the
approvers who have not voted, once, after the policy's delay."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.services import outbox_kinds
from bot.services.roadmap.decisions import expire, notify
from storage import roadmap as queries
from storage.models import Proposal, ProposalStatus


async def sweep_one(
    session: AsyncSession, clock: Clock, candidate: Proposal, now: datetime, approvers: list[str]
) -> int:
    """Expire or remind about `candidate` if it is still pending; 1 if it did either, else 0."""
    proposal = await queries.get_proposal(session, candidate.team_id, candidate.number, for_update=True)
    if proposal is None or proposal.status != ProposalStatus.PENDING:
        return 0
    if proposal.expires_at <= now:
        await expire(session, clock, proposal)
        return 1
    policy = await queries.get_policy(session, proposal.team_id)
    if proposal.reminded_at is not None or now < proposal.submitted_at + timedelta(
        days=policy.reminder_after_days
    ):
        return 0
    voted = {vote.approver_id for vote in await queries.list_votes(session, proposal)}
    for approver in approvers:
        if approver not in voted and approver != proposal.proposer_id:
            await notify(session, proposal, outbox_kinds.APPROVAL_REMINDER, now, user_id=approver)
    proposal.reminded_at = now
    return 1
