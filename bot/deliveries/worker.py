"""Delivers the outbox to Slack: claims due jobs, runs them a few at a time, retries what can be.

Retry policy, by what Slack said:
- 429: again after its Retry-After; 5xx, timeouts, dropped connections: again with backoff.
- errors that no retry can fix (`channel_not_found`, `not_in_channel`, `invalid_auth`, ...):
  the job fails at once and its delivery's `on_give_up` tells a person what to do.
Nothing is dropped silently: a failed job keeps its error in the database and in the log.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

import aiohttp
from slack_sdk.errors import SlackApiError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from storage import outbox
from storage.db import Database
from storage.outbox import ClaimedJob
from storage.writer import UnitOfWork, Writer

log = logging.getLogger(__name__)

PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found", "not_in_channel", "is_archived", "invalid_auth", "token_revoked",
        "account_inactive", "missing_scope", "restricted_action", "user_not_found", "cannot_dm_bot",
        "invalid_blocks", "invalid_arguments", "msg_too_long", "no_text", "message_not_found",
        "cant_update_message", "not_authed", "team_access_not_granted", "user_disabled",
    }
)  # fmt: skip
MAX_BACKOFF_SECONDS = 600
MAX_ATTEMPTS = 60  # with the backoff cap, about nine hours of trying


class GiveUp(Exception):
    """A delivery that can never succeed; the job fails with this reason."""


# A delivery may return what it learned (say, the ts of a posted card) as a unit of work; it is
# stored in the same transaction that marks the job done, so one never happens without the other.
Deliver = Callable[[ClaimedJob], Awaitable[UnitOfWork[None] | None]]
GiveUpHandler = Callable[[ClaimedJob, str], Awaitable[None]]


@dataclass(frozen=True)
class Delivery:
    """How one kind of job reaches Slack, and whom to tell if it never can."""

    deliver: Deliver
    on_give_up: GiveUpHandler | None = None


class OutboxWorker:
    """Runs in every replica; leases keep two replicas off the same job."""

    def __init__(
        self,
        db: Database,
        writer: Writer,
        clock: Clock,
        deliveries: dict[str, Delivery],
        *,
        concurrency: int = 16,
        lease: timedelta = timedelta(seconds=60),
        idle_poll_seconds: float = 2.0,
    ) -> None:
        self._db = db
        self._writer = writer
        self._clock = clock
        self._deliveries = deliveries
        self._slots = asyncio.Semaphore(concurrency)
        self._concurrency = concurrency
        self._lease = lease
        self._idle_poll_seconds = idle_poll_seconds
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._running: set[asyncio.Task[None]] = set()
        self._stopping = False

    def start(self) -> None:
        """Start claiming and delivering on the running loop."""
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self._run(), name="pmbot-outbox")

    async def stop(self) -> None:
        """Stop claiming; let deliveries under way finish (their leases protect the rest).

        The loop is asked to stop rather than cancelled: a cancelled claim could leave the
        writer's answer unread and the claimed jobs leased for nothing.
        """
        if self._task is not None:
            self._stopping = True
            self._wake.set()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        if self._running:
            await asyncio.wait(self._running, timeout=self._lease.total_seconds() / 2)

    @property
    def busy(self) -> bool:
        """True while a delivery is under way."""
        return bool(self._running)

    def wake(self) -> None:
        """Something was enqueued: look now rather than at the next poll."""
        self._wake.set()

    async def _run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            free = self._concurrency - len(self._running)
            jobs = await self._claim(free) if free > 0 else []
            for job in jobs:
                await self._slots.acquire()
                task = asyncio.create_task(self._deliver(job))
                self._running.add(task)
                task.add_done_callback(self._running.discard)
            if len(jobs) < max(free, 1) and not self._stopping:
                await self._sleep()

    async def _claim(self, limit: int) -> list[ClaimedJob]:
        now = self._clock.now()
        try:
            return await self._writer.run(
                lambda session: outbox.claim_due(session, now=now, limit=limit, lease_for=self._lease)
            )
        except Exception as error:  # a database hiccup must not end delivery for good
            log.warning("could not claim outbox jobs: %s", error)
            return []

    async def _sleep(self) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self._idle_poll_seconds):
                await self._wake.wait()

    async def _deliver(self, job: ClaimedJob) -> None:
        try:
            await self._attempt(job)
        finally:
            # Free the slot before waking the loop, or it would still count it busy and sleep.
            self._running.discard(asyncio.current_task())  # type: ignore[arg-type]
            self._slots.release()
            self.wake()

    async def _attempt(self, job: ClaimedJob) -> None:
        delivery = self._deliveries.get(job.kind)
        if delivery is None:
            await self._give_up(job, None, f"no delivery for job kind {job.kind!r}")
            return
        try:
            learned = await delivery.deliver(job)
        except GiveUp as reason:
            await self._give_up(job, delivery, str(reason))
        except SlackApiError as error:
            await self._after_slack_error(job, delivery, error)
        except (TimeoutError, aiohttp.ClientError, ConnectionError) as error:
            await self._retry(job, delivery, f"{type(error).__name__}: {error}", None)
        except Exception as error:  # a bug in one delivery must not stop the others
            log.exception("outbox job %s (%s) raised", job.id, job.kind)
            await self._retry(job, delivery, f"{type(error).__name__}: {error}", None)
        else:
            await self._writer.run(lambda session: _finish(session, job, learned))

    async def _after_slack_error(self, job: ClaimedJob, delivery: Delivery, error: SlackApiError) -> None:
        response = error.response
        code = response.get("error") if isinstance(response.data, dict) else None
        if code in PERMANENT_ERRORS:
            await self._give_up(job, delivery, str(code))
            return
        retry_after = _retry_after_seconds(response.headers) if response.status_code == 429 else None
        await self._retry(job, delivery, f"HTTP {response.status_code} {code or ''}".strip(), retry_after)

    async def _retry(self, job: ClaimedJob, delivery: Delivery, error: str, after: float | None) -> None:
        if job.attempts >= MAX_ATTEMPTS:
            await self._give_up(job, delivery, f"gave up after {job.attempts} attempts: {error}")
            return
        delay = after if after is not None else _backoff_seconds(job.attempts)
        log.warning("outbox job %s (%s) will retry in %.0fs: %s", job.id, job.kind, delay, error)
        due = self._clock.now() + timedelta(seconds=delay)
        await self._writer.run(lambda session: outbox.retry_later(session, job, due_at=due, error=error))

    async def _give_up(self, job: ClaimedJob, delivery: Delivery | None, reason: str) -> None:
        log.error("outbox job %s (%s, team %s) failed: %s", job.id, job.kind, job.team_id, reason)
        await self._writer.run(lambda session: outbox.mark_failed(session, job, error=reason))
        if delivery is not None and delivery.on_give_up is not None:
            try:
                await delivery.on_give_up(job, reason)
            except Exception:  # telling someone is best effort; the failure is already logged
                log.exception("could not report failed outbox job %s", job.id)


async def _finish(session: AsyncSession, job: ClaimedJob, learned: UnitOfWork[None] | None) -> None:
    if learned is not None:
        await learned(session)
    await outbox.mark_done(session, job)


def _retry_after_seconds(headers: dict[str, str | list[str]]) -> float:
    # slack_sdk's own handler raises ValueError on a non-integer Retry-After; be lenient.
    raw = next((value for key, value in headers.items() if key.lower() == "retry-after"), None)
    if isinstance(raw, list):
        raw = raw[0] if raw else None
    try:
        return min(max(float(raw), 1.0), MAX_BACKOFF_SECONDS) if raw is not None else 30.0
    except ValueError:
        return 30.0


def _backoff_seconds(attempts: int) -> float:
    base = min(2 ** min(attempts, 10), MAX_BACKOFF_SECONDS)
    return base * random.uniform(0.5, 1.0)
