"""The scheduler: APScheduler 3 on the app's event loop, started and stopped with the app.

APScheduler only says *when to look*; the database says *what happens*. Every replica runs the
same jobs, and each occurrence (a channel's digest for one week, a person's reminders for one
morning) is claimed by inserting its unique `scheduled_run` row in the same transaction that
queues what it sends, so one occurrence produces one message however many processes fire. Delivery
then goes through the outbox, whose leases let another process take over from one that died.

Four kinds of job:
- `due-sweep`, every minute on the minute and once at start-up: asks every source for its newest
  occurrence of each job and claims those not yet claimed. An occurrence missed while pmbot was
  down runs once, marked late, within the grace window; an older one is recorded as skipped and
  logged once.
- one cron job per schedule a source declares (a digest subscription's weekday and local time, in
  its own zone), so it fires on the second; re-synced from the database by every sweep and at once
  when a service changes a schedule in this process.
- `approvals-sweep`: expiry and reminders of roadmap proposals.
- `retention`, daily at 03:17 UTC: deletes delivered outbox jobs and old scheduled runs in short
  batches; every replica runs it, and deleting what another already deleted is harmless.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.ext.asyncio import AsyncSession

from bot import metrics
from bot.clock import Clock
from bot.local_time import zone
from bot.services.occurrences import CronSchedule, Occurrence, ScheduleSource, claim_occurrence
from bot.services.retention import RetentionService
from bot.services.roadmap.service import RoadmapService
from bot.services.writes import write
from bot.text import plural
from storage import scheduled_runs
from storage.db import Database
from storage.writer import Writer

log = logging.getLogger(__name__)

APPROVALS_SWEEP_SECONDS = 60
DEFAULT_GRACE = timedelta(hours=6)
"""How late a missed occurrence may still run (after a restart); older ones are skipped."""
STOP_WAIT = timedelta(seconds=10)
"""How long `stop()` lets a job under way finish before cancelling it."""
LATE_AFTER = timedelta(minutes=5)
"""An occurrence run later than this after its time says so in what it posts."""
RETENTION_AT = (3, 17)
"""When (hour, minute UTC) old outbox jobs and scheduled runs are pruned: a quiet hour, off the hour."""
RETENTION_MISFIRE = timedelta(hours=1)
"""A pruning the loop was too busy to start on time still runs within this."""


def process_name() -> str:
    """Who claims: host and pid, so a claim row says which replica won it."""
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


class Scheduler:
    """Owns the AsyncIOScheduler and pmbot's jobs (fixed ids, replaced on every start)."""

    def __init__(
        self,
        db: Database,
        writer: Writer,
        clock: Clock,
        roadmap: RoadmapService,
        sources: Sequence[ScheduleSource] = (),
        *,
        grace: timedelta = DEFAULT_GRACE,
        retention: RetentionService | None = None,
    ) -> None:
        self._db = db
        self._writer = writer
        self._clock = clock
        self._roadmap = roadmap
        self._sources = list(sources)
        self._grace = grace
        self._retention = retention
        self._owner = process_name()
        self._scheduler: AsyncIOScheduler | None = None
        self._cron_ids: dict[str, str] = {}  # cron job id -> the source that declared it
        self._sync_lock = asyncio.Lock()
        self._running: set[asyncio.Task[object]] = set()

    def add_source(self, source: ScheduleSource) -> None:
        """Register a source of occurrences (before `start`)."""
        self._sources.append(source)

    def start(self) -> None:
        """Start on the running loop; the first due-sweep runs at once (start-up catch-up)."""
        scheduler = AsyncIOScheduler(timezone="UTC")
        scheduler.add_job(
            self._guarded,
            "interval",
            args=[self._sweep_approvals],
            seconds=APPROVALS_SWEEP_SECONDS,
            id="approvals-sweep",
            name="approvals-sweep",
            replace_existing=True,
        )
        scheduler.add_job(
            self._guarded,
            CronTrigger(second=0, timezone=UTC),
            args=[self.sweep],
            id="due-sweep",
            name="due-sweep",
            replace_existing=True,
            next_run_time=datetime.now(UTC),
            misfire_grace_time=None,
        )
        if self._retention is not None:
            scheduler.add_job(
                self._guarded,
                CronTrigger(hour=RETENTION_AT[0], minute=RETENTION_AT[1], timezone=UTC),
                args=[self._retention.prune],
                id="retention",
                name="retention",
                replace_existing=True,
                misfire_grace_time=int(RETENTION_MISFIRE.total_seconds()),
            )
        scheduler.start()
        self._scheduler = scheduler

    async def pause(self) -> None:
        """Fire nothing new (the jobs stay declared) and let the jobs under way finish, briefly."""
        if self._scheduler is None:
            return
        self._scheduler.pause()
        running = [task for task in self._running if not task.done()]
        if running:
            await asyncio.wait(running, timeout=STOP_WAIT.total_seconds())

    async def stop(self) -> None:
        """Fire nothing new, let the jobs under way finish (briefly), then shut down."""
        await self.pause()
        scheduler, self._scheduler = self._scheduler, None
        if scheduler is None:
            return
        # Whatever still runs is cancelled; the claims make that safe.
        scheduler.shutdown(wait=False)
        self._cron_ids.clear()

    async def sweep(self) -> int:
        """Re-sync the cron jobs from the database, then claim whatever is due; returns how many."""
        await self.sync_schedules()
        return await self.run_due()

    async def run_due(self, source_names: Sequence[str] | None = None) -> int:
        """Claim every due, unclaimed occurrence of the named sources (all by default)."""
        now = self._clock.now()
        started = 0
        for source in self._sources:
            if source_names is None or source.name in source_names:
                started += await self._run_source(source, now)
        return started

    async def sync_schedules(self, source_names: Sequence[str] | None = None) -> None:
        """Make the cron jobs of the named sources (all by default) match what they declare now."""
        # One sync at a time: a slow one finishing after a newer one would undo its changes.
        async with self._sync_lock:
            wanted: dict[str, tuple[CronSchedule, str]] = {}
            for source in self._sources:
                if source_names is None or source.name in source_names:
                    for schedule in await source.schedules():
                        wanted[schedule.job_id] = (schedule, source.name)
            if self._scheduler is not None:  # stop() may have run while the sources were read
                self._replace_cron_jobs(self._scheduler, wanted, source_names)

    def _replace_cron_jobs(
        self,
        scheduler: AsyncIOScheduler,
        wanted: dict[str, tuple[CronSchedule, str]],
        source_names: Sequence[str] | None,
    ) -> None:
        kept: dict[str, str] = {}
        for job_id, source_name in self._cron_ids.items():
            if source_names is not None and source_name not in source_names:
                kept[job_id] = source_name
            elif job_id not in wanted:
                scheduler.remove_job(job_id)
        for job_id, (schedule, source_name) in wanted.items():
            scheduler.add_job(
                self._guarded,
                _trigger(schedule),
                args=[self.run_due, [source_name]],
                id=job_id,
                name=job_id,
                replace_existing=True,
                misfire_grace_time=int(LATE_AFTER.total_seconds()),
            )
        self._cron_ids = kept | {job_id: source_name for job_id, (_, source_name) in wanted.items()}

    def next_fire_time(self, job_id: str) -> datetime | None:
        """When the job fires next, in its own zone; None if there is no such job."""
        job = self._scheduler.get_job(job_id) if self._scheduler is not None else None
        return job.next_run_time if job is not None else None

    async def _guarded(self, job: Callable[..., Awaitable[object]], *args: object) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            await job(*args)
        except asyncio.CancelledError:
            # Only a job that outlived STOP_WAIT is cancelled: not the error APScheduler would log.
            log.info("%s was interrupted by shutdown", getattr(job, "__name__", "a scheduled job"))
        finally:
            if task is not None:
                self._running.discard(task)

    async def _run_source(self, source: ScheduleSource, now: datetime) -> int:
        occurrences = list(await source.latest_due(now))
        async with self._db.read() as session:
            claimed = await scheduled_runs.claimed_periods(session, [o.key for o in occurrences])
        started = 0
        for occurrence in occurrences:
            if occurrence.key in claimed or occurrence.due_at > now:
                continue
            age = now - occurrence.due_at
            if age > self._grace:
                await self._skip(occurrence, now)
                continue
            late_by = age if age > LATE_AFTER else None
            if await source.claim(occurrence, owner=self._owner, late_by=late_by):
                started += 1
                metrics.count_scheduled("late" if late_by else "claimed")
                log.info("%s for %s claimed%s", occurrence.job, occurrence.period, _late(late_by))
        return started

    async def _skip(self, occurrence: Occurrence, now: datetime) -> None:
        async def record(session: AsyncSession) -> int | None:
            return await claim_occurrence(session, occurrence, owner=self._owner, now=now, skipped=True)

        if await write(self._writer, record) is not None:
            metrics.count_scheduled("skipped")
            job, period, due = occurrence.job, occurrence.period, occurrence.due_at.isoformat()
            log.warning("%s for %s was due at %s, over %s ago: skipped", job, period, due, self._grace)

    async def _sweep_approvals(self) -> None:
        changed = await self._roadmap.sweep()
        if changed:
            log.info("approvals sweep: %s expired or reminded", plural(changed, "proposal"))


def _late(late_by: timedelta | None) -> str:
    return f", late by {late_by}" if late_by else ""


def _trigger(schedule: CronSchedule) -> CronTrigger:
    return CronTrigger(
        day_of_week=schedule.day_of_week if schedule.day_of_week is not None else "*",
        hour=schedule.hour,
        minute=schedule.minute,
        timezone=zone(schedule.timezone),
    )
