"""Socket Mode: the same Bolt app over a WebSocket Slack opens to us (no public URL needed)."""

from __future__ import annotations

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings


class SocketModeConnection:
    """Connects once the services run; disconnects before they stop."""

    def __init__(self, bolt: AsyncApp, settings: Settings) -> None:
        # apps.connections.open takes the app-level token, against the same SLACK_API_URL.
        web_client = AsyncWebClient(base_url=settings.SLACK_API_URL)
        self._handler = AsyncSocketModeHandler(
            bolt, app_token=settings.SLACK_APP_TOKEN, web_client=web_client
        )

    async def start(self) -> None:
        """Open the WebSocket; Slack starts sending envelopes."""
        await self._handler.connect_async()

    async def stop(self) -> None:
        """Close the WebSocket."""
        await self._handler.close_async()
