"""The roadmap as people read it: by horizon, one item, pending proposals."""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
)

from bot import text
from bot.services.roadmap.reads import ItemView, ProposalView
from bot.text import plural
from bot.views import ids, limits
from bot.views.common import labelled, mrkdwn, plain, section
from bot.views.history import history_line
from bot.views.launches.parent import launch_title, launch_when
from bot.views.roadmap.approval_card import change_summary, who_can_still_vote
from storage.models import AuditEntry, Horizon, ItemStatus, Launch

ITEMS_PER_HORIZON = 12  # three horizons of twelve two-line items stay under 50 blocks
REQUESTS_SHOWN = 5
LAUNCHES_SHOWN = 5


def roadmap_blocks(items: list[ItemView], *, shared_by: str | None = None) -> list[Block]:
    """The roadmap grouped Now / Next / Later; a shared snapshot has no buttons."""
    blocks: list[Block] = [HeaderBlock(text=plain("Roadmap", limits.HEADER_TEXT))]
    open_items = [view for view in items if view.item.status not in (ItemStatus.DROPPED, ItemStatus.SHIPPED)]
    for horizon in Horizon:
        in_horizon = [view for view in open_items if view.item.horizon == horizon]
        blocks += _group(labelled(horizon), in_horizon, "_Nothing here yet._")
    shipped = [view for view in items if view.item.status == ItemStatus.SHIPPED]
    if shipped:  # done: no longer Now, Next or Later
        blocks += _group("Shipped", shipped, "")
    if shared_by:
        blocks.append(ContextBlock(elements=[mrkdwn(f"Snapshot shared by {text.user(shared_by)}")]))
        return blocks
    buttons = [
        ButtonElement(text="Share in channel", action_id=ids.SHARE_ROADMAP, value="share"),
        ButtonElement(
            text="Propose a change", action_id=ids.OPEN_PROPOSE_MODAL, value="propose", style="primary"
        ),
    ]
    return [*blocks, ActionsBlock(elements=buttons)]


def _group(name: str, views: list[ItemView], empty: str) -> list[Block]:
    lines = [_item_line(view) for view in views[:ITEMS_PER_HORIZON]]
    if len(views) > ITEMS_PER_HORIZON:
        lines.append(f"…and {len(views) - ITEMS_PER_HORIZON} more (`/roadmap RM-n` shows one)")
    return [section(f"*{name}* ({len(views)})"), section("\n".join(lines) or empty)]


def item_blocks(view: ItemView, history: list[AuditEntry]) -> list[Block]:
    """One item with its linked requests and history."""
    item = view.item
    blocks: list[Block] = [
        HeaderBlock(text=plain(f"{item.ref} · {item.title}", limits.HEADER_TEXT)),
        section(_item_line(view)),
    ]
    if item.description:
        blocks.append(section(text.escaped(item.description, 1500)))
    if view.requests:
        refs = ", ".join(f"{r.ref} {text.escaped(r.title, 60)}" for r in view.requests[:REQUESTS_SHOWN])
        blocks.append(section(f"*Linked requests:* {refs}"))
    if view.launches:
        blocks.append(section(_launches_text(view.launches)))
    blocks += [DividerBlock(), section("*History*")]
    blocks += [ContextBlock(elements=[mrkdwn(history_line(entry))]) for entry in history[-20:]]
    return blocks


def pending_blocks(proposals: list[ProposalView], now: datetime) -> list[Block]:
    """Open proposals with their age and whose vote is missing."""
    blocks: list[Block] = [HeaderBlock(text=plain("Pending roadmap changes", limits.HEADER_TEXT))]
    if not proposals:
        return [*blocks, section("Nothing waits for a decision.")]
    for view in proposals[:40]:
        proposal = view.proposal
        age = max((now - proposal.submitted_at).days, 0)
        waiting = (
            "waits for the proposer's changes"
            if proposal.status == "changes_requested"
            else who_can_still_vote(view)
        )
        blocks.append(
            section(
                f"*{proposal.ref}* {change_summary(view)}\n"
                f"{plural(age, 'day')} old · {len([v for v in view.votes if v.choice == 'approve'])}"
                f" of {plural(proposal.required_approvals, 'approval')} · {waiting}"
            )
        )
    return blocks[: limits.MESSAGE_BLOCKS]


def _launches_text(launches: list[Launch]) -> str:
    """The launches that ship the item, soonest first: `LCH-3 · Checkout v2 · <date> · Planned`."""
    lines = [
        f"{launch_title(launch)} · {launch_when(launch)} · {labelled(launch.status)}"
        for launch in launches[:LAUNCHES_SHOWN]
    ]
    if len(launches) > LAUNCHES_SHOWN:
        lines.append(f"…and {len(launches) - LAUNCHES_SHOWN} more")
    return "*Launches that ship it:*\n" + "\n".join(lines)


def _item_line(view: ItemView) -> str:
    item = view.item
    owner = f" · {text.user(item.owner_id)}" if item.owner_id else ""
    target = f" · target {text.date_token(item.target_date)}" if item.target_date else ""
    asked = plural(len(view.requests), "request")
    demand = f" · demand {view.demand} (+1s on {asked})" if view.requests else ""
    return f"*{item.ref}* {text.escaped(item.title, 150)} · {labelled(item.status)}{owner}{target}{demand}"
