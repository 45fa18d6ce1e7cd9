"""Slack's request signing, the SignedRequest every builder returns, and unique ids for payloads."""

from __future__ import annotations

import itertools
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

USER_ID = "U_ALICE"
CHANNEL_ID = "C_GENERAL"
VERIFICATION_TOKEN = "verification-token-test"
DUMMY_RESPONSE_URL = "https://hooks.slack.com/commands/T_TEST/1000000000/dummy"
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

_serial = itertools.count(1)


@dataclass
class SignedRequest:
    """A request as Slack would POST it; `payload` and `kind` feed `FakeSlack.socket_send`."""

    body: bytes
    headers: dict[str, str]
    payload: dict[str, Any]
    kind: str


def sign(body: bytes, secret: str, timestamp: int | None = None) -> dict[str, str]:
    """Slack's v0 signature headers, plus the Content-Type that matches the body."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return {
        "Content-Type": JSON if body.lstrip().startswith(b"{") else FORM,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature or "",
    }


def signed_form(secret: str, fields: dict[str, str], kind: str, timestamp: int | None) -> SignedRequest:
    """A form-encoded request; Socket Mode gets the same fields as a dict."""
    body = urlencode(fields).encode()
    return SignedRequest(body, sign(body, secret, timestamp), fields, kind)


def signed_interactive(secret: str, payload: dict[str, Any], timestamp: int | None) -> SignedRequest:
    """An interactivity request: `payload=<url-encoded JSON>`."""
    body = urlencode({"payload": json.dumps(payload)}).encode()
    return SignedRequest(body, sign(body, secret, timestamp), payload, "interactive")


def signed_json(secret: str, payload: dict[str, Any], timestamp: int | None) -> SignedRequest:
    """An Events API request: compact JSON."""
    body = json.dumps(payload, separators=(",", ":")).encode()
    return SignedRequest(body, sign(body, secret, timestamp), payload, "events_api")


def new_trigger_id() -> str:
    """A trigger_id shaped like Slack's, unique per call."""
    return f"{next(_serial)}.1000000000.{secrets.token_hex(16)}"


def new_ts() -> str:
    """A message timestamp, unique per call and distinct from the ones FakeSlack hands out."""
    return f"1690000000.{next(_serial):06d}"


def new_view_id() -> str:
    """A view id, unique per call."""
    return f"V_{next(_serial):08d}"


def new_event_id() -> str:
    """An event_id, unique per call."""
    return f"Ev{next(_serial):08d}"


def action_ts() -> str:
    """An action_ts for now."""
    return f"{time.time():.6f}"
