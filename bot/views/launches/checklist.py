"""A launch's checklist in its thread: one message per chunk, phases as headings, items as checkboxes
(ten to a group) with a menu to assign or re-date each."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    CheckboxesElement,
    ContextBlock,
    Option,
    StaticSelectElement,
)

from bot import text
from bot.services.launches.item_transitions import on_menu
from bot.services.launches.reads import Chunk, LaunchView
from bot.views import ids, limits
from bot.views.common import mrkdwn, option, plain, section
from storage.models import Launch, LaunchItem

ROLE_SHOWN = 20


def checklist_message(
    view: LaunchView, index: int, names: Mapping[str, str] | None = None
) -> tuple[str, list[Block]]:
    """The fallback text and blocks of the checklist's message number `index`; `names` are the
    owners' names (a checkbox description is plain_text, where a mention cannot render)."""
    chunks = view.chunks
    chunk = chunks[index] if index < len(chunks) else Chunk(index)
    launch = view.launch
    part = f" · part {index + 1} of {len(chunks)}" if len(chunks) > 1 else ""
    blocks: list[Block] = [ContextBlock(elements=[mrkdwn(f"*{launch.ref} checklist*{part}")])]
    for phase in chunk.phases:
        blocks.append(section(f"*{text.escape(phase.phase)}*" + (" (continued)" if phase.continued else "")))
        blocks += [item_group(launch, group, view.today, names or {}) for group in phase.groups]
    return f"{launch.ref} checklist{part}", blocks


def item_group(
    launch: Launch, items: list[LaunchItem], today: date, names: Mapping[str, str]
) -> ActionsBlock:
    """Up to ten items as checkboxes, and a menu to assign or re-date one of them.

    The block_id names the group's items, so a click is compared with the database for them only.
    """
    options = {item.id: item_option(item, today, names) for item in items}
    ticked = [options[item.id] for item in items if item.done]
    member_ids = ".".join(str(item.id) for item in items)
    elements: list[CheckboxesElement | StaticSelectElement] = [
        CheckboxesElement(
            action_id=ids.LAUNCH_TICK, options=list(options.values()), initial_options=ticked or None
        )
    ]
    editable = [item for item in items if on_menu(launch, item)]  # the item table: open items only
    if editable:
        elements.append(
            StaticSelectElement(
                action_id=ids.LAUNCH_ITEM_MENU,
                placeholder=plain("Assign or re-date…", limits.OPTION_TEXT),
                options=[option(f"✎ {item.title}", str(item.id)) for item in editable],
            )
        )
    return ActionsBlock(block_id=f"{ids.LAUNCH_ITEMS_PREFIX}{launch.number}:{member_ids}", elements=elements)


def item_option(item: LaunchItem, today: date, names: Mapping[str, str]) -> Option:
    """One checkbox: the item's title, its owner and due date below (Slack types that plain_text)."""
    return Option(
        value=str(item.id),
        text=mrkdwn(text.escaped(item.title, limits.OPTION_TEXT)),
        description=plain(plain_detail(item, today, names), limits.OPTION_TEXT),
    )


def plain_detail(item: LaunchItem, today: date, names: Mapping[str, str]) -> str:
    """`Dana · due Thu 10 Dec 2026`, with "overdue" while it is late and open; no markup."""
    if item.owner_id:
        owner = names.get(item.owner_id, "Owner set")
    else:
        role = text.truncate(item.owner_role or "", ROLE_SHOWN)
        owner = f"No owner yet ({role})" if role else "No owner yet"
    late = " · overdue" if not item.done and item.due_date < today else ""
    return f"{owner} · due {text.fixed_date(item.due_date)}{late}"


def item_detail(item: LaunchItem, today: date) -> str:
    """`<@U1> · due Thu 10 Dec`, with "overdue" while it is late and open."""
    if item.owner_id:
        owner = text.user(item.owner_id)
    else:
        role = f" ({text.escaped(item.owner_role, ROLE_SHOWN)})" if item.owner_role else ""
        owner = f"_no owner yet_{role}"
    late = " · *overdue*" if not item.done and item.due_date < today else ""
    return f"{owner} · due {text.date_token(item.due_date)}{late}"
