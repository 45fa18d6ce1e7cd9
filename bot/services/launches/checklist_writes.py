"""The checklist's writes, inside one transaction each: a click on a checkbox group, and an item's
assign / re-date. Both check the item transition table first. No Slack here."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import NotFound
from bot.services.launches import item_transitions as item_rules
from bot.services.launches import outbox as out
from bot.services.launches.changes import (
    ItemChange,
    TickResult,
    apply_ticks,
    assign_and_date,
    require,
    tick_changes,
)
from bot.services.launches.item_transitions import ItemMove
from bot.services.launches.reads import chunk_of
from storage.launches import queries
from storage.models import Launch, LaunchItem


async def tick_items(
    session: AsyncSession, team_id: str, actor_id: str, number: int, change: ItemChange,
    *, is_admin: bool, now: datetime,
) -> TickResult:  # fmt: skip
    """Apply what one click on a checkbox group changed; a refused or stale click re-renders the
    group's message and says why."""
    launch = await require(session, team_id, number)
    items = await queries.list_items(session, team_id, launch.id or 0)
    in_element = [item for item in items if item.id in change.element_ids]
    wanted = tick_changes(in_element, change)
    roles = {
        item.id or 0: item_rules.roles_of(actor_id, launch, item, is_admin=is_admin) for item in in_element
    }
    reason = item_rules.tick_answer(launch, wanted, roles)
    if not wanted or reason:  # put the person's view back to what the database holds
        await out.sync_chunks(session, launch, chunk_of(items, set(change.element_ids)), now)
        stale = None if wanted else _stale_click(launch, in_element, change)
        return TickResult(launch.ref, [], [], reason if wanted else None, stale)
    result = await apply_ticks(session, launch, wanted, actor_id, now)
    await out.sync_parent(session, launch, now)
    await out.sync_chunks(session, launch, chunk_of(items, {item.id or 0 for item, _ in wanted}), now)
    await out.refresh_people(session, launch, [item for item, _ in wanted], now)
    return result


async def edit_item(
    session: AsyncSession, team_id: str, actor_id: str, item_id: int, owner_id: str | None, due: date,
    *, is_admin: bool, now: datetime,
) -> LaunchItem:  # fmt: skip
    """Assign the item and set its due date by hand, if the table lets this person now."""
    launch, item = await item_of(session, team_id, item_id)
    roles = item_rules.roles_of(actor_id, launch, item, is_admin=is_admin)
    item_rules.check_edit(launch, item, roles, item_rules.edit_moves(item, owner_id, due))
    before_owner = item.owner_id
    if await assign_and_date(session, launch, item, owner_id, due, actor_id, now):
        items = await queries.list_items(session, team_id, launch.id or 0)
        await out.sync_chunks(session, launch, chunk_of(items, {item_id}), now)
        await out.refresh_people(session, launch, [item], now, before_owner)
    return item


async def item_of(session: AsyncSession, team_id: str, item_id: int) -> tuple[Launch, LaunchItem]:
    """A checklist item with its launch, or NotFound."""
    item = await queries.get_item(session, team_id, item_id)
    launch = await queries.get_launch_by_id(session, team_id, item.launch_id) if item else None
    if item is None or launch is None:
        raise NotFound("That checklist item is gone.")
    return launch, item


def _stale_click(launch: Launch, items: list[LaunchItem], change: ItemChange) -> str | None:
    """What happened to an item the clicker changed on a message that was out of date (someone
    else had made the same change first), or None."""
    if change.shown_ids is None:
        return None
    for item in items:
        selected, shown = item.id in change.selected_ids, item.id in change.shown_ids
        if selected != shown and selected == item.done:
            return item_rules.stale(launch, item, ItemMove.TICK if selected else ItemMove.UNTICK)
    return None
