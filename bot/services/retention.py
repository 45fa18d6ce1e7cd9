"""Retention: delivered outbox jobs and old scheduled runs are deleted, a bounded batch at a time.

Every message pmbot sends leaves a `done` outbox job, and every scheduled occurrence (a digest, a
person's morning reminders) leaves a `scheduled_run` row; without this both tables grow forever.
Each batch is its own short write through the Writer, so SQLite's one writer is never held for
long and other writes go in between. Deleting is idempotent, so every replica may prune at once.
What stays: pending and failed jobs (failed ones keep their error for a person to look into), and
each job's newest posted run, where the next digest's window starts. No Slack here.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.services.writes import write
from bot.text import plural
from storage import inbox, outbox, scheduled_runs
from storage.writer import Writer

log = logging.getLogger(__name__)

BATCH = 1000
# Finished interactions are kept past Slack's longest retry (about an hour) and its replays, with
# room to spare: a key still on record answers a repeat with the first answer.
INBOX_KEEP = timedelta(days=2)
"""Rows one DELETE may remove: a few milliseconds of SQLite's write lock."""

DeleteBatch = Callable[[AsyncSession], Awaitable[int]]


@dataclass(frozen=True)
class Pruned:
    """How many rows one pruning deleted, and the ages it kept."""

    outbox_jobs: int
    scheduled_runs: int
    outbox_keep_days: int
    runs_keep_days: int

    def summary(self) -> str:
        """One line for the log and the command line."""
        return (
            f"deleted {plural(self.outbox_jobs, 'delivered outbox job')} done over "
            f"{plural(self.outbox_keep_days, 'day')} ago and {plural(self.scheduled_runs, 'scheduled run')} "
            f"due over {plural(self.runs_keep_days, 'day')} ago"
        )


class RetentionService:
    """Deletes what pmbot no longer needs (see the module docstring)."""

    def __init__(
        self, writer: Writer, clock: Clock, *, outbox_keep_days: int, runs_keep_days: int, batch: int = BATCH
    ) -> None:
        self._writer = writer
        self._clock = clock
        self._outbox_keep_days = outbox_keep_days
        self._runs_keep_days = runs_keep_days
        self._batch = batch

    async def prune(self) -> Pruned:
        """Delete done jobs and scheduled runs older than their keep days; log and return the counts."""
        now = self._clock.now()
        jobs_before = now - timedelta(days=self._outbox_keep_days)
        runs_before = now - timedelta(days=self._runs_keep_days)
        limit = self._batch
        jobs = await self._in_batches(partial(outbox.delete_done_before, before=jobs_before, limit=limit))
        runs = await self._in_batches(
            partial(scheduled_runs.delete_runs_before, before=runs_before, limit=limit)
        )
        pruned = Pruned(jobs, runs, self._outbox_keep_days, self._runs_keep_days)
        interactions = await self._in_batches(
            partial(inbox.delete_finished_before, before=now - INBOX_KEEP, limit=limit)
        )
        log.info(
            "retention: %s; %s recorded over 2 days ago",
            pruned.summary(),
            plural(interactions, "finished interaction"),
        )
        return pruned

    async def _in_batches(self, delete_batch: DeleteBatch) -> int:
        total = 0
        while True:  # one short write a batch, until a batch comes back short
            deleted = await write(self._writer, delete_batch)
            total += deleted
            if deleted < self._batch:
                return total
