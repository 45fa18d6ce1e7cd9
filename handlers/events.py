"""Events pmbot subscribes to. Every subscribed event is acknowledged: Slack counts a 404 as a
failed delivery and disables apps that fail too often."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncApp

log = logging.getLogger(__name__)


def register(app: AsyncApp) -> None:
    """Attach the event listeners."""
    app.event("app_uninstalled")(note_uninstalled)
    app.event("tokens_revoked")(note_tokens_revoked)


def register_last(app: AsyncApp) -> None:
    """Acknowledge every other event quietly (after every feature's own event listeners)."""
    app.event(re.compile(".*"))(ignore_event)


async def ignore_event(event: dict[str, Any]) -> None:
    """An event pmbot does not act on: 200 (a 404 counts as a failed delivery), one DEBUG line."""
    log.debug("ignored a %s event", event.get("type"))


async def note_uninstalled(event: dict[str, Any], context: Any) -> None:
    """pmbot was removed: its token no longer works; the data stays until an admin deletes it."""
    log.warning("pmbot was uninstalled from team %s", context.team_id)


async def note_tokens_revoked(event: dict[str, Any], context: Any) -> None:
    """Slack revoked a token: deliveries will fail with token_revoked until it is replaced."""
    log.warning("tokens revoked in team %s", context.team_id)
