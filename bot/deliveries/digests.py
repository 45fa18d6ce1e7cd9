"""What a digest's outbox job does in Slack: build it from the database for its fixed window, post it,
and note where it went in the same transaction that finishes the job.

Exactly once, end to end: the scheduled run's row and this job are written in one transaction by
whichever replica claimed the occurrence, so there is one job per channel and week; the outbox
lease lets one replica at a time deliver it, and another take over once a dead one's lease runs
out. An answer lost after Slack accepted the post (a timeout, a dropped connection) or a replica
dying before the job was marked done makes the job run again; its post is then found in the
channel's history by its metadata (`reconcile.py`) and adopted, not posted twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial

from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.deliveries import advice
from bot.deliveries.worker import Delivery
from bot.services import outbox_kinds
from bot.services.digests.content import DigestContentService, DigestWindow
from bot.views.common import as_dicts
from bot.views.digests.message import digest_message
from bot.views.digests.replies import digest_stopped
from storage import scheduled_runs
from storage.db import Database
from storage.digests import subscriptions as digest_subscriptions
from storage.outbox import ClaimedJob
from storage.writer import UnitOfWork

log = logging.getLogger(__name__)


class DigestDeliveries:
    """Posts digests queued by the scheduler and by `/digest now`."""

    def __init__(
        self, client: AsyncWebClient, content: DigestContentService, db: Database, clock: Clock
    ) -> None:
        self._client = client
        self._content = content
        self._db = db
        self._clock = clock

    def table(self) -> dict[str, Delivery]:
        """The deliveries by job kind, for the outbox worker."""
        return {
            outbox_kinds.POST_DIGEST: Delivery(self.post, on_give_up=self.tell_subscriber),
            outbox_kinds.DIGEST_STOPPED: Delivery(self.tell_stopped),
        }

    async def post(self, job: ClaimedJob) -> UnitOfWork[None] | None:
        """Build the digest for the job's window and post it; a quiet week of a skip-quiet
        subscription, or a subscription removed since the claim, posts nothing."""
        payload = job.payload
        run_id = payload.get("run_id")
        if run_id is not None and not await self._still_subscribed(job):
            log.info("digest run %s not posted: the subscription is gone", run_id)
            return None
        window = DigestWindow(
            team_id=job.team_id,
            since=datetime.fromisoformat(payload["since"]),
            until=datetime.fromisoformat(payload["until"]),
            sections=list(payload["sections"]),
            timezone=payload.get("timezone") or "UTC",
        )
        digest = await self._content.build(window)
        if digest.is_quiet and payload.get("skip_quiet"):
            log.info("digest run %s: a quiet week, skipped as the subscription asks", run_id)
            return None
        late = payload.get("late_by_seconds")
        fallback, blocks = digest_message(digest, late_by=timedelta(seconds=late) if late else None)
        answer = await self._client.chat_postMessage(
            channel=payload["channel_id"], text=fallback, blocks=as_dicts(blocks), unfurl_links=False
        )
        if run_id is None:
            return None
        return partial(_posted, run_id, answer["channel"], answer["ts"], self._clock.now())

    async def tell_subscriber(self, job: ClaimedJob, reason: str) -> None:
        """The digest can never go out (pmbot is not in the channel...): tell whoever set it up."""
        person = job.payload.get("requested_by")
        if not person:
            return
        await self._client.chat_postMessage(
            channel=person, text=advice.digest_problem(reason, job.payload["channel_id"])
        )

    async def tell_stopped(self, job: ClaimedJob) -> None:
        """Whoever set up a channel's digest hears that someone else stopped it, and how to restart it."""
        payload = job.payload
        said = digest_stopped(payload["channel_id"], payload["stopped_by"])
        await self._client.chat_postMessage(channel=payload["user_id"], text=said)

    async def _still_subscribed(self, job: ClaimedJob) -> bool:
        async with self._db.read() as session:
            found = await digest_subscriptions.get_subscription(
                session, job.team_id, int(job.payload["subscription_id"])
            )
        return found is not None


async def _posted(run_id: int, channel_id: str, ts: str, at: datetime, session: AsyncSession) -> None:
    await scheduled_runs.record_posted(session, run_id=run_id, channel_id=channel_id, message_ts=ts, at=at)
