"""The one place an error raised by a listener becomes a message to the person."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.deliveries.slack_errors import code_of
from bot.errors import PmbotError

log = logging.getLogger(__name__)

SOMETHING_WENT_WRONG = (
    ":warning: Something went wrong on pmbot's side, and nothing was changed. Please try again."
)
# Slack gives 3 seconds to open a modal after a click; past that it answers one of these.
EXPIRED_TRIGGER_ERRORS = frozenset({"expired_trigger_id", "invalid_trigger", "trigger_expired"})
CLICK_AGAIN = (
    ":hourglass: Slack was too slow to open that window for me, so nothing opened and nothing "
    "changed. Please click (or run the command) again."
)


def register(app: AsyncApp) -> None:
    """Attach the error handler."""
    app.error(show_error)


async def show_error(
    error: Exception, body: dict[str, Any], respond: AsyncRespond | None, client: AsyncWebClient
) -> None:
    """Domain errors are told to the person; anything else is logged with context, never the body."""
    if isinstance(error, SlackApiError) and code_of(error) in EXPIRED_TRIGGER_ERRORS:
        log.info("a modal could not open in time for %s", _describe(body))
        await _tell(CLICK_AGAIN, body, respond, client)
        return
    if isinstance(error, PmbotError):
        message = f":warning: {error.message}"
    else:
        log.error("listener failed for %s: %r", _describe(body), error, exc_info=error)
        message = SOMETHING_WENT_WRONG
    if respond is not None and body.get("response_url"):
        await respond(text=message, response_type="ephemeral", replace_original=False)


async def _tell(
    message: str, body: dict[str, Any], respond: AsyncRespond | None, client: AsyncWebClient
) -> None:
    """Ephemeral where there is a response_url; else (a Home tab button) a DM."""
    if respond is not None and body.get("response_url"):
        await respond(text=message, response_type="ephemeral", replace_original=False)
        return
    user_id = body.get("user_id") or (body.get("user") or {}).get("id")
    if user_id:
        await client.chat_postMessage(channel=user_id, text=message)


def _describe(body: dict[str, Any]) -> str:
    kind = body.get("type") or ("slash_command" if "command" in body else "request")
    detail = (
        body.get("command")
        or body.get("callback_id")
        or ",".join(action.get("action_id", "") for action in body.get("actions", []))
    )
    return f"{kind} {detail} (team {body.get('team_id') or body.get('team', {}).get('id')})"
