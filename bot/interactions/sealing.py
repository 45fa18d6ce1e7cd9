"""Modal metadata a person cannot forge: pmbot seals what it puts in a view's private_metadata
with an HMAC (the signing secret) bound to the workspace and the person the modal was opened
for, and opens the seal before any listener reads it. Anything else is refused."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

SEAL_VERSION = "s1"
MAC_CHARS = 32
SEAL_OVERHEAD = len(SEAL_VERSION) + MAC_CHARS + 2  # what sealing adds to Slack's 3,000 characters


class ForgedMetadata(ValueError):
    """The metadata is not what pmbot sealed for this person in this workspace."""


def seal(metadata: str, *, secret: str, team_id: str, user_id: str) -> str:
    """`metadata`, sealed for `user_id` in `team_id` (empty stays empty)."""
    if not metadata:
        return metadata
    return f"{SEAL_VERSION}.{_mac(metadata, secret, team_id, user_id)}.{metadata}"


def unseal(sealed: str, *, secret: str, team_id: str, user_id: str) -> str:
    """The metadata inside a seal made for this person; ForgedMetadata otherwise."""
    if not sealed:
        return sealed
    version, _, rest = sealed.partition(".")
    mac, _, metadata = rest.partition(".")
    if version != SEAL_VERSION or not hmac.compare_digest(mac, _mac(metadata, secret, team_id, user_id)):
        raise ForgedMetadata("modal metadata without pmbot's seal for this person")
    return metadata


def seal_view(view: Any, *, secret: str, team_id: str, user_id: str) -> Any:
    """A view (model or dict) with its private_metadata sealed."""
    as_dict = view.to_dict() if hasattr(view, "to_dict") else dict(view)
    if as_dict.get("private_metadata"):
        as_dict["private_metadata"] = seal(
            as_dict["private_metadata"], secret=secret, team_id=team_id, user_id=user_id
        )
    return as_dict


def _mac(metadata: str, secret: str, team_id: str, user_id: str) -> str:
    message = f"{team_id}\n{user_id}\n{metadata}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:MAC_CHARS]
