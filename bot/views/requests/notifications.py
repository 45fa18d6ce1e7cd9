"""Direct messages and thread replies that tell people what happened to a request."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block, ContextBlock

from bot import text
from bot.views import limits
from bot.views.common import labelled, mrkdwn, section
from bot.views.requests.card import status_label

NOTE_MAX = 2000
WHY = {"requester": "you asked for it", "assignee": "it was assigned to you: it is yours to do"}


def notice_message(notice: dict[str, Any]) -> tuple[str, list[Block]]:
    """The DM for a change to a request: (fallback text, blocks)."""
    ref, title = notice["ref"], text.escaped(notice["title"], limits.HEADER_TEXT)
    actor = text.user(notice["actor_id"])
    headline = _headline(notice, ref, title, actor)
    blocks: list[Block] = [section(headline)]
    if notice.get("note") and notice["action"] != "shipped":  # a shipped headline is the note
        label = "Question" if notice["new_status"] == "needs_info" else "Note"
        blocks.append(section(f"*{label}:* {text.escaped(notice['note'], NOTE_MAX)}"))
    if notice["new_status"] == "needs_info" and notice.get("role") == "requester":
        blocks.append(section(f"Please answer {actor} directly; they will update the request."))
    why = WHY.get(notice.get("role") or "", "you follow it")
    blocks.append(ContextBlock(elements=[mrkdwn(f"You get this because {why}.")]))
    return text.truncate(_plain_headline(notice), limits.MESSAGE_TEXT), blocks


def filed_reply(ref: str) -> str:
    """The thread reply under a message that was filed as a request."""
    return f":memo: Filed as *{ref}*."


def _headline(notice: dict[str, Any], ref: str, title: str, actor: str) -> str:
    if notice["action"] == "shipped":
        return f"*{text.escaped(notice['note'], NOTE_MAX)}* {title}"
    if notice["action"] == "assigned":
        assignee = text.user(notice["assignee_id"]) if notice.get("assignee_id") else "nobody"
        return f"{actor} assigned *{ref}* {title} to {assignee}."
    old, new = status_label(notice["old_status"]), status_label(notice["new_status"])
    return f"*{ref}* {title} is now *{new}* (was {old}), by {actor}."


def _plain_headline(notice: dict[str, Any]) -> str:
    title = text.escaped(notice["title"], limits.HEADER_TEXT)
    if notice["action"] == "shipped":
        return f"{text.escape(str(notice['note']))} {title}"
    if notice["action"] == "assigned":
        assignee = text.user(notice["assignee_id"]) if notice.get("assignee_id") else "nobody"
        return f"{notice['ref']} {title} was assigned to {assignee}"
    old, new = labelled(notice["old_status"]), labelled(notice["new_status"])
    return f"{notice['ref']} {title} is now {new} (was {old})"
