"""Launch reminders: an owner's morning DM and the T-7 / T-1 / launch-day / day-after thread posts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from slack_sdk.models.blocks import Block, ContextBlock, SectionBlock

from bot import text
from bot.services.launches.reads import ACTIVE
from bot.services.launches.reminder_reads import DueItem, MorningList, ThreadReminder
from bot.services.launches.reminder_stages import Stage
from bot.text import plural
from bot.views import limits
from bot.views.common import mrkdwn, section
from storage.models import LaunchItem

NAME_MAX = 80
TITLE_MAX = 150
LISTED_MAX = 40  # lines past this become "…and N more": the message stays well inside 50 blocks
INTROS = {
    Stage.WEEK_BEFORE: ":calendar: *One week to launch*",
    Stage.DAY_BEFORE: ":hourglass_flowing_sand: *Launch is tomorrow*",
    Stage.LAUNCH_DAY: ":rocket: *Launch day*",
    Stage.DAY_AFTER: ":bar_chart: *Launch summary*",
}
FALLBACKS = {
    Stage.WEEK_BEFORE: "one week to launch",
    Stage.DAY_BEFORE: "launch is tomorrow",
    Stage.LAUNCH_DAY: "launch day",
    Stage.DAY_AFTER: "launch summary",
}


def morning_dm(
    morning: MorningList, late_since: datetime | None = None, links: Mapping[int, str] | None = None
) -> tuple[str, list[Block]]:
    """An owner's DM: their overdue items, then today's, then tomorrow's; then the items of their
    launches that nobody owns (due by tomorrow), for them to hand out."""
    count = len(morning.overdue) + len(morning.today) + len(morning.tomorrow) + len(morning.unowned)
    blocks: list[Block] = [section(f":wave: Your launch checklist for {text.date_token(morning.day)}:")]
    shown = 0
    for heading, entries in (
        ("Overdue", morning.overdue),
        ("Due today", morning.today),
        ("Due tomorrow", morning.tomorrow),
        ("No owner yet, on your launches", morning.unowned),
    ):
        if entries:
            lines = [_due_line(entry, links or {}) for entry in entries[: max(LISTED_MAX - shown, 0)]]
            blocks += _listing(f"*{heading}*", lines, len(entries) - len(lines))
            shown += len(lines)
    said = "Tick items off in each launch's thread"
    said += ", and give the items nobody owns an owner there." if morning.unowned else "."
    blocks.append(ContextBlock(elements=[mrkdwn(_footer(said, late_since))]))
    return f"{plural(count, 'launch checklist item')} {'needs' if count == 1 else 'need'} you", blocks


def thread_post(reminder: ThreadReminder, late_since: datetime | None = None) -> tuple[str, list[Block]]:
    """A reminder in the launch's thread naming the open items and their owners."""
    launch, stage = reminder.launch, reminder.stage
    name = text.escaped(launch.name, NAME_MAX)
    when = text.date_token(launch.launch_date)
    open_items = reminder.open_items
    if stage == Stage.DAY_AFTER:
        intro = (
            f"{INTROS[stage]} · *{launch.ref}* {name} ({when}): "
            f"{reminder.done} of {plural(reminder.total, 'item')} done."
        )
        heading = "*Still open:*" if open_items else "Everything on the checklist was done. :tada:"
    else:
        intro = f"{INTROS[stage]} · *{launch.ref}* {name} on {when}."
        verb = "is" if len(open_items) == 1 else "are"
        heading = (
            f"*{len(open_items)} of {plural(reminder.due_by_launch, 'item')} due by launch day {verb} open:*"
            if open_items
            else "Every item due by launch day is done."
        )
    lines = [_open_line(item) for item in open_items[:LISTED_MAX]]
    blocks: list[Block] = [section(intro), *_listing(heading, lines, len(open_items) - len(lines))]
    if reminder.later:
        blocks.append(section(f"_{plural(reminder.later, 'more item')} due after launch day._"))
    note = _next_step(reminder)
    if note or late_since:
        blocks.append(ContextBlock(elements=[mrkdwn(_footer(note, late_since))]))
    fallback = f"{launch.ref} {name}: {FALLBACKS[stage]}, {plural(len(open_items), 'open item')}"
    return text.truncate(fallback, limits.MESSAGE_TEXT), blocks


def _next_step(reminder: ThreadReminder) -> str:
    """What the thread should do next: the poll that follows, or the owner's Mark launched."""
    launch, stage = reminder.launch, reminder.stage
    if stage == Stage.DAY_BEFORE and launch.gonogo_round == 0:  # the schedule opens only the first
        return "The go / no-go poll for the deciders follows."
    if launch.status not in ACTIVE:
        return ""
    if stage == Stage.LAUNCH_DAY:
        return "When it is live, the launch owner clicks *Mark launched* on the launch's message."
    if stage == Stage.DAY_AFTER:
        owner = text.user(launch.owner_id)  # the one who can act is named (and notified)
        return f"Not marked launched yet: {owner}, click *Mark launched* on its message, or move its date."
    return ""


def _due_line(entry: DueItem, links: Mapping[int, str]) -> str:
    """The item, its launch (a link to the launch's message when known: the checklist's thread is
    under it) and its due date."""
    launch, item = entry.launch, entry.item
    title = text.escaped(item.title, TITLE_MAX)
    if item.owner_id is None and item.owner_role:
        title += f" ({text.escaped(item.owner_role, 40)})"
    name = text.escaped(launch.name, NAME_MAX)
    link = links.get(launch.id or 0)
    ref = f"<{link}|{launch.ref}>" if link else launch.ref
    return f"• {title} · *{ref}* {name} · due {text.date_token(item.due_date)}"


def _open_line(item: LaunchItem) -> str:
    owner = text.user(item.owner_id) if item.owner_id else _no_owner(item)
    return f"• {text.escaped(item.title, TITLE_MAX)} — {owner} · due {text.date_token(item.due_date)}"


def _no_owner(item: LaunchItem) -> str:
    role = f" ({text.escaped(item.owner_role, 40)})" if item.owner_role else ""
    return f"_no owner yet{role}_"


def _listing(heading: str, lines: Sequence[str], more: int) -> list[SectionBlock]:
    """The heading and lines as sections, each within Slack's 3,000 characters."""
    if more > 0:
        lines = [*lines, f"…and {more} more"]
    sections, current = [], heading
    for line in lines:
        if len(current) + 1 + len(line) > limits.SECTION_TEXT:
            sections.append(section(current))
            current = line
        else:
            current = f"{current}\n{line}"
    return [*sections, section(current)]


def _footer(note: str, late_since: datetime | None) -> str:
    late = f"Sent late: this was due {text.time_token(late_since)}." if late_since else ""
    return " ".join(part for part in (note, late) if part) or " "
