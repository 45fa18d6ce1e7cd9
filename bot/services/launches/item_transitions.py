"""A checklist item's one transition table: from each state, which moves exist, who may make each
and whom each tells. The checklist's menu offers only the moves the item's state has, a person's
modal opens only if they may make the move, and the service checks the same table on every click
and submission. No Slack here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bot import text
from bot.errors import NotAllowed, PmbotError
from storage.models import Launch, LaunchItem, LaunchStatus


class ItemState(StrEnum):
    OPEN = "open"
    DONE = "done"
    CLOSED = "closed"  # the launch was cancelled: its checklist is closed


class ItemMove(StrEnum):
    TICK = "tick"
    UNTICK = "untick"
    REASSIGN = "reassign"
    REDATE = "redate"


class ItemRole(StrEnum):
    ITEM_OWNER = "item_owner"
    LAUNCH_OWNER = "launch_owner"
    DECIDER = "decider"
    ADMIN = "admin"  # workspace admins and owners, pmbot admins (bot.services.settings.permissions)


@dataclass(frozen=True)
class ItemRule:
    """Who may make a move, the state it leads to, and whom it tells (besides the re-rendered thread
    and the Home tabs of the item's and the launch's owners)."""

    who: frozenset[ItemRole]
    to: ItemState
    tells: str


WORKERS = frozenset(ItemRole)
TABLE: dict[ItemState, dict[ItemMove, ItemRule]] = {
    ItemState.OPEN: {
        ItemMove.TICK: ItemRule(WORKERS, ItemState.DONE, "nobody more"),
        ItemMove.REASSIGN: ItemRule(WORKERS, ItemState.OPEN, "the new owner, by DM"),
        ItemMove.REDATE: ItemRule(WORKERS, ItemState.OPEN, "nobody more"),
    },
    ItemState.DONE: {
        ItemMove.UNTICK: ItemRule(WORKERS, ItemState.OPEN, "nobody more"),
    },
    ItemState.CLOSED: {},
}
MENU_MOVES = (ItemMove.REASSIGN, ItemMove.REDATE)  # what the item's "Assign or re-date…" menu does


def state_of(launch: Launch, item: LaunchItem) -> ItemState:
    """Where the item stands."""
    if launch.status == LaunchStatus.CANCELLED:
        return ItemState.CLOSED
    return ItemState.DONE if item.done else ItemState.OPEN


def roles_of(user_id: str, launch: Launch, item: LaunchItem, *, is_admin: bool) -> set[ItemRole]:
    """What a person is to this item."""
    roles = {ItemRole.ADMIN} if is_admin else set()
    if user_id == item.owner_id:
        roles.add(ItemRole.ITEM_OWNER)
    if user_id == launch.owner_id:
        roles.add(ItemRole.LAUNCH_OWNER)
    if user_id in launch.decider_ids:
        roles.add(ItemRole.DECIDER)
    return roles


def moves_in(launch: Launch, item: LaunchItem) -> list[ItemMove]:
    """Every move that exists from the item's state."""
    return list(TABLE[state_of(launch, item)])


def moves_for(launch: Launch, item: LaunchItem, roles: set[ItemRole]) -> list[ItemMove]:
    """The moves a person with `roles` may make on the item now."""
    return [move for move, rule in TABLE[state_of(launch, item)].items() if rule.who & roles]


def on_menu(launch: Launch, item: LaunchItem) -> bool:
    """Whether the item's state offers the assign / re-date menu."""
    return any(move in MENU_MOVES for move in moves_in(launch, item))


def check_move(launch: Launch, item: LaunchItem, move: ItemMove, roles: set[ItemRole]) -> None:
    """Raise what to tell the person if the move does not exist from the item's state (a stale
    message) or they may not make it; return if they may."""
    if move not in moves_in(launch, item):
        raise PmbotError(stale(launch, item, move))
    if move not in moves_for(launch, item, roles):
        raise NotAllowed(refusal(launch, item))


def stale(launch: Launch, item: LaunchItem, move: ItemMove) -> str:
    """What happened to an item the clicker's message showed otherwise."""
    title = f"“{text.escaped(item.title, 150)}”"
    if launch.status == LaunchStatus.CANCELLED:
        return f"{launch.ref} is cancelled, so its checklist is closed; nothing changed."
    if item.done:
        by = f" by {text.user(item.done_by)}" if item.done_by else ""
        if move == ItemMove.TICK:
            return f"{title} was already ticked done{by}; nothing changed."
        return f"{title} was ticked done{by}; untick it first to change it. Nothing changed."
    return f"{title} was already unticked (it is open); nothing changed."


def refusal(launch: Launch, item: LaunchItem) -> str:
    """What someone who may not change an item is told: who can, by name."""
    owner = f"the item's owner {text.user(item.owner_id)}, " if item.owner_id else ""
    deciders = " ".join(text.user(user_id) for user_id in launch.decider_ids)
    named_deciders = f", its go / no-go deciders {deciders}" if deciders else ""
    return (
        f"Only {owner}{launch.ref}'s owner {text.user(launch.owner_id)}{named_deciders} and admins "
        "(the workspace's admins and owners, and the pmbot admins) can change it; nothing changed."
    )


def edit_moves(item: LaunchItem, owner_id: str | None, due: date) -> list[ItemMove]:
    """The menu's moves an edit makes: reassign when the owner changes, re-date when the due date does."""
    moves = [ItemMove.REASSIGN] if owner_id != item.owner_id else []
    return moves + ([ItemMove.REDATE] if due != item.due_date else [])


def check_edit(launch: Launch, item: LaunchItem, roles: set[ItemRole], moves: list[ItemMove]) -> None:
    """Check an edit's moves; an edit that changes nothing (or the menu, before its modal opens) is
    checked as a re-date."""
    for move in moves or [ItemMove.REDATE]:
        check_move(launch, item, move, roles)


def tick_answer(
    launch: Launch, wanted: list[tuple[LaunchItem, bool]], roles_for: dict[int, set[ItemRole]]
) -> str | None:
    """Why these ticks and unticks may not be made, or None if they may."""
    for item, done in wanted:
        try:
            check_move(launch, item, ItemMove.TICK if done else ItemMove.UNTICK, roles_for[item.id or 0])
        except PmbotError as refused:
            return refused.message
    return None
