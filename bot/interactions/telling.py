"""Telling a person something after Slack's HTTP answer went out: through the interaction's
response_url when Slack gave one (only ever Slack's own hosts), else in a direct message."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.interactions.incoming import Incoming

log = logging.getLogger(__name__)

SLACK_RESPONSE_HOSTS = frozenset({"hooks.slack.com"})
TIMEOUT_SECONDS = 10


def is_slack_response_url(url: str, api_url: str) -> bool:
    """True for an https URL on Slack's response host, or on the configured Web API host (a
    stand-in Slack for tests and the playground); a forged URL elsewhere is never POSTed to."""
    parts, api = urlsplit(url), urlsplit(api_url)
    if parts.scheme == "https" and parts.hostname in SLACK_RESPONSE_HOSTS:
        return True
    return bool(parts.hostname) and (parts.scheme, parts.netloc) == (api.scheme, api.netloc)


class Teller:
    """Sends late answers; a failure is logged, never raised (the work itself is done)."""

    def __init__(self, client: AsyncWebClient, api_url: str) -> None:
        self._client = client
        self._api_url = api_url

    async def tell(self, incoming: Incoming, message: dict[str, Any]) -> None:
        """Privately to the person who acted, where Slack lets pmbot answer them."""
        url = incoming.response_url
        try:
            if url and is_slack_response_url(url, self._api_url):
                webhook = AsyncWebhookClient(
                    url, timeout=TIMEOUT_SECONDS, session=self._client.session, retry_handlers=[]
                )
                await webhook.send_dict({**message, "response_type": "ephemeral", "replace_original": False})
            elif incoming.user_id:
                await self._client.chat_postMessage(channel=incoming.user_id, **_dm(message))
        except (SlackApiError, OSError, TimeoutError) as error:
            log.warning("could not tell %s the outcome of a %s: %s", incoming.user_id, incoming.kind, error)


def _dm(message: dict[str, Any]) -> dict[str, Any]:
    return {"text": message.get("text") or "pmbot", "blocks": message.get("blocks")}
