"""Ephemeral answers of `/launch`: upcoming launches, one launch, the templates, help."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    SectionBlock,
)

from bot import text
from bot.services.launches.reads import LaunchSummary, LaunchView
from bot.services.launches.templates import Template, format_items
from bot.services.launches.transitions import LaunchMove
from bot.views import ids, limits
from bot.views.common import labelled, mrkdwn, plain, section
from bot.views.launches.checklist import item_detail
from bot.views.launches.parent import (
    gonogo_line,
    launch_buttons,
    launch_title,
    launch_when,
    progress_bar,
    ships_line,
    when_line,
)
from storage.models import LaunchItem

TEMPLATES_SHOWN = 20  # two blocks each, with the header and the button, under 50
TEMPLATE_TEXT_SHOWN = 1500
ONE_LAUNCH_BLOCKS = 40  # the checklist's sections stop here; the buttons and a note follow
EDIT, NEW = "edit:", "new"  # the template buttons' values: "edit:<name>" or "new"

USAGE = "\n".join(
    [
        "*pmbot launches*",
        "`/launch new` — plan a launch: its checklist goes to a channel's thread",
        "`/launch list` — upcoming launches with their progress",
        "`/launch LCH-3` or `/launch <name>` — one launch and its checklist",
        "`/launch gonogo <launch>` — open a go / no-go poll in the launch's thread",
        "`/launch templates` — checklist templates (admins write new ones)",
        "`/launch help` — this help",
    ]
)


def help_blocks(prefix: str = "") -> list[Block]:
    """Usage of `/launch`, after an optional line saying what was not understood."""
    blocks: list[Block] = [section(prefix)] if prefix else []
    new = ButtonElement(text="New launch", action_id=ids.LAUNCH_OPEN_MODAL, value="new", style="primary")
    return [*blocks, section(USAGE), ActionsBlock(elements=[new])]


def upcoming_blocks(launches: list[LaunchSummary]) -> list[Block]:
    """Planned and slipped launches, soonest first, each with its progress."""
    blocks: list[Block] = [HeaderBlock(text=plain("Upcoming launches", limits.HEADER_TEXT))]
    for entry in launches:
        launch = entry.launch
        status = labelled(launch.status)
        blocks.append(
            section(
                f"*{launch_title(launch)}*\n{launch_when(launch)} · {text.user(launch.owner_id)} · "
                f"{text.channel(launch.channel_id)} · {progress_bar(entry.done, entry.total)} · {status}"
            )
        )
    if not launches:
        blocks.append(section("_No launch is planned._ `/launch new` plans one."))
    new = ButtonElement(text="New launch", action_id=ids.LAUNCH_OPEN_MODAL, value="new", style="primary")
    return [*blocks, ActionsBlock(elements=[new])]


def launch_blocks(view: LaunchView, moves: list[LaunchMove]) -> list[Block]:
    """One launch: its summary, its checklist as text (the thread holds the checkboxes), and the
    moves the person reading it may make."""
    launch = view.launch
    summary = [
        f"*When:* {when_line(launch)} · *Owner:* {text.user(launch.owner_id)} · "
        f"*Channel:* {text.channel(launch.channel_id)}",
        f"*Progress:* {progress_bar(view.done, view.total)} · *Status:* {labelled(launch.status)}",
    ]
    ships = ships_line(view.roadmap_items)
    if ships:
        summary.append(f"*Ships:* {ships}")
    decision = gonogo_line(launch, view.slipped_at)
    if decision:
        summary.append(f"*Go / no-go:* {decision}")
    blocks: list[Block] = [section(f":rocket: *{launch_title(launch)}*"), section("\n".join(summary))]
    blocks += _checklist_sections(view)
    buttons = launch_buttons(view, moves)
    if view.active and buttons:
        blocks.append(buttons)
    return blocks


def _checklist_sections(view: LaunchView) -> list[Block]:
    sections: list[Block] = []
    for chunk in view.chunks:
        for phase in chunk.phases:
            lines = [f"*{text.escape(phase.phase)}*"]
            for group in phase.groups:
                lines += [_item_line(item, view) for item in group]
            sections += _sections_of(lines)
    if len(sections) > ONE_LAUNCH_BLOCKS:
        note = f"…and more: the thread of {view.launch.ref} holds the whole checklist."
        sections = [*sections[:ONE_LAUNCH_BLOCKS], ContextBlock(elements=[mrkdwn(note)])]
    return sections


def _item_line(item: LaunchItem, view: LaunchView) -> str:
    box = "☑" if item.done else "☐"
    return f"{box} {text.escaped(item.title, 150)} — {item_detail(item, view.today)}"


def _sections_of(lines: list[str]) -> list[SectionBlock]:
    """Lines packed into sections within Slack's 3,000 characters each."""
    packed: list[list[str]] = [[]]
    for line in lines:
        if sum(len(part) + 1 for part in packed[-1]) + len(line) > limits.SECTION_TEXT - 100:
            packed.append([])
        packed[-1].append(line)
    return [section("\n".join(part)) for part in packed if part]


def templates_blocks(templates: list[Template], *, is_admin: bool) -> list[Block]:
    """The checklist templates with their items; admins get Edit and New template buttons."""
    blocks: list[Block] = [HeaderBlock(text=plain("Launch templates", limits.HEADER_TEXT))]
    for template in templates[:TEMPLATES_SHOWN]:
        kind = (
            f"built in, {text.plural(len(template.items), 'item')}"
            if template.built_in
            else text.plural(len(template.items), "item")
        )
        heading = f"*{text.escaped(template.name, 80)}* ({kind})"
        listing = text.escaped(format_items(template.items), TEMPLATE_TEXT_SHOWN)
        block = section(f"{heading}\n```{listing}```")
        if is_admin and not template.built_in:
            block.accessory = ButtonElement(
                text="Edit", action_id=ids.LAUNCH_EDIT_TEMPLATE, value=f"{EDIT}{template.name}"
            )
        blocks.append(block)
    if len(templates) > TEMPLATES_SHOWN:
        blocks.append(ContextBlock(elements=[mrkdwn(f"…and {len(templates) - TEMPLATES_SHOWN} more.")]))
    if is_admin:
        new = ButtonElement(
            text="New template", action_id=ids.LAUNCH_EDIT_TEMPLATE, value=NEW, style="primary"
        )
        blocks.append(ActionsBlock(elements=[new]))
    return blocks
