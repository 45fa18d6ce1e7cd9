"""Events API requests and the event dicts they carry."""

from __future__ import annotations

import secrets
import time
from typing import Any

from .signing import (
    CHANNEL_ID,
    USER_ID,
    VERIFICATION_TOKEN,
    SignedRequest,
    new_event_id,
    new_ts,
    signed_json,
)
from .workspace import APP_ID, BOT_USER_ID, TEAM_ID


def event(
    secret: str,
    *,
    event: dict[str, Any],
    team_id: str = TEAM_ID,
    event_id: str | None = None,
    retry_num: int | None = None,
    timestamp: int | None = None,
) -> SignedRequest:
    """An Events API `event_callback`; `retry_num` adds Slack's retry headers."""
    authorization = {
        "enterprise_id": None,
        "team_id": team_id,
        "user_id": BOT_USER_ID,
        "is_bot": True,
        "is_enterprise_install": False,
    }
    payload = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or new_event_id(),
        "event_time": int(time.time()),
        "authorizations": [authorization],
        "is_ext_shared_channel": False,
        "event_context": f"4-{event.get('type', 'event')}-{team_id}-{event.get('channel', '')}",
    }
    request = signed_json(secret, payload, timestamp)
    if retry_num is not None:
        request.headers.update({"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"})
    return request


def url_verification(
    secret: str, *, challenge: str = "challenge-token", timestamp: int | None = None
) -> SignedRequest:
    """The handshake Slack sends when the Events request URL is saved."""
    payload = {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}
    return signed_json(secret, payload, timestamp)


def message_event(
    text: str,
    *,
    user: str = USER_ID,
    channel: str = CHANNEL_ID,
    ts: str | None = None,
    thread_ts: str | None = None,
    team_id: str = TEAM_ID,
) -> dict[str, Any]:
    """A person's `message` event (its text arrives already escaped, with real mention tokens)."""
    stamp = ts or new_ts()
    message: dict[str, Any] = {
        "type": "message",
        "client_msg_id": secrets.token_hex(8),
        "text": text,
        "user": user,
        "ts": stamp,
        "team": team_id,
        "channel": channel,
        "event_ts": stamp,
        "channel_type": "im" if channel.startswith("D") else "channel",
    }
    if thread_ts:
        message["thread_ts"] = thread_ts
    return message


def app_mention_event(
    text: str, *, user: str = USER_ID, channel: str = CHANNEL_ID, ts: str | None = None
) -> dict[str, Any]:
    """An `app_mention` event; Slack also sends a separate `message` event for the same message."""
    mention = message_event(text, user=user, channel=channel, ts=ts)
    del mention["channel_type"]
    return {**mention, "type": "app_mention"}


def app_home_opened_event(user: str = USER_ID, *, tab: str = "home") -> dict[str, Any]:
    """An `app_home_opened` event."""
    return {"type": "app_home_opened", "user": user, "channel": "D" + user, "tab": tab, "event_ts": new_ts()}
