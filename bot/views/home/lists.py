"""The lines a Home tab lists, and the "See all" modal that pages through a whole list."""

from __future__ import annotations

import json
from datetime import date

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, ContextBlock, DividerBlock
from slack_sdk.models.views import View

from bot import text
from bot.services.home.service import (
    AnyList,
    ChecklistEntry,
    HomeList,
    HomeQueue,
    PendingVote,
    UpcomingLaunch,
    YourProposal,
)
from bot.views import ids, limits
from bot.views.common import mrkdwn, plain, section
from bot.views.requests.card import status_label
from bot.views.roadmap.approval_card import KIND_WORDS
from storage.models import LaunchStatus, Request

PER_PAGE = 50  # lines are packed into sections of up to 3,000 characters: a page is a few blocks
TITLE_SHOWN = 120
PEOPLE_NAMED = 10  # approvers named on a proposal's line before "and N more"
LAUNCH_STATUS = {LaunchStatus.PLANNED: ":calendar: Planned", LaunchStatus.SLIPPED: ":arrow_right: Slipped"}

LIST_TITLES = {  # modal titles: 24 characters at most
    HomeList.MINE: "Your open requests",
    HomeList.FOLLOWED: "Requests you follow",
    HomeList.VOTES: "Waiting for your vote",
    HomeList.CHECKLIST: "Your checklist items",
    HomeList.LAUNCHES: "Upcoming launches",
    HomeList.TRIAGE: "Waiting for triage",
    HomeList.ASSIGNED: "Assigned to you",
    HomeList.PROPOSALS: "Your proposals",
}


def request_line(request: Request, *, show_requester: bool = False) -> str:
    """`*REQ-12* Title` then its status, when it last changed, and when it is needed by."""
    parts = [status_label(request.status), f"updated {text.time_token(request.updated_at)}"]
    if request.needed_by:
        parts.append(f"needed by {text.date_token(request.needed_by)}")
    if show_requester:
        parts.append(f"asked by {text.user(request.requester_id)}")
    return f"*{request.ref}* {text.escaped(request.title, TITLE_SHOWN)}\n" + " · ".join(parts)


def vote_line(pending: PendingVote) -> str:
    """`*CHG-3* Move “Search” (RM-4)` then who proposed it and when it expires."""
    proposal, item = pending.proposal, pending.item
    title = (item.title if item else None) or proposal.changes.get("title") or "a new item"
    ref = f" ({item.ref})" if item else ""
    return (
        f"*{proposal.ref}* {KIND_WORDS[proposal.kind]} “{text.escaped(title, TITLE_SHOWN)}”{ref}\n"
        f"proposed by {text.user(proposal.proposer_id)} · expires {text.time_token(proposal.expires_at)}"
    )


def checklist_line(entry: ChecklistEntry, today: date) -> str:
    """`*LCH-3* Write the release notes` then its launch, when it is due, and whether it is late."""
    item, launch = entry.item, entry.launch
    due = f"due {text.date_token(item.due_date)}"
    if item.due_date < today:
        due = f":warning: overdue, was {due}"
    elif item.due_date == today:
        due = f":hourglass_flowing_sand: {due} (today)"
    return (
        f"*{launch.ref}* {text.escaped(item.title, TITLE_SHOWN)}\n"
        f"{due} · for {text.escaped(launch.name, TITLE_SHOWN)} on {text.date_token(launch.launch_date)}"
    )


def launch_line(upcoming: UpcomingLaunch, today: date) -> str:
    """`*LCH-3* Name` then its date, status, checklist progress and owner."""
    launch = upcoming.launch
    when = text.date_token(launch.launch_date)
    if launch.launch_date < today:
        when = f":warning: {when} (date passed)"
    parts = [when, LAUNCH_STATUS.get(launch.status, str(launch.status))]
    items = text.plural(upcoming.total, "item")
    parts.append(f"{upcoming.done} of {items} done" if upcoming.total else "no checklist items")
    parts.append(f"owner {text.user(launch.owner_id)}")
    return f"*{launch.ref}* {text.escaped(launch.name, TITLE_SHOWN)}\n" + " · ".join(parts)


def list_lines(which: HomeList, listed: AnyList, today: date) -> list[str]:
    """The lines of one list, as the Home tab and the modal show them."""
    rows: list[object] = list(listed.rows)
    if which == HomeList.VOTES:
        return [vote_line(row) for row in rows if isinstance(row, PendingVote)]
    if which == HomeList.CHECKLIST:
        return [checklist_line(row, today) for row in rows if isinstance(row, ChecklistEntry)]
    if which == HomeList.LAUNCHES:
        return [launch_line(row, today) for row in rows if isinstance(row, UpcomingLaunch)]
    if which == HomeList.PROPOSALS:
        return [proposal_line(row) for row in rows if isinstance(row, YourProposal)]
    if which == HomeList.TRIAGE:
        return [triage_line(row) for row in rows if isinstance(row, Request)]
    others = which in (HomeList.FOLLOWED, HomeList.ASSIGNED)  # requests someone else asked for
    return [request_line(row, show_requester=others) for row in rows if isinstance(row, Request)]


def triage_line(request: Request) -> str:
    """`*REQ-12* Title` then who asked and when it was filed (the queue is oldest first)."""
    return (
        f"*{request.ref}* {text.escaped(request.title, TITLE_SHOWN)}\n"
        f"asked by {text.user(request.requester_id)} · filed {text.time_token(request.created_at)}"
    )


def proposal_line(mine: YourProposal) -> str:
    """`*CHG-3* Move “Search” (RM-4)` then whose vote it waits for and when it expires."""
    proposal, item = mine.proposal, mine.item
    title = (item.title if item else None) or proposal.changes.get("title") or "a new item"
    ref = f" ({item.ref})" if item else ""
    waiting = (
        "waiting for " + ", ".join(text.user(user_id) for user_id in mine.waiting_on[:PEOPLE_NAMED])
        if mine.waiting_on
        else "every approver has voted"
    )
    if len(mine.waiting_on) > PEOPLE_NAMED:
        waiting += f" and {len(mine.waiting_on) - PEOPLE_NAMED} more"
    return (
        f"*{proposal.ref}* {KIND_WORDS[proposal.kind]} “{text.escaped(title, TITLE_SHOWN)}”{ref}\n"
        f"{waiting} · expires {text.time_token(proposal.expires_at)}"
    )


def list_blocks(queue: HomeQueue, which: HomeList, title: str, empty: str) -> list[Block]:
    """A Home list: its title and total, its first lines (or what to do when empty), "See all"."""
    listed = _listed(queue, which)
    blocks: list[Block] = [DividerBlock(), section(f"*{title}* ({listed.total})")]
    lines = list_lines(which, listed, queue.today)
    # One section for a list's lines (not one a line): eight lists fit well inside Slack's 100 blocks.
    blocks += packed_sections(lines) or [ContextBlock(elements=[mrkdwn(empty)])]
    if listed.total > len(lines):
        blocks.append(
            ActionsBlock(block_id=f"home_more:{which}", elements=[see_all_button(which, listed.total)])
        )
    return blocks


def _listed(queue: HomeQueue, which: HomeList) -> AnyList:
    return {
        HomeList.MINE: queue.my_requests,
        HomeList.FOLLOWED: queue.followed,
        HomeList.VOTES: queue.awaiting_vote,
        HomeList.CHECKLIST: queue.checklist,
        HomeList.LAUNCHES: queue.launches,
        HomeList.TRIAGE: queue.waiting_for_triage,
        HomeList.ASSIGNED: queue.assigned,
        HomeList.PROPOSALS: queue.your_proposals,
    }[which]


def see_all_button(which: HomeList, total: int) -> ButtonElement:
    """The button under a list the Home tab shows only the first items of."""
    return ButtonElement(text=f"See all {total}", action_id=ids.HOME_SEE_ALL, value=str(which))


def full_list_modal(which: HomeList, listed: AnyList, page: int, today: date) -> View:
    """One page of a whole list, with Previous / Next buttons that replace it in place."""
    lines = list_lines(which, listed, today)
    first = page * PER_PAGE + 1
    blocks: list[Block] = [*packed_sections(lines)]
    if lines:
        shown = f"{first} to {first + len(lines) - 1} of {listed.total}"
        blocks.append(ContextBlock(elements=[mrkdwn(shown)]))
    else:
        blocks.append(section("_Nothing here any more._"))
    pager = _pager(which, page, has_more=first - 1 + len(lines) < listed.total)
    if pager is not None:
        blocks.append(pager)
    return View(
        type="modal",
        title=plain(LIST_TITLES[which], limits.MODAL_TITLE),
        close=plain("Close", limits.MODAL_TITLE),
        blocks=blocks,
    )


def packed_sections(lines: list[str]) -> list[Block]:
    """Lines in as few sections as Slack's 3,000 characters a section allow (blank-line separated)."""
    blocks: list[Block] = []
    current = ""
    for line in lines:
        joined = f"{current}\n\n{line}" if current else line
        if current and len(joined) > limits.SECTION_TEXT:
            blocks.append(section(current))
            joined = line
        current = joined
    if current:
        blocks.append(section(current))
    return blocks


def page_value(which: HomeList, page: int) -> str:
    """The value of a pager button."""
    return json.dumps({"list": str(which), "page": page})


def _pager(which: HomeList, page: int, *, has_more: bool) -> ActionsBlock | None:
    buttons = []
    if page > 0:
        buttons.append(
            ButtonElement(
                text="Previous", action_id=f"{ids.HOME_LIST_PAGE}_prev", value=page_value(which, page - 1)
            )
        )
    if has_more:
        buttons.append(
            ButtonElement(text="Next", action_id=ids.HOME_LIST_PAGE, value=page_value(which, page + 1))
        )
    return ActionsBlock(elements=buttons) if buttons else None
