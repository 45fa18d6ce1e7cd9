"""The one place an error raised by a listener becomes a message to the person."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.exc import SQLAlchemyError

from bot.deliveries.slack_errors import code_of
from bot.errors import PmbotError, StoreUnavailable
from bot.interactions.answering import ANSWERING
from bot.services.writes import UNAVAILABLE

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
    error: Exception,
    body: dict[str, Any],
    respond: AsyncRespond | None,
    client: AsyncWebClient,
    ack: AsyncAck | None = None,
) -> BoltResponse | None:
    """Domain errors are told to the person; anything else is logged with context, never the body.

    A failed write of a recorded interaction is left to bot.interactions, which first makes
    sure it will not happen later, then says so. A failed read says what a failed write says.
    A modal Slack no longer lets us open (its trigger expired) is said plainly: click again.
    """
    if isinstance(error, StoreUnavailable) and ANSWERING.get() is not None:
        return _given(ack)
    if isinstance(error, SlackApiError) and code_of(error) in EXPIRED_TRIGGER_ERRORS:
        log.info("a modal could not open in time for %s", _describe(body))
        await _tell(CLICK_AGAIN, body, respond, client)
        return _given(ack)
    if isinstance(error, PmbotError):
        message = f":warning: {error.message}"
    elif isinstance(error, (SQLAlchemyError, TimeoutError)):
        log.warning("the database did not answer for %s: %s", _describe(body), _first_line(error))
        message = f":warning: {UNAVAILABLE}"
    else:
        log.error("listener failed for %s: %r", _describe(body), error, exc_info=error)
        message = SOMETHING_WENT_WRONG
    if respond is not None and body.get("response_url"):
        await respond(text=message, response_type="ephemeral", replace_original=False)
    elif isinstance(error, PmbotError) and body.get("type") == "block_actions":
        await _tell(message, body, respond, client)  # a refused button in a modal or the Home tab: a DM
    return _given(ack)


def _given(ack: AsyncAck | None) -> BoltResponse | None:
    # A listener that fails after it acked was answered: Slack gets that answer, not a 500
    # (Bolt answers 500 when a listener raises, even after its ack, if it ran before responding).
    return ack.response if ack is not None else None


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


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
