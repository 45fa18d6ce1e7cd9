"""conversations.history and conversations.replies of the fake workspace: Slack's paging and filters."""

from __future__ import annotations

from typing import Any

Answer = dict[str, Any]
Messages = dict[tuple[str, str], dict[str, Any]]
TRUE = ("1", "true", "True")


def channel_history(messages: Messages, params: dict[str, Any]) -> Answer:
    """A channel's messages, newest first; thread replies are not in it (only their parents)."""
    channel = params.get("channel", "")
    found = [m for (c, _), m in messages.items() if c == channel and m.get("thread_ts", m["ts"]) == m["ts"]]
    return _page(sorted(found, key=_ts, reverse=True), params)


def thread_replies(messages: Messages, params: dict[str, Any]) -> Answer:
    """A thread's parent and replies, oldest first."""
    channel, parent = params.get("channel", ""), params.get("ts", "")
    if (channel, parent) not in messages:
        return {"ok": False, "error": "thread_not_found"}
    found = [
        m
        for (c, ts), m in messages.items()
        if c == channel and (ts == parent or m.get("thread_ts") == parent)
    ]
    return _page(sorted(found, key=_ts), params)


def _page(messages: list[dict[str, Any]], params: dict[str, Any]) -> Answer:
    """`oldest`/`latest` (exclusive unless `inclusive`), `limit`, `cursor`; metadata only with
    `include_all_metadata`."""
    inclusive = str(params.get("inclusive", "0")) in TRUE
    oldest, latest = float(params.get("oldest") or 0), float(params.get("latest") or 1e12)

    def within(message: dict[str, Any]) -> bool:
        ts = float(message["ts"])
        return (oldest <= ts <= latest) if inclusive else (oldest < ts < latest)

    selected = [m for m in messages if within(m)]
    start, limit = int(params.get("cursor") or 0), int(params.get("limit") or 100)
    page = selected[start : start + limit]
    if str(params.get("include_all_metadata", "0")) not in TRUE:
        page = [{k: v for k, v in m.items() if k != "metadata"} for m in page]
    more = start + limit < len(selected)
    return {
        "ok": True,
        "messages": page,
        "has_more": more,
        "response_metadata": {"next_cursor": str(start + limit) if more else ""},
    }


def _ts(message: dict[str, Any]) -> float:
    return float(message["ts"])
