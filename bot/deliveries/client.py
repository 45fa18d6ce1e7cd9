"""The Slack Web API client pmbot uses everywhere.

Inside an outbox delivery (see `attempt.py`) every call is checked against the workspace's pauses
and installation state and paced (`pacing.py`), and every post carries the job's key in message
metadata: should its answer be lost, the next attempt finds the post in the conversation's history
and adopts it instead of posting twice (`reconcile.py`).
"""

from __future__ import annotations

from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.clock import Clock
from bot.config import Settings
from bot.deliveries.attempt import current_attempt, post_metadata
from bot.deliveries.guard import SlackGuard
from bot.deliveries.pacing import Pacer
from bot.deliveries.reconcile import find_own_post, reconcilable
from bot.deliveries.slack_errors import code_of
from bot.metrics import MeteredWebClient

# Long enough for a slow Slack, short enough that a hung call does not hold a delivery slot.
CLIENT_TIMEOUT_SECONDS = 10


class DeliveryClient(MeteredWebClient):
    """The metered client (every call counted) that respects pauses, paces itself and never
    posts a job's message twice."""

    guard: SlackGuard
    pacer: Pacer

    async def api_call(self, api_method: str, **kwargs: Any) -> AsyncSlackResponse:  # type: ignore[override]
        """Call Slack; inside a delivery, only when allowed and at the pace Slack asks."""
        attempt = current_attempt()
        if attempt is None:
            return await super().api_call(api_method, **kwargs)
        self.guard.check(attempt.team_id, api_method)
        await self.pacer.pace(attempt.team_id, api_method, _channel_of(kwargs))
        try:
            response = await super().api_call(api_method, **kwargs)
        except SlackApiError as error:
            self.guard.count(api_method, code_of(error) or "http_error")
            raise
        except Exception as error:
            self.guard.count(api_method, type(error).__name__)
            raise
        self.guard.count(api_method, "ok")
        return response

    async def chat_postMessage(self, *, channel: str, **kwargs: Any) -> AsyncSlackResponse:  # type: ignore[override]
        """Post, tagged with the job's key; after an attempt whose answer was lost, adopt its post."""
        attempt = current_attempt()
        if attempt is None:
            return await super().chat_postMessage(channel=channel, **kwargs)
        kwargs["metadata"] = post_metadata(attempt)
        if attempt.look_back_from is not None:
            if reconcilable(channel):
                found = await find_own_post(self, channel, kwargs.get("thread_ts"), attempt)
                if found is not None:
                    self.guard.posts_adopted += 1
                    return found
            else:
                self.guard.reposts_unreconciled += 1
        return await super().chat_postMessage(channel=channel, **kwargs)


def _channel_of(kwargs: dict[str, Any]) -> str | None:
    for part in ("json", "params", "data"):
        body = kwargs.get(part)
        if isinstance(body, dict) and body.get("channel"):
            return str(body["channel"])
    return None


def build_client(settings: Settings, clock: Clock) -> DeliveryClient:
    """A client for `SLACK_API_URL` with no automatic retries.

    slack_sdk's default handler re-sends a request whose connection dropped, even after Slack
    read it: a duplicate post. What must reach Slack goes through the outbox instead, which
    retries with backoff, honours Retry-After and knows which errors are worth retrying.
    """
    client = DeliveryClient(
        token=settings.SLACK_BOT_TOKEN,
        base_url=settings.SLACK_API_URL,
        timeout=CLIENT_TIMEOUT_SECONDS,
        retry_handlers=[],
    )
    client.guard = SlackGuard(clock)
    client.pacer = Pacer(
        channel_posts_per_second=settings.SLACK_CHANNEL_POSTS_PER_SECOND,
        workspace_rate_factor=settings.SLACK_WORKSPACE_RATE_FACTOR,
    )
    return client


def open_session(client: AsyncWebClient) -> None:
    """Give the client one keep-alive HTTP session (else slack_sdk opens one per call)."""
    if client.session is None:
        client.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=client.timeout))


async def close_session(client: AsyncWebClient) -> None:
    """Close the session opened by `open_session`."""
    if client.session is not None:
        await client.session.close()
        client.session = None
