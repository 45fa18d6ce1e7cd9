"""The Slack Web API client pmbot uses everywhere."""

from __future__ import annotations

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings
from bot.metrics import MeteredWebClient

# Long enough for a slow Slack, short enough that a hung call does not hold a delivery slot.
CLIENT_TIMEOUT_SECONDS = 10


def build_client(settings: Settings) -> AsyncWebClient:
    """A client for `SLACK_API_URL` with no automatic retries.

    slack_sdk's default handler re-sends a request whose connection dropped, even after Slack
    read it: a duplicate post. What must reach Slack goes through the outbox instead, which
    retries with backoff, honours Retry-After and knows which errors are worth retrying.
    """
    return MeteredWebClient(
        token=settings.SLACK_BOT_TOKEN,
        base_url=settings.SLACK_API_URL,
        timeout=CLIENT_TIMEOUT_SECONDS,
        retry_handlers=[],
    )


def open_session(client: AsyncWebClient) -> None:
    """Give the client one keep-alive HTTP session (else slack_sdk opens one per call)."""
    if client.session is None:
        client.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=CLIENT_TIMEOUT_SECONDS))


async def close_session(client: AsyncWebClient) -> None:
    """Close the session opened by `open_session`."""
    if client.session is not None:
        await client.session.close()
        client.session = None
