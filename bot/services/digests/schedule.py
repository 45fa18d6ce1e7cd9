"""The scheduler's view of digests: one weekly job a subscription (`digest:<id>`), one period a local
date, and the claim that records the run and queues its post in one write."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.local_time import latest_weekly
from bot.services import outbox_kinds
from bot.services.digests.content import DigestWindow
from bot.services.occurrences import CronSchedule, Occurrence, claim_occurrence
from bot.services.writes import write
from storage import outbox, scheduled_runs
from storage.db import Database
from storage.digests import subscriptions as queries
from storage.models import DigestSubscription
from storage.writer import Writer

JOB_PREFIX = "digest:"


def job_id(subscription_id: int) -> str:
    """The scheduler's job id (and scheduled_run.job) of a subscription."""
    return f"{JOB_PREFIX}{subscription_id}"


FIRST_WINDOW_DAYS = 7


def first_since(subscription: DigestSubscription) -> datetime:
    """Where a subscription's first digest starts: the week before it was set up, so a channel that
    subscribes on Thursday hears about the week it had, not about the hours since."""
    return subscription.created_at - timedelta(days=FIRST_WINDOW_DAYS)


class DigestSource:
    """The scheduler's view of digests: one weekly job a subscription (`digest:<id>`), one period a
    local date. Claiming inserts the run's row and queues its post in one write."""

    name = "digests"

    def __init__(self, db: Database, writer: Writer, clock: Clock) -> None:
        self._db = db
        self._writer = writer
        self._clock = clock

    async def latest_due(self, now: datetime) -> Sequence[Occurrence]:
        """Each subscription's newest weekly time at or before `now`, if its schedule was set by then."""
        async with self._db.read() as session:
            found = await queries.list_every_subscription(session)
        occurrences = []
        for s in found:
            day, due = latest_weekly(now, s.weekday, time(s.hour, s.minute), s.timezone)
            # Set up (or moved) on Tuesday, a subscription does not owe last Monday's digest.
            if due >= max(s.created_at, s.updated_at):
                occurrences.append(Occurrence(s.team_id, job_id(s.id or 0), day.isoformat(), due, s.timezone))
        return occurrences

    async def claim(self, occurrence: Occurrence, *, owner: str, late_by: timedelta | None) -> bool:
        """Insert the run's row and queue the post together; False if another process was first."""
        subscription_id = int(occurrence.job.removeprefix(JOB_PREFIX))
        now = self._clock.now()

        async def unit(session: AsyncSession) -> bool:
            subscription = await queries.get_subscription(session, occurrence.team_id, subscription_id)
            if subscription is None:
                return False  # unsubscribed since the sweep read it
            previous = await previous_due(session, subscription)
            since = min(previous or first_since(subscription), occurrence.due_at)
            run_id = await claim_occurrence(session, occurrence, owner=owner, now=now, late_by=late_by)
            if run_id is None:
                return False
            window = DigestWindow(
                occurrence.team_id,
                since,
                occurrence.due_at,
                list(subscription.sections),
                subscription.timezone,
            )
            payload = post_payload(window, subscription.channel_id, run_id, subscription, late_by)
            await outbox.enqueue(
                session, team_id=occurrence.team_id, kind=outbox_kinds.POST_DIGEST, payload=payload, now=now
            )
            return True

        return await write(self._writer, unit)

    async def schedules(self) -> Sequence[CronSchedule]:
        """One cron job a subscription, at its weekday and time in its zone."""
        async with self._db.read() as session:
            found = await queries.list_every_subscription(session)
        return [CronSchedule(job_id(s.id or 0), s.hour, s.minute, s.timezone, s.weekday) for s in found]


async def previous_due(session: AsyncSession, subscription: DigestSubscription) -> datetime | None:
    """The due time of the subscription's previous scheduled digest (where the next one starts)."""
    previous = await scheduled_runs.last_posted_run(
        session, team_id=subscription.team_id, job=job_id(subscription.id or 0)
    )
    return previous.due_at if previous is not None else None


def post_payload(
    window: DigestWindow,
    channel_id: str,
    run_id: int | None,
    subscription: DigestSubscription | None,
    late_by: timedelta | None,
    *,
    requested_by: str | None = None,
) -> dict[str, Any]:
    """The POST_DIGEST job's payload: everything its delivery needs, fixed when it is queued."""
    return {
        "run_id": run_id,
        "subscription_id": subscription.id if subscription else None,
        "channel_id": channel_id,
        "sections": window.sections,
        "timezone": window.timezone,
        "skip_quiet": bool(subscription and subscription.skip_quiet_weeks and run_id is not None),
        "since": window.since.isoformat(),
        "until": window.until.isoformat(),
        "late_by_seconds": late_by.total_seconds() if late_by else None,
        "requested_by": requested_by or (subscription.created_by if subscription else None),
    }
