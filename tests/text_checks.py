"""Every text pmbot showed, as a person reads it, and what must never be in it.

Gathers from the fake Slack (posts, updates, ephemerals, DMs, response_url posts, views opened,
pushed, updated and published) and from pmbot's own answers to Slack (acks with a message or a
view), each text with the kind Slack renders it as: mrkdwn, plain_text, or a message's fallback.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tests.fakes import FakeSlack

MESSAGE_METHODS = ("chat.postMessage", "chat.update", "chat.postEphemeral", "response_url")
VIEW_METHODS = ("views.open", "views.push", "views.update", "views.publish")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
TEST_USER_ID = re.compile(r"\bU_[A-Z]+\b|\bU[A-Z0-9]{8,}\b")
LIVE = ("<!channel>", "<!here>", "<!everyone>", "<!subteam", "<https://evil")
RAW_FIELDS = ("assignee_id", "owner_id", "horizon:", "needs_info", "in_progress", "_applied")
# An enum value shown as stored ("→ later", "(was planned)") rather than labelled ("→ Later").
LOWERCASE_ENUMS = re.compile(r"(?:→ |\(was |: )(?:later|next|now|new|planned|accepted|declined|duplicate)\b")


@dataclass(frozen=True)
class Shown:
    """One text a person saw: where it came from, how Slack renders it, the text."""

    where: str
    kind: str  # "mrkdwn", "plain_text" or "fallback"
    text: str


def everything_shown(fake: FakeSlack, answers: list[dict[str, Any]]) -> list[Shown]:
    """Each text in each message, modal and Home tab pmbot sent or answered with."""
    found: list[Shown] = []
    for call in fake.calls:
        if call.failed:
            continue
        if call.method in MESSAGE_METHODS:
            found += _message(call.method, call.params)
        elif call.method in VIEW_METHODS:
            found += list(_texts(call.method, call.params.get("view") or {}))
    for answer in answers:
        if answer.get("view"):
            found += list(_texts("ack view", answer["view"]))
        elif answer.get("options"):
            found += list(_texts("type-ahead options", answer["options"]))
        elif answer.get("blocks") or answer.get("text"):
            found += _message("ack", answer)
    return found


def messages_without_fallback(fake: FakeSlack, answers: list[dict[str, Any]]) -> list[str]:
    """Messages (and message answers) whose fallback `text` is missing or blank."""
    missing = [
        f"{call.method}: {str(call.params.get('blocks'))[:120]}"
        for call in fake.calls
        if call.method in MESSAGE_METHODS
        and not call.params.get("delete_original")
        and not str(call.params.get("text") or "").strip()
    ]
    missing += [
        f"ack: {str(a.get('blocks'))[:120]}"
        for a in answers
        if a.get("blocks") and not str(a.get("text") or "").strip()
    ]
    return missing


def problems(shown: list[Shown]) -> list[str]:
    """What a person should never read: double escapes, live broadcasts, internals, ids, "(s)", ISO dates."""
    found: list[str] = []
    for item in shown:
        said = item.text
        checks = {
            "escaped twice": "&amp;amp;" in said or "&amp;lt;" in said or "&amp;gt;" in said,
            "live broadcast or link": item.kind != "plain_text" and any(live in said for live in LIVE),
            "raw field name": any(raw in said for raw in RAW_FIELDS) or bool(LOWERCASE_ENUMS.search(said)),
            '"(s)"': "(s)" in said,
            "ISO date in mrkdwn": item.kind != "plain_text" and bool(ISO_DATE.search(_without_links(said))),
            "user id in plain_text": item.kind == "plain_text" and bool(TEST_USER_ID.search(said)),
            "entity in plain_text": item.kind == "plain_text" and bool(re.search(r"&(amp|lt|gt);", said)),
            "a mention in plain_text": item.kind == "plain_text" and "<@" in said,
        }
        found += [
            f"{name} in {item.where} ({item.kind}): {said[:200]!r}" for name, bad in checks.items() if bad
        ]
    return found


def _without_links(said: str) -> str:
    # A link's address (a permalink, say) is not a date anyone reads.
    return re.sub(r"<https?://[^|>]*", "<", said)


def _message(where: str, params: dict[str, Any]) -> list[Shown]:
    found = [Shown(where, "fallback", str(params.get("text") or ""))]
    for block in params.get("blocks") or []:
        found += list(_texts(where, block))
    return found


def _texts(where: str, node: Any) -> Iterator[Shown]:
    """Every text object under `node`, with its type (a bare string label is plain_text)."""
    if isinstance(node, list):
        for child in node:
            yield from _texts(where, child)
        return
    if not isinstance(node, dict):
        return
    if node.get("type") in ("mrkdwn", "plain_text") and isinstance(node.get("text"), str):
        yield Shown(where, node["type"], node["text"])
        return
    for key, value in node.items():
        if key in ("label", "title", "placeholder", "submit", "close", "hint") and isinstance(value, str):
            yield Shown(where, "plain_text", value)
        elif key == "initial_value" and isinstance(value, str):
            continue  # what a person edits: stored text, round-tripped as it is
        else:
            yield from _texts(where, value)
