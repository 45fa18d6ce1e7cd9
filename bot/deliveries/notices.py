"""Notices to people about their requests: one DM for whatever gathered within the window."""

from __future__ import annotations

from functools import partial

from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.deliveries.worker import Delivery, NotYet
from bot.services import outbox_kinds
from bot.services.notifications.policy import notices_of, seconds_to_gather
from bot.views.common import as_dicts
from bot.views.requests.notifications import gathered_message
from storage.outbox import ClaimedJob
from storage.outbox_gather import ENTRIES, drop_delivered
from storage.writer import UnitOfWork


class NoticeDeliveries:
    """DMs that tell a requester, follower or assignee what happened to requests."""

    def __init__(self, client: AsyncWebClient, clock: Clock, *, gather_seconds: float) -> None:
        self._client = client
        self._clock = clock
        self._gather_seconds = gather_seconds

    def table(self) -> dict[str, Delivery]:
        """The deliveries by job kind, for the outbox worker."""
        return {outbox_kinds.NOTIFY: Delivery(self.notify)}

    async def notify(self, job: ClaimedJob) -> UnitOfWork[None] | None:
        """DM one person the notices gathered for them (once the window from the first has passed)."""
        notices = notices_of(job.payload)
        if not notices:
            return None
        wait = seconds_to_gather(notices, now=self._clock.now(), window_seconds=self._gather_seconds)
        if wait > 0:
            raise NotYet(wait)
        fallback, blocks = gathered_message(notices)
        await self._client.chat_postMessage(
            channel=job.payload["user_id"], text=fallback, blocks=as_dicts(blocks)
        )
        # Those left out (undone, or no news) are done with too: a re-run must not carry them.
        carried = job.payload.get(ENTRIES, notices)
        delivered = [str(notice["id"]) for notice in carried if notice.get("id")]
        return partial(drop_delivered, job_id=job.id, entry_ids=delivered) if delivered else None
