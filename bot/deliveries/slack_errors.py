"""What a failed Slack call says, whatever its shape (JSON, text, HTML, no answer at all)."""

from __future__ import annotations

from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError

# Slack may have done the work before answering with these.
MAYBE_PROCESSED_CODES = frozenset({"internal_error", "fatal_error", "request_timeout", "service_unavailable"})
# The token no longer works: nothing for the workspace can succeed until it is reinstalled.
INSTALLATION_ERRORS = frozenset({"token_revoked", "invalid_auth", "account_inactive"})
RATE_LIMITED = 429
DEFAULT_RETRY_AFTER_SECONDS = 30.0


def status_of(error: SlackApiError) -> int:
    """The HTTP status; slack_sdk hands an aiohttp response (`.status`) for bodies it could not parse."""
    response = error.response
    status = getattr(response, "status_code", None) or getattr(response, "status", None)
    return int(status) if isinstance(status, int) else 0


def code_of(error: SlackApiError) -> str | None:
    """Slack's error code (`not_in_channel`...), or None when the body was not Slack's JSON."""
    data = getattr(error.response, "data", None)
    if isinstance(data, dict):
        code = data.get("error")
        return str(code) if code else None
    return None


def headers_of(error: SlackApiError) -> Any:
    """The response headers, or an empty mapping."""
    return getattr(error.response, "headers", None) or {}


def retry_after_seconds(error: SlackApiError, *, cap: float) -> float:
    """Retry-After in seconds, lenient about its shape (slack_sdk's handler fails on "1.5")."""
    headers = headers_of(error)
    raw = next((value for key, value in headers.items() if str(key).lower() == "retry-after"), None)
    if isinstance(raw, list):
        raw = raw[0] if raw else None
    try:
        return min(max(float(raw), 1.0), cap) if raw is not None else DEFAULT_RETRY_AFTER_SECONDS
    except ValueError:
        return DEFAULT_RETRY_AFTER_SECONDS


def describe(error: BaseException) -> str:
    """A short, token-free line for the log and the job's last_error."""
    if isinstance(error, SlackApiError):
        code = code_of(error)
        return f"HTTP {status_of(error)} {code or 'unreadable answer'}".strip()
    return f"{type(error).__name__}: {error}".rstrip(": ")


def maybe_processed(error: BaseException) -> bool:
    """True when Slack may have acted on the call although pmbot got no good answer."""
    if isinstance(error, SlackApiError):
        status = status_of(error)
        if status == RATE_LIMITED:
            return False
        code = code_of(error)
        return not (status == 200 and code is not None and code not in MAYBE_PROCESSED_CODES)
    # Never connected: the request cannot have arrived.
    return not isinstance(error, aiohttp.ClientConnectorError)
