"""Finishing recorded interactions left unfinished: after a crash or a shutdown, after a stalled
write that was promised, or when another replica died holding them (its lease ran out)."""

from __future__ import annotations

import asyncio
import logging

from bot.interactions.answering import LEASE, STORE_FAILURES, Answerer
from storage import inbox
from storage.inbox import ClaimedEntry
from storage.types import utcnow
from storage.writer import Writer

log = logging.getLogger(__name__)

CLAIM_LIMIT = 20
LOOK_EVERY_SECONDS = 1.0


class Redelivery:
    """Claims due unfinished inbox entries and runs them again through the Answerer."""

    def __init__(self, answerer: Answerer, writer: Writer, *, sole_process: bool) -> None:
        self._answerer = answerer
        self._writer = writer
        # On SQLite this process is the only one (the file lock says so): what is leased at start
        # was leased by its own previous life, so it need not wait for those leases to run out.
        self._sole_process = sole_process
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Look at once, then every second."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="pmbot-redelivery")

    async def stop(self) -> None:
        """Stop looking (what runs is the Answerer's to drain)."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        first = True
        while True:
            claimed = await self._claim(ignore_leases=first and self._sole_process)
            first = False
            if claimed:
                await asyncio.gather(*(self._answerer.redeliver(entry) for entry in claimed))
                continue
            await asyncio.sleep(LOOK_EVERY_SECONDS)

    async def _claim(self, *, ignore_leases: bool) -> list[ClaimedEntry]:
        try:
            return await self._writer.run(
                lambda session: inbox.claim_due(
                    session, now=utcnow(), limit=CLAIM_LIMIT, lease_for=LEASE, ignore_leases=ignore_leases
                )
            )
        except STORE_FAILURES as error:
            log.warning("could not look for unfinished interactions: %s", error)
            return []
