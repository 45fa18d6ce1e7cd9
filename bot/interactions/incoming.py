"""What arrived: the kind of interaction, its once-only key, who sent it from where."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

# Kinds that change nothing (type-ahead options, a closed modal, Slack's URL check): answered
# without being recorded.
READ_ONLY_KINDS = frozenset({"block_suggestion", "view_closed", "url_verification", "ssl_check"})


@dataclass(frozen=True)
class Incoming:
    """One request from Slack, parsed once."""

    kind: str
    payload: dict[str, Any]
    team_id: str
    user_id: str
    key: str | None  # None: nothing to record (a read, or a shape pmbot does not know)

    @property
    def response_url(self) -> str | None:
        """Where Slack accepts later answers to this interaction, if it gave one."""
        url = self.payload.get("response_url")
        if not url:
            urls = self.payload.get("response_urls") or []
            url = urls[0].get("response_url") if urls and isinstance(urls[0], dict) else None
        return str(url) if url else None

    @property
    def is_event(self) -> bool:
        """An Events API delivery (Slack retries these itself when not answered 2xx)."""
        return self.kind.startswith("event:")


def read_incoming(body: str) -> Incoming:
    """Parse a verified body as Slack sends it: events as JSON, commands as a form,
    interactivity as a form with one `payload` field holding JSON."""
    payload = _parse(body)
    if "command" in payload:
        kind = "command"
    elif payload.get("type") == "event_callback":
        kind = f"event:{payload.get('event', {}).get('type', '')}"
    else:
        kind = str(payload.get("type") or "unknown")
    return Incoming(
        kind=kind,
        payload=payload,
        team_id=_team_id(payload),
        user_id=_user_id(payload),
        key=_key(kind, payload, body),
    )


def _parse(body: str) -> dict[str, Any]:
    try:
        if body.startswith("{"):
            parsed = json.loads(body)
        else:
            form = dict(parse_qsl(body, keep_blank_values=True))
            parsed = json.loads(form["payload"]) if "payload" in form else form
    except (ValueError, KeyError):
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _key(kind: str, payload: dict[str, Any], body: str) -> str | None:
    if kind in READ_ONLY_KINDS or kind == "unknown":
        return None
    if kind.startswith("event:"):
        event_id = payload.get("event_id")
        return f"event:{event_id}" if event_id else None
    # One trigger id per command, click, shortcut or submission; a replay carries the same one.
    trigger_id = payload.get("trigger_id")
    if trigger_id:
        return f"trigger:{trigger_id}"
    return "body:" + hashlib.sha256(body.encode()).hexdigest()


def _team_id(payload: dict[str, Any]) -> str:
    team = payload.get("team")
    found = payload.get("team_id") or (team.get("id") if isinstance(team, dict) else None)
    if not found and isinstance(payload.get("user"), dict):
        found = payload["user"].get("team_id")
    return str(found or "")


def _user_id(payload: dict[str, Any]) -> str:
    user = payload.get("user")
    if isinstance(user, dict):
        return str(user.get("id") or "")
    event = payload.get("event")
    if isinstance(event, dict) and isinstance(event.get("user"), str):
        return event["user"]
    return str(payload.get("user_id") or user or "")
