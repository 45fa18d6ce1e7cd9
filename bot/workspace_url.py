"""The workspace's web address (for message permalinks), from `auth.test`, cached per workspace."""

from __future__ import annotations

import logging
import time

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)

CACHE_SECONDS = 3600  # a workspace's URL changes only when an owner renames it


class WorkspaceUrls:
    """Asks `auth.test` (no scope needed) for the workspace URL, e.g. `https://acme.slack.com/`."""

    def __init__(self, client: AsyncWebClient, *, cache_seconds: float = CACHE_SECONDS) -> None:
        self._client = client
        self._cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, str]] = {}

    async def url(self, team_id: str) -> str | None:
        """The URL ending in `/`, or None when Slack cannot say now (links are then left out)."""
        cached = self._cache.get(team_id)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        try:
            response = await self._client.auth_test()
        except (SlackApiError, aiohttp.ClientError, OSError, TimeoutError) as error:
            log.warning("auth.test failed, messages go without links for now: %s", type(error).__name__)
            return None
        url = str(response.get("url") or "")
        if not url.startswith("https://"):
            return None
        url = url if url.endswith("/") else url + "/"
        self._cache[team_id] = (time.monotonic() + self._cache_seconds, url)
        return url
