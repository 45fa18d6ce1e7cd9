"""Socket Mode: the same Bolt app over a WebSocket Slack opens to us (no public URL needed)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote, urlencode

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.adapter.socket_mode.async_internals import send_async_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse
from slack_sdk.socket_mode.async_client import AsyncBaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.web.async_client import AsyncWebClient

from bot import metrics
from bot.config import Settings
from bot.interactions.replies import Reply
from bot.logs import interaction

log = logging.getLogger(__name__)

SOCKET_ROUTE = "socket"
FORM = "application/x-www-form-urlencoded"

# The HTTP path's answerer (bot.interactions): records the interaction in the inbox, runs it once,
# answers in time. It takes the body as Slack would have POSTed it, and its headers.
Answer = Callable[[str, dict[str, list[str]]], Awaitable[Reply]]


class MeteredSocketModeHandler(AsyncSocketModeHandler):
    """Bolt's handler, counting and timing each answer as the HTTP path does; with `answer`, every
    envelope goes through the same inbox path as an HTTP request."""

    answer: Answer | None = None

    async def handle(self, client: AsyncBaseSocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        """Dispatch one envelope and ack it, with the interaction's key on its log lines."""
        started = time.perf_counter()
        with interaction(metrics.interaction_key(req.payload)):
            if self.answer is None:
                await super().handle(client, req)  # type: ignore[arg-type]
            else:
                reply = await self.answer(*as_http(req))
                response = BoltResponse(
                    status=reply.status, body=reply.body, headers={"content-type": reply.content_type}
                )
                await send_async_response(client, req, response, time.time())
        kind = metrics.answer_kind(req.payload)
        metrics.observe_answer(SOCKET_ROUTE, kind, time.perf_counter() - started)


class SocketModeConnection:
    """Connects once the services run; disconnects before they stop.

    The handler is built in `start()`, on the running loop: aiohttp 3.10 and later refuse to
    create a client session (which slack_sdk's Socket Mode client does in its constructor) when
    no loop runs, and `pmbot serve` builds its components before uvicorn starts the loop.
    """

    def __init__(self, bolt: AsyncApp, settings: Settings) -> None:
        self._bolt = bolt
        self._settings = settings
        self._answer: Answer | None = None
        self._handler: MeteredSocketModeHandler | None = None
        self._connecting: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Open the WebSocket in the background; Slack starts sending envelopes once it is up.

        Connecting is not awaited: while Slack is unreachable slack_sdk keeps retrying, and the
        rest of pmbot (the outbox, the scheduler, /healthz) should run meanwhile.
        """
        # apps.connections.open takes the app-level token, against the same SLACK_API_URL.
        web_client = AsyncWebClient(base_url=self._settings.SLACK_API_URL)
        self._handler = MeteredSocketModeHandler(
            self._bolt, app_token=self._settings.SLACK_APP_TOKEN, web_client=web_client
        )
        self._handler.answer = self._answer
        self._connecting = asyncio.create_task(self._handler.connect_async(), name="pmbot-socket-connect")

    def answer_through(self, answer: Answer) -> None:
        """Answer envelopes as HTTP requests are answered: recorded in the inbox, once per key."""
        self._answer = answer

    async def connected(self) -> bool:
        """True while a WebSocket to Slack is open and answering pings."""
        return self._handler is not None and await self._handler.client.is_connected()

    async def stop(self) -> None:
        """Close the WebSocket (and stop trying to open one)."""
        if self._handler is None:
            return
        await self._handler.close_async()
        if self._connecting is not None:
            # close() makes slack_sdk's connect loop return; a connect stuck in a request is cancelled.
            if not self._connecting.done():
                self._connecting.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._connecting
        self._handler = None


def as_http(req: SocketModeRequest) -> tuple[str, dict[str, list[str]]]:
    """The body and headers Slack would have POSTed for this envelope (commands as a form,
    interactivity as a form with one `payload` field, events as JSON)."""
    payload: dict[str, Any] = req.payload
    headers: dict[str, list[str]] = {"content-type": [FORM]}
    if req.type == "slash_commands":
        body = urlencode({name: str(value) for name, value in payload.items()})
    elif req.type == "interactive":
        body = f"payload={quote(json.dumps(payload))}"
    else:
        body, headers = json.dumps(payload), {"content-type": ["application/json"]}
    if req.retry_attempt:
        headers["x-slack-retry-num"] = [str(req.retry_attempt)]
        headers["x-slack-retry-reason"] = [str(req.retry_reason or "")]
    return body, headers
