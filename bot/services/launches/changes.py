"""The pieces of a launch change: checking a new launch, building its items, ticking and re-dating.

Ticks come from a checkboxes element, which reports every option selected after the click, not
which one was clicked. So what a click changed is worked out item by item, for that element only:
- normally the selection differs from the database in exactly one item: that is the click;
- if it differs in more, the clicker's message was stale (someone else ticked meanwhile). Then only
  what the clicker changed from what their message showed counts, and, when the payload does not
  carry the message, only ticks count — an untick of someone else's fresh tick is never taken.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot import text
from bot.errors import InvalidInput, NotFound
from bot.local_time import local_date
from bot.services.launches import outbox as out
from bot.services.launches.reads import split_checklist
from bot.services.launches.templates import OWNER_ROLE, STANDARD, Template, TemplateItem
from storage import audit
from storage.launches import queries
from storage.models import Launch, LaunchItem, LaunchStatus

# The /launch new modal's fields, named as its blocks are (inline errors are keyed by block_id).
NAME, DATE, TIME, CHANNEL = "launch_name", "launch_date", "launch_time", "launch_channel"
OWNER, DECIDERS, TEMPLATE = "launch_owner", "launch_deciders", "launch_template"
ROADMAP_ITEMS = "launch_roadmap_items"
ITEM_OWNER, ITEM_DUE, NEW_DATE = "item_owner", "item_due", "new_launch_date"
SLIP_REASON = "slip_reason"
SLIP_REASON_MAX = 500  # said in the thread and in the audit log
NAME_MAX = 150
FARTHEST_AHEAD = timedelta(days=3 * 365)

ECHO_MAX = 80  # how much of the typed words a "matches nothing" answer repeats


@dataclass(frozen=True)
class LaunchDraft:
    """What the /launch new modal holds."""

    name: str
    launch_date: date | None
    channel_id: str | None
    template_name: str = STANDARD
    launch_time: time | None = None
    owner_id: str | None = None
    decider_ids: list[str] = field(default_factory=list)
    roadmap_item_numbers: list[int] = field(default_factory=list)  # RM-n the launch ships
    accept_overdue: bool = False  # the person saw which items would be overdue at once, and went on


@dataclass(frozen=True)
class ItemChange:
    """One click on a checkbox group: its items, what is selected now, and what the clicker saw."""

    element_ids: list[int]
    selected_ids: set[int]
    shown_ids: set[int] | None = None  # None when the payload did not carry the message


@dataclass(frozen=True)
class TickResult:
    """What a click ticked and unticked (titles), or why it was refused."""

    launch_ref: str
    ticked: list[str]
    unticked: list[str]
    refusal: str | None = None
    stale: str | None = None  # what happened first, when the clicker's message was out of date


def check_draft(draft: LaunchDraft, today: date) -> date:
    """The launch date of a valid draft; InvalidInput names each bad field."""
    errors: dict[str, str] = {}
    name = " ".join(draft.name.split())
    if not name:
        errors[NAME] = "Give the launch a name."
    elif len(name) > NAME_MAX:
        errors[NAME] = f"Keep the name under {NAME_MAX} characters."
    if draft.launch_date is None:
        errors[DATE] = "Pick the launch date."
    elif draft.launch_date < today:
        errors[DATE] = "That day has passed where the launch owner is; pick today or a later day."
    elif draft.launch_date > today + FARTHEST_AHEAD:
        errors[DATE] = "Pick a day within three years."
    if not draft.channel_id:
        errors[CHANNEL] = "Pick the channel where the checklist goes."
    if errors:
        raise InvalidInput(errors)
    assert draft.launch_date is not None
    return draft.launch_date


class OverdueAtCreation(InvalidInput):
    """The template would make items overdue the moment the launch is created; said before it is."""


def check_overdue(draft: LaunchDraft, launch_date: date, entries: list[TemplateItem], today: date) -> None:
    """Refuse, once, a launch whose checklist would start with items already overdue."""
    late = [entry for entry in entries if launch_date + timedelta(days=entry.offset_days) < today]
    if not late or draft.accept_overdue:
        return
    first = late[0]
    named = f"“{first.title}” was due {text.fixed_date(launch_date + timedelta(days=first.offset_days))}"
    more = f" and {len(late) - 1} more" if len(late) > 1 else ""
    them = "them" if len(late) > 1 else "it"
    raise OverdueAtCreation(
        {
            DATE: f"{text.plural(len(late), 'checklist item')} would be overdue the moment it is created "
            f"({named}{more}). Pick a later day, or create it again to start with {them} overdue."
        }
    )


def item_from(launch: Launch, position: int, entry: TemplateItem) -> LaunchItem:
    """A checklist item from a template's item; the owner's items go to the launch owner."""
    return LaunchItem(
        team_id=launch.team_id,
        launch_id=launch.id or 0,
        position=position,
        phase=entry.phase,
        title=entry.title,
        offset_days=entry.offset_days,
        due_date=launch.launch_date + timedelta(days=entry.offset_days),
        owner_id=launch.owner_id if entry.owner_role == OWNER_ROLE else None,
        owner_role=entry.owner_role,
        updated_at=launch.created_at,
    )


def snapshot(launch: Launch, items: int, roadmap_refs: list[str]) -> dict[str, object]:
    """What the audit log keeps of a new launch (with the roadmap items it ships, RM-n)."""
    return {
        "name": launch.name,
        "launch_date": launch.launch_date.isoformat(),
        "channel_id": launch.channel_id,
        "owner_id": launch.owner_id,
        "decider_ids": launch.decider_ids,
        "template": launch.template_name,
        "items": items,
        "roadmap_items": roadmap_refs,
    }


def tick_changes(items: list[LaunchItem], change: ItemChange) -> list[tuple[LaunchItem, bool]]:
    """(item, done) for each item of the element the click changed (see the module docstring)."""
    against_db = [
        (item, item.id in change.selected_ids)
        for item in items
        if (item.id in change.selected_ids) != item.done
    ]
    if len(against_db) <= 1:
        return against_db
    if change.shown_ids is None:
        return [(item, done) for item, done in against_db if done]
    shown = change.shown_ids
    return [(item, done) for item, done in against_db if done != (item.id in shown)]


async def apply_ticks(
    session: AsyncSession, launch: Launch, wanted: list[tuple[LaunchItem, bool]], actor_id: str, now: datetime
) -> TickResult:
    """Tick and untick, each in the audit log."""
    for item, done in wanted:
        item.done, item.updated_at = done, now
        item.done_by, item.done_at = (actor_id, now) if done else (None, None)
        await out.record(
            session, launch, actor_id, "item_ticked" if done else "item_unticked", after=_item_ref(item)
        )
    ticked = [item.title for item, done in wanted if done]
    return TickResult(launch.ref, ticked, [item.title for item, done in wanted if not done])


async def assign_and_date(
    session: AsyncSession,
    launch: Launch,
    item: LaunchItem,
    owner_id: str | None,
    due: date,
    actor_id: str,
    now: datetime,
) -> bool:
    """Set the item's owner and due date; True if either changed (each change is audited)."""
    changed = False
    if owner_id != item.owner_id:
        before = {**_item_ref(item), "owner_id": item.owner_id}
        item.owner_id, changed = owner_id, True
        await out.record(
            session, launch, actor_id, "item_assigned", before=before, after={"owner_id": owner_id}
        )
        if owner_id:
            await out.tell_assigned(session, launch, owner_id, actor_id, now, item_id=item.id)
    if due != item.due_date:
        before = {**_item_ref(item), "due_date": item.due_date.isoformat()}
        item.due_date, item.due_set_by_hand, changed = due, True, True
        await out.record(
            session, launch, actor_id, "item_redated", before=before, after={"due_date": due.isoformat()}
        )
    if changed:
        item.updated_at = now
    return changed


def check_slip_reason(reason: str) -> str:
    """The reason a launch slips, as typed (required for a slip, checked in `move_date`)."""
    if len(reason) > SLIP_REASON_MAX:
        raise InvalidInput({SLIP_REASON: f"Keep it under {SLIP_REASON_MAX} characters."})
    return reason.strip()


async def move_date(
    session: AsyncSession,
    launch: Launch,
    new_date: date | None,
    actor_id: str,
    now: datetime,
    reason: str = "",
) -> None:
    """Move launch day: items not dated by hand move with it; a later day is a slip, which needs a
    reason (the thread and the people waiting for it read why). Posted in the thread."""
    today = local_date(now, launch.timezone)
    if new_date is None or new_date < today:
        raise InvalidInput({NEW_DATE: "Pick today or a later day."})
    if new_date == launch.launch_date:
        raise InvalidInput({NEW_DATE: f"{launch.ref} is already on that day."})
    if new_date > today + FARTHEST_AHEAD:
        raise InvalidInput({NEW_DATE: "Pick a day within three years."})
    if new_date > launch.launch_date and not reason:
        raise InvalidInput({SLIP_REASON: "Say why it slips: the thread and the people waiting read it."})
    items = await queries.list_items(session, launch.team_id, launch.id or 0)
    old, moved = launch.launch_date, [item for item in items if not item.due_set_by_hand]
    for item in moved:
        item.due_date, item.updated_at = new_date + timedelta(days=item.offset_days), now
    launch.launch_date, launch.updated_at = new_date, now
    if new_date > old:
        launch.status = LaunchStatus.SLIPPED
    action = "slipped" if new_date > old else "date_changed"
    before, after = old.isoformat(), new_date.isoformat()
    await out.record(
        session, launch, actor_id, action, before={"launch_date": before}, after={"launch_date": after},
        note=reason or None,
    )  # fmt: skip
    await out.sync_parent(session, launch, now)
    await out.sync_chunks(session, launch, range(len(split_checklist(items))), now)
    # The thread hears of the open items only: a done item's date slips nothing.
    open_moved = sum(1 for item in moved if not item.done)
    open_kept = sum(1 for item in items if item.due_set_by_hand and not item.done)
    await out.notice(
        session, launch, action, now, actor=actor_id, moved=open_moved, kept=open_kept,
        before=before, after=after, reason=reason or None,
    )  # fmt: skip
    await out.refresh_people(session, launch, items, now)


async def lookup(session: AsyncSession, team_id: str, typed: str) -> Launch:
    """A launch by `LCH-n` (or `n`) or by name."""
    words = typed.strip()
    number = words.upper().removeprefix("LCH-").removeprefix("LCH")
    if number.isdigit():
        launch = await queries.get_launch(session, team_id, int(number))
        if launch is not None:
            return launch
    found = await queries.find_launches(session, team_id, words, limit=1) if words else []
    if not found:
        echoed = text.escaped(words, ECHO_MAX)
        raise NotFound(f"No launch matches “{echoed}”. `/launch list` shows the upcoming ones.")
    return found[0]


async def require(session: AsyncSession, team_id: str, number: int) -> Launch:
    """LCH-`number`, row-locked, or NotFound."""
    launch = await queries.get_launch(session, team_id, number, for_update=True)
    if launch is None:
        raise NotFound(f"There is no LCH-{number} in this workspace.")
    return launch


async def audit_template(
    session: AsyncSession, team_id: str, actor_id: str, template_id: int, template: Template
) -> None:
    """Record a saved template in the audit log."""
    await audit.record_change(
        session,
        team_id=team_id,
        actor_id=actor_id,
        entity="launch_template",
        entity_id=template_id,
        action="saved",
        after={"name": template.name, "items": [item.to_dict() for item in template.items]},
    )


def _item_ref(item: LaunchItem) -> dict[str, object]:
    return {"item_id": item.id, "title": item.title}
