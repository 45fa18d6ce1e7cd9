"""A launch's parent message in its channel: name, date, owner, progress and status, with its buttons."""

from __future__ import annotations

from datetime import date, datetime

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, ConfirmObject, ContextBlock

from bot import text
from bot.local_time import local_date, wall_clock_instant
from bot.services.launches.reads import LaunchView
from bot.services.launches.transitions import LaunchMove, moves_in
from bot.views import ids, limits
from bot.views.common import labelled, mrkdwn, plain, section
from storage.models import GoNoGo, Launch, LaunchStatus, RoadmapItem

PROGRESS_SEGMENTS = 5
FILLED, EMPTY = "▰", "▱"
NAME_SHOWN = 150
SHIPS_SHOWN, SHIPS_TITLE_SHOWN = 5, 60  # at most ~400 characters of the section's 3,000
CONFIRM_TEXT = 300  # a confirm dialog's text
NO_GO_SHOWN = 200  # a no-go reason on the parent (the poll shows it whole)
NO_GOS_SHOWN = 3  # the parent's section stays well under 3,000 characters


def progress_bar(done: int, total: int) -> str:
    """`▰▰▰▱▱ 6/12`: five segments, rounded to the nearest."""
    filled = (done * PROGRESS_SEGMENTS * 2 + total) // (total * 2) if total else 0
    return f"{FILLED * filled}{EMPTY * (PROGRESS_SEGMENTS - filled)} {done}/{total}"


def launch_title(launch: Launch) -> str:
    """`LCH-3 · <name>`, the name escaped."""
    return f"{launch.ref} · {text.escaped(launch.name, NAME_SHOWN)}"


def launch_when(launch: Launch) -> str:
    """The launch day (and time) as a token each reader sees in their own locale and timezone."""
    if launch.launch_time is None:
        return text.date_token(launch.launch_date)
    return text.time_token(wall_clock_instant(launch.launch_date, launch.launch_time, launch.timezone))


def when_line(launch: Launch) -> str:
    """The launch day, and for a launch marked launched on another day, the day it really did."""
    launched = launched_day(launch)
    if launched is None or launched == launch.launch_date:
        return launch_when(launch)
    return f"launched {text.date_token(launched)} (planned for {launch_when(launch)})"


def launched_day(launch: Launch) -> date | None:
    """The launch's own calendar date when it was marked launched, if it was."""
    if launch.status != LaunchStatus.LAUNCHED or launch.launched_at is None:
        return None
    return local_date(launch.launched_at, launch.timezone)


def overrode_no_go(launch: Launch, slipped_at: datetime | None) -> bool:
    """Marked launched while the current go / no-go said no-go."""
    return (
        launch.status == LaunchStatus.LAUNCHED
        and launch.gonogo_decision == GoNoGo.NO_GO
        and not _polled_before_the_slip(launch, slipped_at)
    )


def ships_line(items: list[RoadmapItem]) -> str | None:
    """`RM-4 Global search, RM-7 Dark mode and 3 more`: the roadmap items a launch ships, if any."""
    if not items:
        return None
    shown = ", ".join(
        f"{item.ref} {text.escaped(item.title, SHIPS_TITLE_SHOWN)}" for item in items[:SHIPS_SHOWN]
    )
    more = len(items) - SHIPS_SHOWN
    return f"{shown} and {more} more" if more > 0 else shown


ENDED_BEFORE_A_DECISION = {LaunchStatus.LAUNCHED: "launched", LaunchStatus.CANCELLED: "was cancelled"}


def gonogo_line(launch: Launch, slipped_at: datetime | None = None) -> str | None:
    """Where the go / no-go stands, once a poll was opened; a verdict that no longer decides (the
    launch slipped since, or is launched) says so, never reading as the current one."""
    if launch.gonogo_round == 0:
        return None
    if launch.gonogo_decision is None and launch.status in ENDED_BEFORE_A_DECISION:
        return f"poll {launch.gonogo_round} not decided before it {ENDED_BEFORE_A_DECISION[launch.status]}"
    if launch.gonogo_decision is None:
        return f"poll {launch.gonogo_round} open in the thread"
    verdict = "*GO* ✅" if launch.gonogo_decision == GoNoGo.GO else "*NO-GO* ⛔"
    if _polled_before_the_slip(launch, slipped_at):
        return f"{verdict} at poll {launch.gonogo_round}, before the slip: a new poll decides the new date"
    if launch.status == LaunchStatus.LAUNCHED:
        return f"{verdict} at poll {launch.gonogo_round}, before it launched"
    return verdict


def _polled_before_the_slip(launch: Launch, slipped_at: datetime | None) -> bool:
    decided = launch.gonogo_decided_at
    return slipped_at is not None and decided is not None and decided < slipped_at


def no_go_reasons(view: LaunchView) -> list[str]:
    """Why the current poll's no-go voters said no (the parent shows them beside the result)."""
    reasons = [
        f"*No-go:* {text.user(vote.voter_id)} “{text.escaped(vote.note, NO_GO_SHOWN)}”"
        for vote in view.votes
        if vote.choice == GoNoGo.NO_GO and vote.note
    ]
    return reasons[:NO_GOS_SHOWN]


def parent_message(view: LaunchView) -> tuple[str, list[Block]]:
    """The fallback text and blocks of the launch's parent message."""
    launch = view.launch
    lines = [
        f"*When:* {when_line(launch)}",
        f"*Owner:* {text.user(launch.owner_id)}",
        f"*Progress:* {progress_bar(view.done, view.total)}",
        f"*Status:* {labelled(launch.status)}",
    ]
    ships = ships_line(view.roadmap_items)
    if ships:
        lines.append(f"*Ships:* {ships}")
    decision = gonogo_line(launch, view.slipped_at)
    if decision:
        lines.append(f"*Go / no-go:* {decision}")
    lines.extend(no_go_reasons(view))
    blocks: list[Block] = [
        section(f":rocket: *{launch_title(launch)}*"),
        section("\n".join(lines)),
        ContextBlock(elements=[mrkdwn(f"The checklist is in the thread · `/launch {launch.ref}`")]),
    ]
    buttons = launch_buttons(view)
    if view.active and buttons:
        blocks.append(buttons)
    fallback = (
        f"{launch.ref} · {text.escaped(launch.name, NAME_SHOWN)} — {progress_bar(view.done, view.total)}"
    )
    return fallback, blocks


def launch_buttons(view: LaunchView, moves: list[LaunchMove] | None = None) -> ActionsBlock | None:
    """The launch's moves as buttons: those that exist from its status (a channel message, the
    server checks who may), or only `moves`, one person's (a private reply). None when nothing."""
    launch, value = view.launch, str(view.launch.number)
    allowed = moves_in(launch.status) if moves is None else moves
    buttons = {
        LaunchMove.MARK_LAUNCHED: ButtonElement(
            text="Mark launched",
            action_id=ids.LAUNCH_MARK_LAUNCHED,
            value=value,
            style="primary",
            confirm=_confirm("Mark launched?", launch_confirm(view), "Launched"),
        ),
        LaunchMove.CHANGE_DATE: ButtonElement(
            text="Change date", action_id=ids.LAUNCH_CHANGE_DATE, value=value
        ),
        LaunchMove.OPEN_GONOGO: ButtonElement(
            text="Go / no-go poll", action_id=ids.LAUNCH_OPEN_GONOGO, value=value
        ),
        LaunchMove.CANCEL: ButtonElement(
            text="Cancel launch",
            action_id=ids.LAUNCH_CANCEL,
            value=value,
            style="danger",
            confirm=_confirm("Cancel the launch?", f"{launch.ref} will be cancelled.", "Cancel it"),
        ),
    }
    elements = [button for move, button in buttons.items() if move in allowed]
    if not elements:
        return None
    return ActionsBlock(block_id=f"{ids.LAUNCH_BLOCK_PREFIX}{launch.number}", elements=elements)


def launch_confirm(view: LaunchView) -> str:
    """What marking launched means, said before it happens: the go / no-go result, the open items,
    and what ships (its roadmap items and the requests they answer close)."""
    launch = view.launch
    if launch.gonogo_decision is not None:
        poll = "NO-GO ⛔" if launch.gonogo_decision == GoNoGo.NO_GO else "GO ✅"
        if _polled_before_the_slip(launch, view.slipped_at):
            poll += " (before the slip)"
    else:
        poll = "not decided" if launch.gonogo_round else "no poll"
    open_items = view.total - view.done
    said = f"Go / no-go: {poll}. {open_items} of {view.total} checklist items still open."
    if view.roadmap_items:
        refs = ", ".join(item.ref for item in view.roadmap_items[:SHIPS_SHOWN])
        said += f" {refs} will show as shipped and the requests they answer as done."
    return text.truncate(said, CONFIRM_TEXT)


def _confirm(title: str, body: str, yes: str) -> ConfirmObject:
    return ConfirmObject(
        title=plain(title, limits.MODAL_TITLE),
        text=plain(body),
        confirm=plain(yes, limits.MODAL_TITLE),
        deny=plain("Back", limits.MODAL_TITLE),
    )
