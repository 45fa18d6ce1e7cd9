"""Small Block Kit pieces every view uses."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import Block, MarkdownTextObject, Option, PlainTextObject, SectionBlock

from bot import text
from bot.views import limits


def mrkdwn(content: str) -> MarkdownTextObject:
    """mrkdwn with Slack's auto-parsing off: only our explicit tokens link or mention."""
    return MarkdownTextObject(text=text.truncate(content, limits.SECTION_TEXT) or " ", verbatim=True)


def plain(content: str, limit: int = limits.SECTION_TEXT) -> PlainTextObject:
    """Plain text, cut to `limit`; Slack rejects an empty one, so it never is. A user mention
    cannot render here: it shows as "@someone", never as an id (names come resolved, see text.plain)."""
    return PlainTextObject(text=text.truncate(text.plain(content), limit) or " ", emoji=True)


def section(content: str) -> SectionBlock:
    """A section of mrkdwn (already escaped where it holds user text)."""
    return SectionBlock(text=mrkdwn(content))


def option(label: str, value: str) -> Option:
    """A select option within Slack's label and value limits."""
    return Option(text=plain(label, limits.OPTION_TEXT), value=value[: limits.OPTION_VALUE])


def labelled(name: str) -> str:
    """`feature` → `Feature`, `needs_info` → `Needs info`."""
    return name.replace("_", " ").capitalize()


def as_dicts(blocks: Sequence[Block]) -> list[dict[str, Any]]:
    """Blocks as Slack takes them; `to_dict()` validates each against Slack's limits."""
    return [block.to_dict() for block in blocks]


FALLBACK_MAX = 300  # a notification shows a line or two of a message's fallback text


def fallback_text(blocks: Sequence[Block | dict[str, Any]]) -> str:
    """A message's fallback `text` (notifications, screen readers): its first line of words.

    Slack reads the fallback as mrkdwn, so words taken from plain_text are escaped first: a
    `<!here>` typed in a title stays text here too."""
    for block in blocks:
        shown = block.to_dict() if isinstance(block, Block) else block
        parts = [shown.get("text") or {}] if shown.get("text") else list(shown.get("elements") or [])
        words = " ".join(_as_mrkdwn(part) for part in parts if isinstance(part, dict) and _is_text(part))
        line = next((line.strip() for line in words.splitlines() if line.strip()), "")
        if line:
            return text.truncate(line, FALLBACK_MAX)
    return "pmbot"


def _is_text(part: dict[str, Any]) -> bool:
    return part.get("type") in ("mrkdwn", "plain_text") and isinstance(part.get("text"), str)


def _as_mrkdwn(part: dict[str, Any]) -> str:
    words = str(part.get("text") or "")
    return text.escape(words) if part.get("type") == "plain_text" else words


def via_change(values: dict[str, Any]) -> str | None:
    """ "via CHG-2 (approved by @a, @b)" for what a roadmap change did, or None for a person's act."""
    proposal = values.get("proposal")
    if not proposal:
        return None
    approvers = [text.user(str(user_id)) for user_id in values.get("approved_by") or []]
    approved = f" (approved by {', '.join(approvers)})" if approvers else ""
    return f"via {text.escape(str(proposal))}{approved}"
