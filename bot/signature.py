"""Slack's request signature (v0 HMAC-SHA256), checked before anything reads the body.

Bolt's own check answers 500 to a malformed timestamp and logs the whole body on failure;
this one answers every malformed header with a plain refusal and logs nothing of the body.
"""

from __future__ import annotations

import hashlib
import hmac
import time

MAX_CLOCK_SKEW_SECONDS = 300
_MAX_TIMESTAMP_DIGITS = 12


def is_valid_signature(
    *,
    signing_secret: str,
    body: bytes,
    timestamp: str | None,
    signature: str | None,
    now: float | None = None,
) -> bool:
    """True only for a well-formed, fresh, correctly signed request."""
    if not timestamp or not signature:
        return False
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > _MAX_TIMESTAMP_DIGITS:
        return False
    if abs((now if now is not None else time.time()) - int(timestamp)) > MAX_CLOCK_SKEW_SECONDS:
        return False
    if not signature.isascii():
        return False
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)
