"""The one place an error raised by a listener becomes a message to the person."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncRespond

from bot.errors import PmbotError

log = logging.getLogger(__name__)

SOMETHING_WENT_WRONG = (
    ":warning: Something went wrong on pmbot's side, and nothing was changed. Please try again."
)


def register(app: AsyncApp) -> None:
    """Attach the error handler."""
    app.error(show_error)


async def show_error(error: Exception, body: dict[str, Any], respond: AsyncRespond | None) -> None:
    """Domain errors are told to the person; anything else is logged with context, never the body."""
    if isinstance(error, PmbotError):
        message = f":warning: {error.message}"
    else:
        log.error("listener failed for %s: %r", _describe(body), error, exc_info=error)
        message = SOMETHING_WENT_WRONG
    if respond is not None and body.get("response_url"):
        await respond(text=message, response_type="ephemeral", replace_original=False)


def _describe(body: dict[str, Any]) -> str:
    kind = body.get("type") or ("slash_command" if "command" in body else "request")
    detail = (
        body.get("command")
        or body.get("callback_id")
        or ",".join(action.get("action_id", "") for action in body.get("actions", []))
    )
    return f"{kind} {detail} (team {body.get('team_id') or body.get('team', {}).get('id')})"
