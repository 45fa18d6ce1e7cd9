"""What launch reminders do in Slack: the owners' morning DMs, the thread posts, the T-1 poll.

Each renders from the database when it is delivered, so a tick made after the claim still counts.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from functools import partial
from typing import Any, Protocol

from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncSession

from bot import text
from bot.clock import Clock
from bot.deliveries.worker import Delivery
from bot.errors import PmbotError, StoreUnavailable
from bot.services import outbox_kinds
from bot.services.digests.content import permalink
from bot.services.launches.reminder_reads import morning_list, thread_reminder
from bot.services.launches.reminder_stages import Stage
from bot.views.common import as_dicts
from bot.views.launches.reminders import morning_dm, thread_post
from bot.workspace_url import WorkspaceUrls
from storage import outbox, scheduled_runs
from storage.db import Database
from storage.launches import queries as launches
from storage.models import Launch
from storage.outbox import ClaimedJob
from storage.writer import UnitOfWork

log = logging.getLogger(__name__)


class GoNoGoOpener(Protocol):
    """The launch service's go / no-go poll (bot.services.launches.service.LaunchService)."""

    async def open_gonogo(self, team_id: str, number: int, actor_id: str | None) -> Any:
        """Open the poll; actor None is the schedule."""
        ...


class LaunchReminderDeliveries:
    """Delivers the jobs LaunchReminderSource claims."""

    def __init__(
        self,
        client: AsyncWebClient,
        db: Database,
        clock: Clock,
        launches: GoNoGoOpener,
        workspace_urls: WorkspaceUrls,
    ) -> None:
        self._client = client
        self._db = db
        self._clock = clock
        self._launches = launches
        self._workspace_urls = workspace_urls

    def table(self) -> dict[str, Delivery]:
        """The deliveries by job kind, for the outbox worker."""
        return {
            outbox_kinds.LAUNCH_MORNING_DM: Delivery(self.send_morning_dm),
            outbox_kinds.LAUNCH_REMINDER_POST: Delivery(self.post_reminder, self.reminder_failed),
            outbox_kinds.LAUNCH_GONOGO_OPEN: Delivery(self.open_gonogo),
        }

    async def send_morning_dm(self, job: ClaimedJob) -> UnitOfWork[None] | None:
        """DM the owner their overdue, today's and tomorrow's items, as the database holds them now."""
        payload = job.payload
        async with self._db.read() as session:
            morning = await morning_list(
                session, job.team_id, payload["user_id"], date.fromisoformat(payload["day"])
            )
        if morning.empty:
            return None  # all ticked off since the claim: nothing to say
        url = await self._workspace_urls.url(job.team_id)
        launches_listed = {entry.launch.id or 0: entry.launch for entry in morning.entries}
        links = {
            launch_id: link
            for launch_id, launch in launches_listed.items()
            if (link := permalink(url, launch.channel_id, launch.parent_ts))
        }
        fallback, blocks = morning_dm(morning, _late_since(payload), links)
        answer = await self._client.chat_postMessage(
            channel=payload["user_id"], text=fallback, blocks=as_dicts(blocks), unfurl_links=False
        )
        return partial(_posted, payload["run_id"], answer["channel"], answer["ts"], self._clock.now(), None)

    async def post_reminder(self, job: ClaimedJob) -> UnitOfWork[None] | None:
        """Post the stage's reminder in the launch's thread; after T-1's, queue the go / no-go poll."""
        payload = job.payload
        stage = Stage(payload["stage"])
        async with self._db.read() as session:
            reminder = await thread_reminder(
                session, job.team_id, payload["launch_id"], date.fromisoformat(payload["launch_date"]), stage
            )
        if reminder is None:
            return None  # cancelled, launched or moved to another date since the claim
        launch = reminder.launch
        fallback, blocks = thread_post(reminder, _late_since(payload))
        answer = await self._client.chat_postMessage(
            channel=launch.channel_id,
            thread_ts=launch.parent_ts,
            text=fallback,
            blocks=as_dicts(blocks),
            unfurl_links=False,
        )
        poll = launch if stage == Stage.DAY_BEFORE else None
        return partial(_posted, payload["run_id"], answer["channel"], answer["ts"], self._clock.now(), poll)

    async def reminder_failed(self, job: ClaimedJob, reason: str) -> None:
        """The thread is closed to pmbot: tell the launch owner what to do."""
        async with self._db.read() as session:
            launch = await launches.get_launch_by_id(session, job.team_id, job.payload["launch_id"])
        if launch is None:
            return
        await self._client.chat_postMessage(
            channel=launch.owner_id,
            text=(
                f"I could not post the {job.payload['stage']} reminder of *{launch.ref}* "
                f"{text.escaped(launch.name, 80)} in {text.channel(launch.channel_id)} ({reason}). "
                "Invite me there with `/invite @pmbot`."
            ),
        )

    async def open_gonogo(self, job: ClaimedJob) -> None:
        """Open the launch's first go / no-go poll (the service opens it once however often asked)."""
        try:
            await self._launches.open_gonogo(job.team_id, job.payload["number"], None)
        except StoreUnavailable:
            raise  # the database will answer again: retry
        except PmbotError as nothing_to_open:  # cancelled, launched or deleted since the T-1 post
            log.info("no go / no-go poll opened for launch %s: %s", job.payload["launch_id"], nothing_to_open)


def _late_since(payload: dict[str, Any]) -> datetime | None:
    return datetime.fromisoformat(payload["due_at"]) if payload.get("late_by_seconds") else None


async def _posted(
    run_id: int, channel_id: str, ts: str, at: datetime, poll: Launch | None, session: AsyncSession
) -> None:
    """Note where the reminder went; after the T-1 post, queue the go / no-go poll in the same write."""
    await scheduled_runs.record_posted(session, run_id=run_id, channel_id=channel_id, message_ts=ts, at=at)
    if poll is not None:
        await outbox.enqueue(
            session,
            team_id=poll.team_id,
            kind=outbox_kinds.LAUNCH_GONOGO_OPEN,
            payload={"launch_id": poll.id, "number": poll.number},
            now=at,
            dedupe_key=f"launch:{poll.id}:gonogo-open:{poll.launch_date.isoformat()}",
        )
