"""What every change to a proposal shares — found and locked, audited, its cards re-rendered, its
proposer told — and closing it: approved, rejected, withdrawn or expired."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.errors import NotFound
from bot.services import outbox_kinds
from bot.services.home.refresh import refresh_approver_homes, refresh_homes
from storage import audit, outbox
from storage import roadmap as queries
from storage.models import Proposal, ProposalStatus

DECIDED = {ProposalStatus.APPROVED, ProposalStatus.REJECTED, ProposalStatus.WITHDRAWN, ProposalStatus.EXPIRED}
SCHEDULE = "pmbot"  # the actor the audit log names when a proposal expires


async def require_proposal(session: AsyncSession, team_id: str, number: int) -> Proposal:
    """CHG-`number`, row-locked, or NotFound."""
    proposal = await queries.get_proposal(session, team_id, number, for_update=True)
    if proposal is None:
        raise NotFound(f"There is no CHG-{number} in this workspace.")
    return proposal


async def decide(
    session: AsyncSession,
    clock: Clock,
    proposal: Proposal,
    status: ProposalStatus,
    actor_id: str,
    note: str | None,
) -> None:
    """Close a proposal: record it, re-render its cards, tell its proposer, announce an approval."""
    now = clock.now()
    proposal.status, proposal.decided_at = status, now
    proposal.decided_by_id, proposal.decision_note = actor_id, note
    await record(session, proposal, actor_id, str(status), note=note)
    await sync_cards(session, proposal, now)
    if status != ProposalStatus.WITHDRAWN:
        await notify(session, proposal, outbox_kinds.PROPOSAL_OUTCOME, now, user_id=proposal.proposer_id)
    if status == ProposalStatus.APPROVED:
        await notify(session, proposal, outbox_kinds.ROADMAP_ANNOUNCEMENT, now)


async def expire(session: AsyncSession, clock: Clock, proposal: Proposal) -> None:
    """Close a proposal whose time ran out before its quorum."""
    await decide(session, clock, proposal, ProposalStatus.EXPIRED, SCHEDULE, "No quorum before expiry.")


async def record(
    session: AsyncSession,
    proposal: Proposal,
    actor_id: str,
    action: str,
    *,
    after: dict[str, Any] | None = None,
    note: str | None = None,
) -> None:
    """The proposal's audit entry for what `actor_id` did."""
    await audit.record_change(
        session,
        team_id=proposal.team_id,
        actor_id=actor_id,
        entity="proposal",
        entity_id=proposal.id or 0,
        action=action,
        after=after,
        note=note,
    )


async def sync_cards(session: AsyncSession, proposal: Proposal, now: datetime) -> None:
    """Re-render the proposal's cards (one pending sync per proposal) and the approvers' homes."""
    await outbox.enqueue(
        session,
        team_id=proposal.team_id,
        kind=outbox_kinds.SYNC_PROPOSAL,
        payload={"proposal_id": proposal.id},
        now=now,
        dedupe_key=f"proposal:{proposal.id}",
    )
    # Whatever changed the card changed what waits for the approvers' votes, and whose vote the
    # proposer's "Your proposals" waits for.
    await refresh_approver_homes(session, team_id=proposal.team_id, now=now)
    await refresh_homes(session, team_id=proposal.team_id, user_ids=[proposal.proposer_id], now=now)


async def notify(session: AsyncSession, proposal: Proposal, kind: str, now: datetime, **extra: Any) -> None:
    """Queue a message about the proposal (an outcome, a reminder, an announcement)."""
    payload = {"proposal_id": proposal.id, "status": str(proposal.status), **extra}
    await outbox.enqueue(session, team_id=proposal.team_id, kind=kind, payload=payload, now=now)
