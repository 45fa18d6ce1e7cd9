"""What the roadmap's readers see: items with their demand, proposals with their votes."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot import text
from bot.errors import NotFound
from bot.services.roadmap.proposals import item_values
from storage import audit
from storage import roadmap as queries
from storage.launches.roadmap_items import list_launches_shipping
from storage.models import AuditEntry, Launch, Proposal, ProposalVote, Request, RoadmapItem

ECHO_MAX = 80  # how much of the typed words a "matches nothing" answer repeats


@dataclass(frozen=True)
class ItemView:
    """A roadmap item with its linked requests and their demand (+1s), and (shown alone) its launches."""

    item: RoadmapItem
    requests: list[Request]
    demand: int
    launches: list[Launch] = field(default_factory=list)


@dataclass(frozen=True)
class ProposalView:
    """A proposal with what its card shows: the item, votes, linked requests, who still has to vote."""

    proposal: Proposal
    item: RoadmapItem | None
    before: dict[str, Any]
    votes: list[ProposalVote]
    requests: list[Request]
    demand: dict[int, int]
    approver_ids: list[str]
    history: list[AuditEntry] = field(default_factory=list)

    @property
    def missing_voter_ids(self) -> list[str]:
        """Approvers who have not voted yet (the proposer never votes)."""
        voted = {vote.approver_id for vote in self.votes}
        return [a for a in self.approver_ids if a not in voted and a != self.proposal.proposer_id]


async def item_views(session: AsyncSession, team_id: str, items: list[RoadmapItem]) -> list[ItemView]:
    """Items with their linked requests and demand, in two queries."""
    linked = await queries.linked_requests(session, team_id, [item.id or 0 for item in items])
    request_ids = [request.id or 0 for requests in linked.values() for request in requests]
    demand = await queries.upvote_counts(session, team_id, request_ids)
    views = []
    for item in items:
        requests = linked.get(item.id or 0, [])
        views.append(ItemView(item, requests, sum(demand.get(r.id or 0, 0) for r in requests)))
    return views


async def find_item(session: AsyncSession, team_id: str, typed: str) -> tuple[ItemView, list[AuditEntry]]:
    """The first item matching RM-n or title words, with its launches and its history."""
    found = await queries.search_items(session, team_id, typed, limit=2)
    if not found:
        raise NotFound(f"No roadmap item matches “{text.escaped(typed, ECHO_MAX)}”.")
    [view] = await item_views(session, team_id, found[:1])
    view = replace(view, launches=await list_launches_shipping(session, team_id, view.item.id or 0))
    history = await audit.list_changes(
        session, team_id=team_id, entity="roadmap_item", entity_id=view.item.id or 0
    )
    return view, history


async def proposal_view(
    session: AsyncSession, proposal: Proposal, votes: list[ProposalVote], approvers: list[str]
) -> ProposalView:
    """A proposal as its card shows it."""
    item = (
        await queries.get_item_by_id(session, proposal.team_id, proposal.item_id)
        if proposal.item_id
        else None
    )
    before = proposal.item_before if proposal.item_before is not None else item_values(item)
    requests = await queries.requests_by_ids(session, proposal.team_id, proposal.linked_request_ids)
    demand = await queries.upvote_counts(session, proposal.team_id, [r.id or 0 for r in requests])
    return ProposalView(proposal, item, before, votes, requests, demand, approvers)
