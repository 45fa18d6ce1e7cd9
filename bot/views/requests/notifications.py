"""Direct messages and thread replies that tell people what happened to a request."""

from __future__ import annotations

import re
from typing import Any

from slack_sdk.models.blocks import Block, ContextBlock

from bot import text
from bot.views import limits
from bot.views.common import labelled, mrkdwn, section, via_change
from bot.views.requests.card import status_label

NOTE_MAX = 2000
DUPLICATE_OF = re.compile(r"Duplicate of (REQ-\d+)(, which (is done|was declined))?")
HEADLINE_IS_NOTE = {"shipped", "plan_moved"}  # their note says it all: it is the headline
GATHERED_SHOWN = 40  # of Slack's 50 blocks a message: heading, a "more" line and the context stay
WHY = {"requester": "you asked for it", "assignee": "it was assigned to you: it is yours to do"}
WHY_MANY = {
    "requester": "you asked for them",
    "assignee": "some are yours to do",
    "follower": "you follow them",
}


def notice_message(notice: dict[str, Any]) -> tuple[str, list[Block]]:
    """The DM for a change to a request: (fallback text, blocks)."""
    ref, title = notice["ref"], text.escaped(notice["title"], limits.HEADER_TEXT)
    actor = text.user(notice["actor_id"])
    headline = _headline(notice, ref, title, actor)
    blocks: list[Block] = [section(headline)]
    if notice.get("note") and notice["action"] not in HEADLINE_IS_NOTE:
        blocks.append(section(_note_line(notice)))
    if notice["new_status"] == "needs_info" and notice.get("role") == "requester":
        blocks.append(section(f"Please answer {actor} directly; they will update the request."))
    why = WHY.get(notice.get("role") or "", "you follow it")
    blocks.append(ContextBlock(elements=[mrkdwn(f"You get this because {why}.")]))
    return text.truncate(_plain_headline(notice), limits.MESSAGE_TEXT), blocks


def gathered_message(notices: list[dict[str, Any]]) -> tuple[str, list[Block]]:
    """One DM for several notices (a single one reads as `notice_message`): (fallback, blocks)."""
    if len(notices) == 1:
        return notice_message(notices[0])
    refs = {notice["ref"] for notice in notices}
    one = len(refs) == 1  # all about one request: name it, and say why as for one
    heading = f"{len(notices)} updates on {next(iter(refs)) if one else _whose(notices)}"
    blocks: list[Block] = [section(f"*{heading}:*")]
    for notice in notices[:GATHERED_SHOWN]:
        blocks.extend(_item_blocks(notice))
    if len(notices) > GATHERED_SHOWN:
        blocks.append(section(f"…and {len(notices) - GATHERED_SHOWN} more: your Home tab lists them all."))
    roles = {notice.get("role") or "follower" for notice in notices}
    reasons = WHY if one else WHY_MANY
    why = " and ".join(
        reasons.get(role, "you follow it") for role in ("requester", "assignee", "follower") if role in roles
    )
    blocks.append(ContextBlock(elements=[mrkdwn(f"You get this because {why}.")]))
    listed = "; ".join(_plain_headline(notice).rstrip(".") for notice in notices)
    return text.truncate(f"{heading}: {listed}", limits.MESSAGE_TEXT), blocks


def filed_reply(ref: str) -> str:
    """The thread reply under a message that was filed as a request."""
    return f":memo: Filed as *{ref}*."


def _whose(notices: list[dict[str, Any]]) -> str:
    if all(notice.get("role") == "requester" for notice in notices):
        return "your requests"
    return "requests you asked for or follow"


def _item_blocks(notice: dict[str, Any]) -> list[Block]:
    """One notice inside a gathered DM: its headline, and its question or note."""
    ref, title = notice["ref"], text.escaped(notice["title"], limits.HEADER_TEXT)
    lines = ["• " + _headline(notice, ref, title, text.user(notice["actor_id"]))]
    if notice.get("note") and notice["action"] not in HEADLINE_IS_NOTE:
        lines.append("   " + _note_line(notice))
    if notice["new_status"] == "needs_info" and notice.get("role") == "requester":
        asker = text.user(notice["actor_id"])
        lines.append(f"   Please answer {asker} directly; they will update the request.")
    return [section("\n".join(lines))]


def _note_line(notice: dict[str, Any]) -> str:
    """A person's note or question, labelled; pmbot's own words (what a roadmap change meant) bare."""
    said = text.escaped(notice["note"], NOTE_MAX)
    if via_change(notice):
        return said
    if notice["action"] == "marked_duplicate":
        return _duplicate_line(notice, said)
    label = "Question" if notice["new_status"] == "needs_info" else "Note"
    return f"*{label}:* {said}"


def _duplicate_line(notice: dict[str, Any], said: str) -> str:
    """pmbot's "Duplicate of REQ-1", and to its requester what followed: they follow the original."""
    original = DUPLICATE_OF.match(said)
    if notice.get("role") != "requester" or original is None:
        return f"{said}."
    if original[3] == "is done":
        return f"{said}. If it misses something you need, file a new request and say what."
    if original[3] == "was declined":
        return f"{said}. If something has changed since, file a new request and say what."
    return f"{said}. You follow {original[1]}: you will hear of its changes."


def _headline(notice: dict[str, Any], ref: str, title: str, actor: str) -> str:
    via = via_change(notice)
    if notice["action"] == "plan_moved":  # the note says what moved, and where to
        return f"*{text.escaped(notice['note'], NOTE_MAX)}* {title}" + (f" {via}." if via else "")
    if notice["action"] == "shipped":
        return f"*{text.escaped(notice['note'], NOTE_MAX)}* {title}"
    if notice["action"] == "assigned":
        return f"{actor} assigned *{ref}* {title} to {_assignee(notice)}."
    if notice["action"] == "filed_for_you":
        where = f" in {text.channel(notice['channel_id'])}" if notice.get("channel_id") else ""
        return f"{actor} filed your message{where} as *{ref}* {title}. You will hear here of its changes."
    old, new = status_label(notice["old_status"]), status_label(notice["new_status"])
    return f"*{ref}* {title} is now *{new}* (was {old}) " + (f"{via}." if via else f"by {actor}.")


def _plain_headline(notice: dict[str, Any]) -> str:
    title = text.escaped(notice["title"], limits.HEADER_TEXT)
    via = via_change(notice)
    if notice["action"] in HEADLINE_IS_NOTE:
        return f"{text.escape(str(notice['note']))} {title}" + (f" {via}" if via else "")
    if notice["action"] == "assigned":
        return f"{notice['ref']} {title} was assigned to {_assignee(notice)}"
    if notice["action"] == "filed_for_you":
        return f"Your message was filed as {notice['ref']} {title}"
    old, new = labelled(notice["old_status"]), labelled(notice["new_status"])
    return f"{notice['ref']} {title} is now {new} (was {old})" + (f" {via}" if via else "")


def _assignee(notice: dict[str, Any]) -> str:
    """Who a request was assigned to, as the reader says it: "you" to the assignee."""
    if not notice.get("assignee_id"):
        return "nobody"
    return "you" if notice.get("role") == "assignee" else text.user(notice["assignee_id"])
