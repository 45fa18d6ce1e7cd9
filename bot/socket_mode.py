"""Socket Mode: the same Bolt app over a WebSocket Slack opens to us (no public URL needed)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.socket_mode.async_client import AsyncBaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.web.async_client import AsyncWebClient

from bot import metrics
from bot.config import Settings
from bot.logs import interaction

log = logging.getLogger(__name__)

SOCKET_ROUTE = "socket"


class MeteredSocketModeHandler(AsyncSocketModeHandler):
    """Bolt's handler, counting and timing each answer as the HTTP path does."""

    async def handle(self, client: AsyncBaseSocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        """Dispatch one envelope to Bolt and ack it, with the interaction's key on its log lines."""
        started = time.perf_counter()
        with interaction(metrics.interaction_key(req.payload)):
            await super().handle(client, req)  # type: ignore[arg-type]
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
        self._connecting = asyncio.create_task(self._handler.connect_async(), name="pmbot-socket-connect")

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
