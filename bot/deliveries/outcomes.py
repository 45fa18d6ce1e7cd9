"""Recording how an outbox attempt ended, durably: done, again later, or failed for good.

Each of these is a database write that may itself fail (a restart, a blip). It is tried a few
times, keeping what the attempt learned; should it still fail, the job keeps its lease, and the
attempt that takes it over once the lease runs out looks for its post before posting again.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from storage import outbox, slack_state
from storage.outbox import ClaimedJob
from storage.writer import UnitOfWork, Writer

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 600
WRITE_RETRY_DELAYS: Sequence[float] = (0.2, 0.5, 1.0, 2.0, 4.0)


class Outcomes:
    """The writes that close an attempt, each retried a few times."""

    def __init__(
        self, writer: Writer, clock: Clock, *, write_retry_delays: Sequence[float] = WRITE_RETRY_DELAYS
    ) -> None:
        self._writer = writer
        self._clock = clock
        self._delays = write_retry_delays
        self.write_failures = 0  # writes that failed at least once (for metrics)

    async def done(self, job: ClaimedJob, learned: UnitOfWork[None] | None) -> bool:
        """Store what the delivery learned and mark the job done, in one transaction."""
        return await self._write(partial(_finish, job=job, learned=learned), job, "mark it done")

    async def again(
        self,
        job: ClaimedJob,
        *,
        after: float,
        error: str,
        unsure_since: datetime | None = None,
        counts: bool = True,
        pause: tuple[str, datetime] | None = None,
    ) -> bool:
        """Put the job back for `after` seconds (and hold a method for the workspace)."""
        due = self._clock.now() + timedelta(seconds=after)

        async def work(session: AsyncSession) -> None:
            if pause is not None:
                method, until = pause
                await slack_state.pause_method(session, team_id=job.team_id, method=method, until=until)
            await outbox.retry_later(
                session, job, due_at=due, error=error, unsure_since=unsure_since, counts=counts
            )

        return await self._write(work, job, "schedule its retry")

    async def failed(self, job: ClaimedJob, reason: str) -> bool:
        """Give the job up for good, keeping the reason."""
        return await self._write(partial(_fail, job=job, reason=reason), job, "record its failure")

    async def installation_refused(self, job: ClaimedJob, code: str) -> bool:
        """Slack refused the token: mark the workspace inactive; the job waits for it to work again.
        True when this is the news (the installation was active until now)."""

        async def work(session: AsyncSession) -> bool:
            changed = await slack_state.set_installation_active(
                session, team_id=job.team_id, active=False, reason=code
            )
            await outbox.retry_later(session, job, due_at=self._clock.now(), error=code, counts=False)
            return changed

        changed = await self._run(work)
        return bool(changed)

    async def _write(self, work: UnitOfWork[None], job: ClaimedJob, what: str) -> bool:
        return await self._run(work, job, what) is not None

    async def _run(self, work: UnitOfWork[object], job: ClaimedJob | None = None, what: str = "") -> object:
        for delay in [*self._delays, None]:
            try:
                result = await work_result(self._writer, work)
            except Exception as error:  # the database is away: try again shortly, keeping the result
                self.write_failures += 1
                if delay is None:
                    log.warning(
                        "outbox job %s: could not %s (%s); its lease will run out and the job be taken over",
                        job.id if job else "?",
                        what or "write",
                        type(error).__name__,
                    )
                    return None
                await asyncio.sleep(delay)
            else:
                return result
        return None


async def work_result(writer: Writer, work: UnitOfWork[object]) -> object:
    """Run `work`; a unit that returns None answers True, so None means "not written"."""
    result = await writer.run(work)
    return True if result is None else result


def backoff_seconds(attempts: int) -> float:
    """Exponential backoff with jitter, capped."""
    base = min(2 ** min(attempts, 10), MAX_BACKOFF_SECONDS)
    return base * random.uniform(0.5, 1.0)


async def _finish(session: AsyncSession, *, job: ClaimedJob, learned: UnitOfWork[None] | None) -> None:
    if learned is not None:
        await learned(session)
    await outbox.mark_done(session, job)


async def _fail(session: AsyncSession, *, job: ClaimedJob, reason: str) -> None:
    await outbox.mark_failed(session, job, error=reason)
