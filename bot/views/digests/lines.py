"""One line per digest item, as the digest message and its "See all" modal show them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, Protocol

from bot import text
from bot.services.digests.content import DigestList, LaunchLine, ProposalLine, RequestRow, TriageRow
from bot.views.common import labelled
from bot.views.roadmap.approval_card import KIND_WORDS

TITLE_SHOWN = 100
TRIAGE_WORDS = {
    "accepted": "accepted",
    "declined": "declined",
    "asked_for_info": "asked for info",  # a decision, like its neighbours (the status reads "Needs info")
    "marked_duplicate": "duplicate",
}
LIST_TITLES = {  # also the "See all" modal titles: 24 characters at most
    DigestList.NEW: "New requests",
    DigestList.TRIAGED: "Triage decisions",
    DigestList.APPROVED: "Changes approved",
    DigestList.REJECTED: "Changes rejected",
    DigestList.PENDING: "Changes pending",
    DigestList.UPCOMING: "Launches, next 14 days",
    DigestList.SHIPPED: "Launches shipped",
    DigestList.STUCK_REQUESTS: "Untriaged over 5 days",
    DigestList.STUCK_APPROVALS: "Pending over 3 days",
}


class Links(Protocol):
    """Something that turns a message's channel and ts into a permalink."""

    def permalink(self, channel_id: str | None, ts: str | None) -> str | None:
        """The permalink, or None when it cannot be made."""
        ...


def item_line(which: DigestList, item: Any, links: Links, until: datetime) -> str:
    """The line of one item of list `which`."""
    if which in (DigestList.NEW, DigestList.STUCK_REQUESTS):
        return request_line(item, links, until, stuck=which == DigestList.STUCK_REQUESTS)
    if which == DigestList.TRIAGED:
        return triage_line(item, links)
    if isinstance(item, ProposalLine):
        return proposal_line(item, links, until)
    return launch_line(item, links)


def request_line(row: RequestRow, links: Links, until: datetime, *, stuck: bool = False) -> str:
    """`• REQ-12 Title — high impact · 4 +1s` (or how long it has waited untriaged)."""
    ref = _ref(f"REQ-{row.number}", links.permalink(row.channel_id, row.ts))
    if stuck:
        detail = f"untriaged for {_age(row.created_at, until)}"
    else:
        detail = f"{labelled(row.impact)} impact"
        if row.upvotes:  # "0 +1s" says nothing
            detail += f" · {_plural(row.upvotes, '+1')}"
        if row.status != "new":
            detail += f" · {labelled(row.status)}"
    return f"• {ref} {text.escaped(row.title, TITLE_SHOWN)} — {detail}"


def triage_line(row: TriageRow, links: Links) -> str:
    """`• REQ-12 Title — declined`."""
    ref = _ref(f"REQ-{row.number}", links.permalink(row.channel_id, row.ts))
    return f"• {ref} {text.escaped(row.title, TITLE_SHOWN)} — {TRIAGE_WORDS.get(row.action, row.action)}"


def proposal_line(line: ProposalLine, links: Links, until: datetime) -> str:
    """`• CHG-3 Move “Search” (RM-4) — approved Nov 20`, or for an open one its age and missing votes."""
    row = line.row
    ref = _ref(f"CHG-{row.number}", links.permalink(row.channel_id, row.ts))
    item = f" (RM-{row.item_number})" if row.item_number else ""
    change = f"{KIND_WORDS.get(row.kind, labelled(row.kind))} “{text.escaped(row.title, TITLE_SHOWN)}”{item}"
    if row.status in ("approved", "rejected") and row.decided_at:
        return f"• {ref} {change} — {row.status} {text.date_token(_day(row.decided_at))}"
    age = _age(row.submitted_at, until)
    if row.status == "changes_requested":
        return f"• {ref} {change} — open {age} · changes requested, waiting for {text.user(row.proposer_id)}"
    approvals = f"{len(line.approved_by)} of {text.plural(row.required_approvals, 'approval')}"
    return f"• {ref} {change} — pending {age} · {approvals} · waiting for {_waiting(line)}"


def launch_line(line: LaunchLine, links: Links) -> str:
    """`• LCH-2 Name — Dec 3 · 12/20 done · 2 overdue: Title, Title` (or when it shipped)."""
    row = line.row
    ref = _ref(f"LCH-{row.number}", links.permalink(row.channel_id, row.ts))
    name = text.escaped(row.name, TITLE_SHOWN)
    if row.status == "launched":
        shipped = text.date_token(_day(row.launched_at)) if row.launched_at else "this week"
        return f"• {ref} {name} — launched {shipped} · {row.done}/{row.items} done"
    parts = [text.date_token(row.launch_date), f"{row.done}/{row.items} done"]
    if row.status == "slipped":
        parts.insert(0, "slipped")
    if row.overdue:
        named = ", ".join(text.escaped(item.title, 60) for item in line.overdue_items)
        unnamed = row.overdue - len(line.overdue_items)
        more = f" and {unnamed} more" if unnamed > 0 else ""
        parts.append(f"*{row.overdue} overdue*: {named}{more}")
    return f"• {ref} {name} — " + " · ".join(parts)


def list_value(which: DigestList, since: datetime, until: datetime, timezone: str, page: int = 0) -> str:
    """The value of a "See all" or pager button: enough to read the list again for that window."""
    return json.dumps(
        {"l": str(which), "s": int(since.timestamp()), "u": int(until.timestamp()), "z": timezone, "p": page},
        separators=(",", ":"),
    )


def _ref(label: str, url: str | None) -> str:
    return f"<{url}|*{label}*>" if url else f"*{label}*"


def _waiting(line: ProposalLine) -> str:
    named = [text.user(user_id) for user_id in line.waiting_for[:5]]
    if len(line.waiting_for) > 5:
        named.append(f"{len(line.waiting_for) - 5} more")
    if line.approver_group_id:
        named.append("the approvers' user group")
    if line.admins_approve:
        named.append("a workspace admin")
    return ", ".join(named) or "nobody (every approver has voted)"


def _age(since: datetime, until: datetime) -> str:
    days = max((until - since).days, 0)
    return "under a day" if days == 0 else _plural(days, "day")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _day(moment: datetime) -> Any:
    return moment.astimezone(UTC).date()
