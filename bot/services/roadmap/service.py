"""The roadmap and its approvals: propose, vote, apply exactly once, tell everyone. No Slack here.

The service is the one door: it checks who may, opens the transaction or the read, and hands the
work to `roadmap_proposing`, `roadmap_voting`, `roadmap_sweep` and `roadmap_views`.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot import text
from bot.clock import Clock
from bot.errors import NotAllowed, NotFound, PmbotError
from bot.services.roadmap import proposing, voting
from bot.services.roadmap.decisions import require_proposal
from bot.services.roadmap.proposals import ProposalDraft, check_draft
from bot.services.roadmap.proposing import Resubmission
from bot.services.roadmap.reads import ItemView, ProposalView, find_item, item_views, proposal_view
from bot.services.roadmap.sweep import sweep_one
from bot.services.roadmap.transitions import VOTES, ProposalMove, exists, moves_for, roles_of
from bot.services.roadmap.voting import VoteResult
from bot.services.settings.permissions import Permissions, names
from bot.services.writes import write
from storage import roadmap as queries
from storage.db import Database
from storage.models import AuditEntry, Proposal, RoadmapItem, VoteChoice
from storage.writer import Writer

__all__ = ["RoadmapService", "VoteResult"]


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
            return await find_item(session, team_id, typed)

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

    async def draft_for(self, team_id: str, proposer_id: str, number: int) -> Resubmission:
        """A proposal as a draft, for its proposer to edit and resubmit, with the comment it answers."""
        async with self._db.read() as session:
            return await proposing.draft_of(session, team_id, proposer_id, number)

    # --- proposing -----------------------------------------------------------------------

    async def propose(self, team_id: str, proposer_id: str, draft: ProposalDraft) -> Proposal:
        """Store a proposal and send its card to the approvals channel and the approvers."""
        check_draft(draft)
        voters = await self._voters(team_id)
        now = self._clock.now()

        async def store(session: AsyncSession) -> Proposal:
            return await proposing.propose(session, team_id, proposer_id, draft, now, voters)

        return await write(self._writer, store)

    async def resubmit(self, team_id: str, proposer_id: str, number: int, draft: ProposalDraft) -> Proposal:
        """The proposer's edit after "request changes": a new revision, votes start again."""
        check_draft(draft)
        await self.check_may(team_id, proposer_id, number, ProposalMove.RESUBMIT)
        voters = await self._voters(team_id)
        approvers = await self._permissions.approver_ids(team_id)  # who is sent cards, and told
        now = self._clock.now()

        async def store(session: AsyncSession) -> Proposal:
            return await proposing.resubmit(
                session, team_id, proposer_id, number, draft, now, voters, approvers
            )

        return await write(self._writer, store)

    async def _voters(self, team_id: str) -> list[str]:
        # Only named approvers are counted: while none are named, workspace admins approve too,
        # and Slack cannot list them without users.list.
        return await self._permissions.named_approver_ids(team_id)

    async def check_may(self, team_id: str, user_id: str, number: int, move: ProposalMove) -> Proposal:
        """CHG-`number`, if this person may make `move` on it now; else what happened, or who may.
        Asked before a modal opens, so nobody fills in a form the server would then refuse."""
        is_approver = await self._permissions.is_approver(team_id, user_id)
        async with self._db.read() as session:
            proposal = await require_proposal(session, team_id, number)
            voted = user_id in {vote.approver_id for vote in await queries.list_votes(session, proposal)}
        if not exists(proposal.status, move):
            raise PmbotError(voting.final_state(proposal).message)
        roles = roles_of(user_id, proposal.proposer_id, is_approver=is_approver, voted=voted)
        if move not in moves_for(proposal.status, roles):
            if voted and move in VOTES:
                raise NotAllowed(voting.already_voted(proposal))
            raise NotAllowed(_who_may(proposal, move, await self._approvers_named(team_id)))
        return proposal

    async def withdraw(self, team_id: str, actor_id: str, number: int) -> Proposal:
        """The proposer takes a pending proposal back."""

        await self.check_may(team_id, actor_id, number, ProposalMove.WITHDRAW)

        async def store(session: AsyncSession) -> Proposal:
            return await proposing.withdraw(session, self._clock, team_id, actor_id, number)

        return await write(self._writer, store)

    async def _approvers_named(self, team_id: str) -> str:
        """`: <@A>, <@B>` (who votes), or the admins while nobody is named."""
        approvers = await self._permissions.named_approver_ids(team_id)
        if approvers:
            return f": {names(approvers)}"
        return f" (while none are named, admins vote. {await self._permissions.who_are_admins(team_id)})"

    # --- deciding ------------------------------------------------------------------------

    async def vote(
        self, team_id: str, approver_id: str, number: int, choice: VoteChoice, comment: str | None = None
    ) -> VoteResult:
        """Count one approver's vote; the vote that reaches the quorum applies the change, once."""
        voting.check_vote(choice, comment)
        if not await self._permissions.is_approver(team_id, approver_id):
            raise NotAllowed(
                f"Only approvers can vote on roadmap changes{await self._approvers_named(team_id)}."
            )

        async def store(session: AsyncSession) -> VoteResult:
            return await voting.cast(
                session,
                self._clock,
                team_id=team_id,
                approver_id=approver_id,
                number=number,
                choice=choice,
                comment=comment,
            )

        return await write(self._writer, store)

    async def sweep(self) -> int:
        """Expire overdue proposals and remind approvers who have not voted; returns what it did."""
        now = self._clock.now()
        async with self._db.read() as session:
            due = await queries.list_proposals_due(session, now)
        done = 0
        approvers_of: dict[str, list[str]] = {}  # one read per workspace, not per proposal
        for candidate in due:
            if candidate.team_id not in approvers_of:
                approvers_of[candidate.team_id] = await self._permissions.approver_ids(candidate.team_id)
            approvers = approvers_of[candidate.team_id]
            done += await write(
                self._writer,
                lambda session, p=candidate, a=approvers: sweep_one(session, self._clock, p, now, a),
            )
        return done


def _who_may(proposal: Proposal, move: ProposalMove, approvers: str) -> str:
    if move in (ProposalMove.RESUBMIT, ProposalMove.WITHDRAW):
        return f"Only {text.user(proposal.proposer_id)}, who proposed {proposal.ref}, can do that."
    if move in (ProposalMove.APPROVE, ProposalMove.REJECT, ProposalMove.REQUEST_CHANGES):
        return f"Only approvers can vote on roadmap changes{approvers}, and never on their own."
    return "You cannot do that."
