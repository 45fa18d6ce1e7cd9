"""Requests shaped and signed as Slack sends them: slash commands form-encoded, interactivity as
`payload=<JSON>`, events as JSON, each with the v0 signature headers."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from bot.playground import sample

# Slack sends a verification token too; pmbot checks signatures instead, so any value does.
VERIFICATION_TOKEN = "playground-verification-token"
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


@dataclass(frozen=True)
class SignedRequest:
    """A body and the headers Slack would send with it."""

    body: bytes
    headers: dict[str, str]


def sign(secret: str, body: bytes, content_type: str) -> SignedRequest:
    """Slack's v0 signature: HMAC-SHA256 of `v0:<timestamp>:<body>` with the signing secret."""
    timestamp = str(int(time.time()))
    digest = hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256)
    headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": "v0=" + digest.hexdigest(),
    }
    return SignedRequest(body, headers)


def slash_command(
    secret: str, *, command: str, text: str, user: str, channel: str, trigger_id: str, response_url: str
) -> SignedRequest:
    """A slash command with the fields Slack sends."""
    person = sample.person(user)
    fields = {
        "token": VERIFICATION_TOKEN,
        "team_id": sample.TEAM_ID,
        "team_domain": sample.TEAM_DOMAIN,
        "channel_id": channel,
        "channel_name": channel_name(channel),
        "user_id": user,
        "user_name": person.handle if person else user,
        "command": command,
        "text": text,
        "api_app_id": sample.APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }
    return sign(secret, urlencode(fields).encode(), FORM)


def interactive(secret: str, payload: dict[str, Any]) -> SignedRequest:
    """An interactivity request (actions, submissions, shortcuts, options): `payload=<JSON>`."""
    return sign(secret, urlencode({"payload": json.dumps(payload)}).encode(), FORM)


def event_callback(secret: str, event: dict[str, Any]) -> SignedRequest:
    """An Events API delivery of one event."""
    payload = {
        "token": VERIFICATION_TOKEN,
        "team_id": sample.TEAM_ID,
        "api_app_id": sample.APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": "Ev" + secrets.token_hex(6).upper(),
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": sample.TEAM_ID,
                "user_id": sample.BOT_USER_ID,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
    }
    return sign(secret, json.dumps(payload, separators=(",", ":")).encode(), JSON)


def channel_name(channel: str) -> str:
    """A channel's name as payloads carry it; DMs are "directmessage"."""
    return sample.CHANNELS.get(channel, "directmessage")


def common(kind: str, user: str) -> dict[str, Any]:
    """The fields every interactivity payload starts with."""
    person = sample.person(user)
    handle = person.handle if person else user
    return {
        "type": kind,
        "user": {"id": user, "username": handle, "name": handle, "team_id": sample.TEAM_ID},
        "api_app_id": sample.APP_ID,
        "token": VERIFICATION_TOKEN,
        "team": {"id": sample.TEAM_ID, "domain": sample.TEAM_DOMAIN},
        "enterprise": None,
        "is_enterprise_install": False,
    }


def message_surface(
    channel: str, message: dict[str, Any], *, ephemeral: bool, response_url: str
) -> dict[str, Any]:
    """What a payload from a message carries; Slack leaves the message out for an ephemeral one."""
    fields: dict[str, Any] = {
        "container": {
            "type": "message",
            "message_ts": message["ts"],
            "channel_id": channel,
            "is_ephemeral": ephemeral,
        },
        "channel": {"id": channel, "name": channel_name(channel)},
        "response_url": response_url,
    }
    if not ephemeral:
        fields["message"] = message
    return fields


def view_surface(view: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """What a payload from a modal or the Home tab carries: the view with the state typed so far."""
    return {
        "view": {**view, "state": {"values": values}},
        "container": {"type": "view", "view_id": view["id"]},
    }


def action_ts() -> str:
    """When the action happened, as Slack writes it."""
    return f"{time.time():.6f}"
