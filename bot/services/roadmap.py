"""The roadmap and its approvals: propose, vote, apply exactly once, tell everyone. No Slack here."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.errors import InvalidInput, NotAllowed, NotFound, PmbotError
from bot.services import outbox_kinds
from bot.services.home_refresh import refresh_approver_homes
from bot.services.permissions import Permissions
from bot.services.proposals import (
    ITEM,
    LINKED,
    ProposalDraft,
    check_draft,
    draft_from,
)
from bot.services.roadmap_apply import apply_proposal
from bot.services.roadmap_views import ItemView, ProposalView, item_views, proposal_view
from bot.services.writes import write
from storage import audit, outbox
from storage import requests as request_queries
from storage import roadmap as queries
from storage.db import Database
from storage.launch_roadmap import list_launches_shipping
from storage.models import (
    ApprovalPolicy,
    AuditEntry,
    ChangeKind,
    ItemStatus,
    Proposal,
    ProposalStatus,
    RoadmapItem,
    VoteChoice,
)
from storage.workspaces import allocate_number
from storage.writer import Writer

DECIDED = {ProposalStatus.APPROVED, ProposalStatus.REJECTED, ProposalStatus.WITHDRAWN, ProposalStatus.EXPIRED}


@dataclass(frozen=True)
class VoteResult:
    """What a click did, in words for the person who clicked."""

    proposal_ref: str
    status: ProposalStatus
    counted: bool
    applied: bool
    message: str


class RoadmapService:
    """Roadmap changes go through proposals; a quorum of approvers applies them."""

    def __init__(self, db: Database, writer: Writer, permissions: Permissions, clock: Clock) -> None:
        self._db = db
        self._writer = writer
        self._permissions = permissions
        self._clock = clock

    # --- reading -------------------------------------------------------------------------

    async def roadmap(self, team_id: str) -> list[ItemView]:
        """Every item with its linked requests and demand, by horizon and order."""
        async with self._db.read() as session:
            items = await queries.list_items(session, team_id)
            return await item_views(session, team_id, items)

    async def item(self, team_id: str, typed: str) -> tuple[ItemView, list[AuditEntry]]:
        """One item (by RM-n or title words) with its history."""
        async with self._db.read() as session:
            found = await queries.search_items(session, team_id, typed, limit=2)
            if not found:
                raise NotFound(f"No roadmap item matches “{typed}”.")
            [view] = await item_views(session, team_id, found[:1])
            view = replace(view, launches=await list_launches_shipping(session, team_id, view.item.id or 0))
            history = await audit.list_changes(
                session, team_id=team_id, entity="roadmap_item", entity_id=view.item.id or 0
            )
            return view, history

    async def search_items(self, team_id: str, typed: str, *, limit: int) -> list[RoadmapItem]:
        """Items matching a type-ahead."""
        async with self._db.read() as session:
            return await queries.search_items(session, team_id, typed, limit=limit)

    async def open_proposals(self, team_id: str) -> list[ProposalView]:
        """Pending proposals and those waiting for their proposer, oldest first."""
        approvers = await self._permissions.approver_ids(team_id)
        async with self._db.read() as session:
            proposals = await queries.list_open_proposals(session, team_id)
            votes = await queries.list_votes_for(session, proposals)
            return [await proposal_view(session, p, votes.get(p.id or 0, []), approvers) for p in proposals]

    async def proposal(self, team_id: str, proposal_id: int) -> ProposalView:
        """A proposal by row id, as its card shows it."""
        approvers = await self._permissions.approver_ids(team_id)
        async with self._db.read() as session:
            proposal = await queries.get_proposal_by_id(session, team_id, proposal_id)
            if proposal is None:
                raise NotFound("That proposal is gone.")
            return await proposal_view(
                session, proposal, await queries.list_votes(session, proposal), approvers
            )

    async def draft_for(self, team_id: str, proposer_id: str, number: int) -> ProposalDraft:
        """A proposal as a draft, for its proposer to edit and resubmit."""
        async with self._db.read() as session:
            proposal = await queries.get_proposal(session, team_id, number)
            if proposal is None:
                raise NotFound(f"There is no CHG-{number} in this workspace.")
            if proposal.proposer_id != proposer_id:
                raise NotAllowed("Only the proposer can change a proposal.")
            item = (
                await queries.get_item_by_id(session, team_id, proposal.item_id) if proposal.item_id else None
            )
            requests = await queries.requests_by_ids(session, team_id, proposal.linked_request_ids)
        return draft_from(proposal, item, [request.number for request in requests])

    async def policy(self, team_id: str) -> tuple[ApprovalPolicy, list[str]]:
        """The approval policy and the named approvers."""
        async with self._db.read() as session:
            policy = await queries.get_policy(session, team_id)
        return policy, await self._permissions.named_approver_ids(team_id)

    # --- proposing -----------------------------------------------------------------------

    async def propose(self, team_id: str, proposer_id: str, draft: ProposalDraft) -> Proposal:
        """Store a proposal and send its card to the approvals channel and the approvers."""
        check_draft(draft)
        now = self._clock.now()

        async def store(session: AsyncSession) -> Proposal:
            item = await _item_for(session, team_id, draft)
            request_ids = await _request_ids(session, team_id, draft.linked_request_numbers)
            policy = await queries.get_policy(session, team_id)
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
            await _record(
                session, proposal, proposer_id, "proposed", after=proposal.changes, note=draft.rationale
            )
            await _sync_cards(session, proposal, now)
            return proposal

        return await write(self._writer, store)

    async def resubmit(self, team_id: str, proposer_id: str, number: int, draft: ProposalDraft) -> Proposal:
        """The proposer's edit after "request changes": a new revision, votes start again."""
        check_draft(draft)
        now = self._clock.now()

        async def store(session: AsyncSession) -> Proposal:
            proposal = await _require_proposal(session, team_id, number)
            if proposal.proposer_id != proposer_id:
                raise NotAllowed("Only the proposer can change a proposal.")
            if proposal.status in DECIDED:
                raise PmbotError(f"{proposal.ref} is already {proposal.status}; propose the change again.")
            item = await _item_for(session, team_id, draft)
            policy = await queries.get_policy(session, team_id)
            proposal.kind, proposal.item_id = draft.kind, item.id if item else None
            proposal.changes, proposal.rationale = draft.changes(), draft.rationale
            proposal.linked_request_ids = await _request_ids(session, team_id, draft.linked_request_numbers)
            proposal.revision += 1
            proposal.status = ProposalStatus.PENDING
            proposal.submitted_at, proposal.reminded_at = now, None
            proposal.expires_at = now + timedelta(days=policy.expiry_days)
            await _record(
                session, proposal, proposer_id, "resubmitted", after=proposal.changes, note=draft.rationale
            )
            await _sync_cards(session, proposal, now)
            return proposal

        return await write(self._writer, store)

    async def withdraw(self, team_id: str, actor_id: str, number: int) -> Proposal:
        """The proposer takes a pending proposal back."""

        async def store(session: AsyncSession) -> Proposal:
            proposal = await _require_proposal(session, team_id, number)
            if proposal.proposer_id != actor_id:
                raise NotAllowed("Only the proposer can withdraw a proposal.")
            if proposal.status in DECIDED:
                raise PmbotError(f"{proposal.ref} is already {proposal.status}.")
            await self._decide(session, proposal, ProposalStatus.WITHDRAWN, actor_id, None)
            return proposal

        return await write(self._writer, store)

    # --- deciding ------------------------------------------------------------------------

    async def vote(
        self, team_id: str, approver_id: str, number: int, choice: VoteChoice, comment: str | None = None
    ) -> VoteResult:
        """Count one approver's vote; the vote that reaches the quorum applies the change, once."""
        if choice != VoteChoice.APPROVE and not (comment or "").strip():
            raise InvalidInput({"comment": "Say why, so the proposer knows what to change."})
        if not await self._permissions.is_approver(team_id, approver_id):
            raise NotAllowed(
                "Only approvers can vote on roadmap changes. An admin names them in `/roadmap settings`."
            )

        async def store(session: AsyncSession) -> VoteResult:
            proposal = await _require_proposal(session, team_id, number)
            now = self._clock.now()
            if proposal.status == ProposalStatus.PENDING and proposal.expires_at <= now:
                await self._decide(
                    session, proposal, ProposalStatus.EXPIRED, "pmbot", "No quorum before expiry."
                )
            if proposal.status != ProposalStatus.PENDING:
                return _final_state(proposal)
            if proposal.proposer_id == approver_id:
                raise NotAllowed(
                    "You proposed this change, so your vote does not count; another approver decides."
                )
            if not await queries.add_vote(session, proposal, approver_id, choice, comment, now):
                return VoteResult(
                    proposal.ref, proposal.status, False, False, f"You already voted on {proposal.ref}."
                )
            await _record(session, proposal, approver_id, f"voted_{choice}", note=comment)
            return await self._after_vote(session, proposal, approver_id, choice, comment)

        return await write(self._writer, store)

    async def sweep(self) -> int:
        """Expire overdue proposals and remind approvers who have not voted; returns what it did."""
        now = self._clock.now()
        async with self._db.read() as session:
            due = await queries.list_proposals_due(session, now)
        done = 0
        for candidate in due:
            approvers = await self._permissions.named_approver_ids(candidate.team_id)
            done += await write(
                self._writer, lambda session, p=candidate, a=approvers: self._sweep_one(session, p, now, a)
            )
        return done

    async def _sweep_one(
        self, session: AsyncSession, candidate: Proposal, now: datetime, approvers: list[str]
    ) -> int:
        proposal = await queries.get_proposal(session, candidate.team_id, candidate.number, for_update=True)
        if proposal is None or proposal.status != ProposalStatus.PENDING:
            return 0
        if proposal.expires_at <= now:
            await self._decide(session, proposal, ProposalStatus.EXPIRED, "pmbot", "No quorum before expiry.")
            return 1
        policy = await queries.get_policy(session, proposal.team_id)
        if proposal.reminded_at is not None or now < proposal.submitted_at + timedelta(
            days=policy.reminder_after_days
        ):
            return 0
        voted = {vote.approver_id for vote in await queries.list_votes(session, proposal)}
        for approver in approvers:
            if approver not in voted and approver != proposal.proposer_id:
                await _enqueue(session, proposal, outbox_kinds.APPROVAL_REMINDER, now, user_id=approver)
        proposal.reminded_at = now
        return 1

    async def _after_vote(
        self,
        session: AsyncSession,
        proposal: Proposal,
        approver_id: str,
        choice: VoteChoice,
        comment: str | None,
    ) -> VoteResult:
        now = self._clock.now()
        if choice == VoteChoice.REJECT:
            await self._decide(session, proposal, ProposalStatus.REJECTED, approver_id, comment)
            return VoteResult(proposal.ref, proposal.status, True, False, f"You rejected {proposal.ref}.")
        if choice == VoteChoice.REQUEST_CHANGES:
            proposal.status = ProposalStatus.CHANGES_REQUESTED
            proposal.decision_note, proposal.decided_by_id = comment, approver_id
            await _enqueue(
                session, proposal, outbox_kinds.PROPOSAL_OUTCOME, now, user_id=proposal.proposer_id
            )
            await _sync_cards(session, proposal, now)
            return VoteResult(
                proposal.ref, proposal.status, True, False, f"You asked for changes to {proposal.ref}."
            )
        approvals = [v for v in await queries.list_votes(session, proposal) if v.choice == VoteChoice.APPROVE]
        if len(approvals) < proposal.required_approvals:
            await _sync_cards(session, proposal, now)
            left = proposal.required_approvals - len(approvals)
            return VoteResult(
                proposal.ref, proposal.status, True, False, f"Approved; {left} more approval(s) needed."
            )
        await apply_proposal(session, proposal, approver_id, now)
        await self._decide(session, proposal, ProposalStatus.APPROVED, approver_id, comment)
        return VoteResult(
            proposal.ref, proposal.status, True, True, f"Approved: {proposal.ref} is on the roadmap now."
        )

    async def _decide(
        self,
        session: AsyncSession,
        proposal: Proposal,
        status: ProposalStatus,
        actor_id: str,
        note: str | None,
    ) -> None:
        now = self._clock.now()
        proposal.status, proposal.decided_at = status, now
        proposal.decided_by_id, proposal.decision_note = actor_id, note
        await _record(session, proposal, actor_id, str(status), note=note)
        await _sync_cards(session, proposal, now)
        if status != ProposalStatus.WITHDRAWN:
            await _enqueue(
                session, proposal, outbox_kinds.PROPOSAL_OUTCOME, now, user_id=proposal.proposer_id
            )
        if status == ProposalStatus.APPROVED:
            await _enqueue(session, proposal, outbox_kinds.ROADMAP_ANNOUNCEMENT, now)


def _final_state(proposal: Proposal) -> VoteResult:
    words = {
        ProposalStatus.APPROVED: "was approved and applied",
        ProposalStatus.REJECTED: "was rejected",
        ProposalStatus.WITHDRAWN: "was withdrawn",
        ProposalStatus.EXPIRED: "expired",
        ProposalStatus.CHANGES_REQUESTED: "waits for its proposer's changes",
    }
    message = (
        f"{proposal.ref} {words.get(ProposalStatus(proposal.status), proposal.status)}; nothing changed."
    )
    return VoteResult(proposal.ref, proposal.status, False, False, message)


async def _require_proposal(session: AsyncSession, team_id: str, number: int) -> Proposal:
    proposal = await queries.get_proposal(session, team_id, number, for_update=True)
    if proposal is None:
        raise NotFound(f"There is no CHG-{number} in this workspace.")
    return proposal


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


async def _record(
    session: AsyncSession,
    proposal: Proposal,
    actor_id: str,
    action: str,
    *,
    after: dict[str, Any] | None = None,
    note: str | None = None,
) -> None:
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


async def _sync_cards(session: AsyncSession, proposal: Proposal, now: datetime) -> None:
    await outbox.enqueue(
        session,
        team_id=proposal.team_id,
        kind=outbox_kinds.SYNC_PROPOSAL,
        payload={"proposal_id": proposal.id},
        now=now,
        dedupe_key=f"proposal:{proposal.id}",
    )
    # Whatever changed the card changed what waits for the approvers' votes.
    await refresh_approver_homes(session, team_id=proposal.team_id, now=now)


async def _enqueue(session: AsyncSession, proposal: Proposal, kind: str, now: datetime, **extra: Any) -> None:
    payload = {"proposal_id": proposal.id, "status": str(proposal.status), **extra}
    await outbox.enqueue(session, team_id=proposal.team_id, kind=kind, payload=payload, now=now)
