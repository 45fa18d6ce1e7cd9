"""The scheduler: APScheduler 3 on the app's event loop, started and stopped with the app.

Every job is safe to run in several replicas at once: what it changes is claimed in the database
(a row lock and a status check), so a second runner finds nothing left to do.
"""

from __future__ import annotations

import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.services.roadmap import RoadmapService

log = logging.getLogger(__name__)

APPROVALS_SWEEP_SECONDS = 60


class Scheduler:
    """Owns the AsyncIOScheduler and pmbot's jobs (fixed ids, replaced on every start)."""

    def __init__(self, roadmap: RoadmapService) -> None:
        self._roadmap = roadmap
        self._scheduler: AsyncIOScheduler | None = None

    def start(self) -> None:
        """Start on the running loop."""
        self._scheduler = AsyncIOScheduler(timezone="UTC")
        self._scheduler.add_job(
            self._sweep_approvals,
            "interval",
            seconds=APPROVALS_SWEEP_SECONDS,
            id="approvals-sweep",
            replace_existing=True,
            coalesce=True,
            max_instances=1,
        )
        self._scheduler.start()

    def stop(self) -> None:
        """Stop without waiting for running jobs (they are safe to interrupt)."""
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None

    async def _sweep_approvals(self) -> None:
        changed = await self._roadmap.sweep()
        if changed:
            log.info("approvals sweep: %d proposal(s) expired or reminded", changed)
