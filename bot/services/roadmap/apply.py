"""Applying an approved change: the roadmap item changes and the requests it answers are planned."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import outbox_kinds
from bot.services.requests.notices import enqueue_request_notices
from bot.services.roadmap.proposals import apply_changes, item_values
from bot.text import fixed_date
from storage import audit, outbox
from storage import roadmap as queries
from storage.models import ChangeKind, Proposal, Request, RequestStatus, RoadmapItem, VoteChoice
from storage.workspaces import allocate_number

PLANNABLE = {RequestStatus.NEW, RequestStatus.NEEDS_INFO, RequestStatus.ACCEPTED}
ANSWERED = {RequestStatus.DONE, RequestStatus.DECLINED, RequestStatus.DUPLICATE}


async def apply_proposal(session: AsyncSession, proposal: Proposal, actor_id: str, now: datetime) -> None:
    """Change the roadmap, link and plan the requests; runs in the transaction that decides."""
    item = await _item_for_update(session, proposal)
    proposal.item_before = item_values(item)
    if item is None:
        item = RoadmapItem(
            team_id=proposal.team_id,
            number=await allocate_number(session, proposal.team_id, "item"),
            title="",
        )
        session.add(item)
    old_horizon = item.horizon if item.id is not None else None
    apply_changes(item, proposal.changes)
    if old_horizon is None or item.horizon != old_horizon:
        item.position = await queries.next_position(session, proposal.team_id, item.horizon)
    item.updated_at = now
    await session.flush()
    proposal.item_id = item.id
    await queries.link_requests(session, item, proposal.linked_request_ids)
    votes = await queries.list_votes(session, proposal)
    approvers = [vote.approver_id for vote in votes if vote.choice == VoteChoice.APPROVE]
    credit = {"proposal": proposal.ref, "approved_by": approvers}
    await audit.record_change(
        session,
        team_id=item.team_id,
        actor_id=actor_id,
        entity="roadmap_item",
        entity_id=item.id or 0,
        action=f"{proposal.kind}_applied",
        before=proposal.item_before or None,
        after={**item_values(item), **credit},
        note=f"{proposal.ref}: {proposal.rationale}",
    )
    await _plan_requests(session, proposal, item, actor_id, now, credit)


async def _plan_requests(
    session: AsyncSession,
    proposal: Proposal,
    item: RoadmapItem,
    actor_id: str,
    now: datetime,
    credit: dict[str, Any],
) -> None:
    dropped = proposal.kind == ChangeKind.DROP
    # Every request the item answers (the links made now included), not only those picked on
    # this proposal: moving or dropping an item changes what it means for all of them.
    linked = await queries.linked_requests(session, proposal.team_id, [item.id or 0])
    for request in linked.get(item.id or 0, []):
        old = request.status
        if dropped and old == RequestStatus.PLANNED:
            request.status = RequestStatus.ACCEPTED
        elif not dropped and old in PLANNABLE:
            request.status = RequestStatus.PLANNED
        if old in ANSWERED:
            continue  # a duplicate, declined or done request is not what the roadmap changes
        request.updated_at = now  # the item it waits for changed: Home shows it as changed now
        moved = old == request.status == RequestStatus.PLANNED and _plan_moved(proposal, item)
        note = _what_it_means(request, item, proposal, dropped, planned_before=old == request.status)
        await audit.record_change(
            session,
            team_id=request.team_id,
            actor_id=actor_id,
            entity="request",
            entity_id=request.id or 0,
            action="roadmap_changed",
            before={"status": str(old)},
            after={"status": str(request.status), **credit},
            note=note,
            at=now,
        )
        # The policy tells its people only if its status or its plan (horizon, target) changed;
        # their Home tabs re-render anyway.
        await enqueue_request_notices(
            session,
            request,
            now=now,
            actor_id=actor_id,
            action="plan_moved" if moved else "roadmap_changed",
            was={"status": old},
            note=note,
            extra=[],
            credit=credit,
        )
        await outbox.enqueue(
            session,
            team_id=request.team_id,
            kind=outbox_kinds.SYNC_CARD,
            payload={"request_id": request.id},
            now=now,
            dedupe_key=f"card:{request.id}",
        )


def _what_it_means(
    request: Request, item: RoadmapItem, proposal: Proposal, dropped: bool, *, planned_before: bool
) -> str:
    """What the change means for one request, in words (stored as a note: raw text, no markup)."""
    named = f"{item.ref} “{item.title}”"
    # The change itself (CHG-n and who approved it) is said by whoever shows the note, once.
    if dropped:
        return f"{named} was dropped from the roadmap; {request.ref} is back in the backlog."
    when = f", target {fixed_date(item.target_date)}" if item.target_date else ""
    horizon = labelled(item.horizon)
    if planned_before and _plan_moved(proposal, item):
        before = _plan_words(proposal.item_before or {})
        return f"{request.ref}'s plan moved from {before} to {horizon}{when} ({named})."
    if planned_before:
        return f"{request.ref}'s plan changed: {horizon}{when} ({named})."
    return f"{request.ref} is now planned for {horizon}{when} as {named}."


def _plan_moved(proposal: Proposal, item: RoadmapItem) -> bool:
    """Whether the change moved the item's horizon or target date (what a requester plans by)."""
    before = proposal.item_before or {}
    after = item_values(item)
    return bool(before) and any(before.get(key) != after[key] for key in ("horizon", "target_date"))


def _plan_words(values: dict[str, object]) -> str:
    horizon = labelled(str(values.get("horizon") or ""))
    target = values.get("target_date")
    return f"{horizon}, target {fixed_date(date.fromisoformat(str(target)))}" if target else horizon


async def _item_for_update(session: AsyncSession, proposal: Proposal) -> RoadmapItem | None:
    if proposal.item_id is None:
        return None
    return await queries.get_item_by_id(session, proposal.team_id, proposal.item_id)


def labelled(value: str) -> str:
    """`in_progress` → "In progress", as every view labels a value."""
    return str(value).replace("_", " ").capitalize()
