"""Finding a post an earlier attempt made but never heard back about.

Every post from the outbox carries message metadata naming its job (`attempt.post_metadata`).
After an attempt whose answer was lost, the next one reads the conversation's history (or the
thread's replies) from when that attempt began, with `include_all_metadata`, and adopts a message
carrying its key. This needs `channels:history` and `groups:history`; DMs are not read (pmbot does
not ask for `im:history`), so a DM whose answer was lost may arrive twice, and is counted.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.deliveries.attempt import POST_EVENT_TYPE, JobAttempt

HISTORY_PAGE_SIZE = 200  # conversations.history's documented maximum `limit` is 999; 200 is advised
MAX_HISTORY_PAGES = 5
CLOCK_SKEW = timedelta(seconds=30)  # Slack's clock and ours may disagree a little
PUBLIC_OR_PRIVATE_CHANNEL = ("C", "G")


def reconcilable(channel: str) -> bool:
    """Channels pmbot may read history in (public and private); not DMs or user ids."""
    return channel.startswith(PUBLIC_OR_PRIVATE_CHANNEL)


async def find_own_post(
    client: AsyncWebClient, channel: str, thread_ts: str | None, attempt: JobAttempt
) -> AsyncSlackResponse | None:
    """The message of this job (and part) posted since the unsure attempt began, as if just posted."""
    assert attempt.look_back_from is not None
    oldest = f"{(attempt.look_back_from - CLOCK_SKEW).timestamp():.6f}"
    key = attempt.post_key()
    cursor: str | None = None
    for _ in range(MAX_HISTORY_PAGES):
        page = await _page(client, channel, thread_ts, oldest, cursor)
        for message in page.get("messages") or []:
            if _carries(message, key):
                return _as_posted(client, channel, message)
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return None
    return None


async def _page(
    client: AsyncWebClient, channel: str, thread_ts: str | None, oldest: str, cursor: str | None
) -> AsyncSlackResponse:
    arguments: dict[str, Any] = {
        "channel": channel,
        "oldest": oldest,
        "inclusive": True,
        "include_all_metadata": True,
        "limit": HISTORY_PAGE_SIZE,
    }
    if cursor:
        arguments["cursor"] = cursor
    if thread_ts:
        return await client.conversations_replies(ts=thread_ts, **arguments)
    return await client.conversations_history(**arguments)


def _carries(message: dict[str, Any], key: str) -> bool:
    metadata = message.get("metadata") or {}
    payload = metadata.get("event_payload") or {}
    return metadata.get("event_type") == POST_EVENT_TYPE and str(payload.get("job")) == key


def _as_posted(client: AsyncWebClient, channel: str, message: dict[str, Any]) -> AsyncSlackResponse:
    return AsyncSlackResponse(
        client=client,
        http_verb="POST",
        api_url="chat.postMessage",
        req_args={},
        data={"ok": True, "channel": channel, "ts": message["ts"], "message": message},
        headers={},
        status_code=200,
    )
