"""Delivers the outbox to Slack: claims due jobs, runs them a few at a time, retries what can be.

Retry policy, by what Slack said:
- 429: this job again after its Retry-After, and the method is paused for the whole workspace
  (every job, every replica: the pause is kept in the database).
- 5xx, unreadable answers, timeouts, dropped connections: again with backoff. Slack may have acted
  on such a call, so the next attempt first looks for its own post (`reconcile.py`).
- a refused token (`token_revoked`, `invalid_auth`, `account_inactive`): the installation is marked
  inactive and its jobs wait, uncounted, until an auth.test at start-up succeeds again.
- errors that no retry can fix (`channel_not_found`, `not_in_channel`, ...): the job fails at once
  and its delivery's `on_give_up` tells a person what to do.
Nothing is dropped silently and nothing escapes: every attempt ends in a recorded outcome.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from slack_sdk.errors import SlackApiError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.deliveries import slack_errors
from bot.deliveries.attempt import JobAttempt, attempting
from bot.deliveries.client import DeliveryClient
from bot.deliveries.guard import InstallationInactive, Paused
from bot.deliveries.outcomes import MAX_BACKOFF_SECONDS, Outcomes, backoff_seconds
from bot.deliveries.pacing import TooBusy
from storage import outbox, slack_state
from storage.db import Database
from storage.outbox import ClaimedJob
from storage.writer import UnitOfWork, Writer

log = logging.getLogger(__name__)

PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found", "not_in_channel", "is_archived", "missing_scope", "restricted_action",
        "user_not_found", "cannot_dm_bot", "invalid_blocks", "invalid_arguments", "msg_too_long",
        "no_text", "message_not_found", "cant_update_message", "not_authed",
        "team_access_not_granted", "user_disabled", "invalid_metadata_format",
    }
)  # fmt: skip
MAX_ATTEMPTS = 60  # with the backoff cap, about nine hours of trying
SHARED_STATE_REFRESH_SECONDS = 1.0


class GiveUp(Exception):
    """A delivery that can never succeed; the job fails with this reason."""


class NotYet(Exception):
    """A delivery that should wait (say, to gather more notices into one DM): no attempt counted."""

    def __init__(self, wait_seconds: float) -> None:
        super().__init__(f"waits {wait_seconds:.0f}s")
        self.wait = wait_seconds


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
        client: DeliveryClient,
        concurrency: int = 16,
        lease: timedelta = timedelta(seconds=60),
        idle_poll_seconds: float = 2.0,
    ) -> None:
        self._db = db
        self._writer = writer
        self._clock = clock
        self._deliveries = deliveries
        self._client = client
        self._guard = client.guard
        self._outcomes = Outcomes(writer, clock)
        self._slots = asyncio.Semaphore(concurrency)
        self._concurrency = concurrency
        self._lease = lease
        self._idle_poll_seconds = idle_poll_seconds
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._running: set[asyncio.Task[None]] = set()
        self._stopping = False
        self._refreshed_at = float("-inf")

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

    @property
    def write_failures(self) -> int:
        """How many outcome writes failed at least once (for metrics)."""
        return self._outcomes.write_failures

    def installation_active(self, team_id: str) -> bool:
        """False while Slack refuses the workspace's token (for readiness); as of the last claim."""
        return self._guard.is_active(team_id)

    def wake(self) -> None:
        """Something was enqueued: look now rather than at the next poll."""
        self._wake.set()

    async def _run(self) -> None:
        await self._recheck_installations()
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
        # The shared pauses and refused installations are read with a claim, at most once a second.
        refresh = time.monotonic() - self._refreshed_at >= SHARED_STATE_REFRESH_SECONDS
        try:
            jobs, shared = await self._writer.run(
                partial(_claim, now=now, limit=limit, lease=self._lease, with_shared_state=refresh),
                quiet=True,
            )
        except Exception as error:  # a database hiccup must not end delivery for good
            log.warning("could not claim outbox jobs: %s", type(error).__name__)
            return []
        if shared is not None:
            self._guard.refresh(*shared)
            self._refreshed_at = time.monotonic()
        return jobs

    async def _recheck_installations(self) -> None:
        """An installation Slack refused works again once auth.test succeeds (say, a new token)."""
        try:
            async with self._db.read() as session:
                inactive = await slack_state.inactive_teams(session)
            if not inactive:
                return
            answer = await self._client.auth_test()
            team_id = answer.get("team_id")
            if team_id in inactive:
                await self._writer.run(
                    partial(slack_state.set_installation_active, team_id=team_id, active=True)
                )
                self._guard.set_active(team_id, True)
                log.info("the installation in %s works again: delivering its waiting jobs", team_id)
        except Exception as error:  # still refused, or Slack or the database away: stay as we are
            log.info("installations stay inactive: %s", slack_errors.describe(error))

    async def _sleep(self) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self._idle_poll_seconds):
                await self._wake.wait()

    async def _deliver(self, job: ClaimedJob) -> None:
        try:
            await self._attempt(job)
        except Exception:  # never expected (outcomes handle their own failures); never silent either
            log.exception("outbox job %s (%s) could not be settled", job.id, job.kind)
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
        look_back = job.unsure_since - self._lease if job.unsure_since is not None else None
        attempt = JobAttempt(job.id, job.team_id, self._clock.now(), look_back)
        try:
            with attempting(attempt):
                learned = await delivery.deliver(job)
        except GiveUp as reason:
            await self._give_up(job, delivery, str(reason))
        except NotYet as waiting:
            await self._outcomes.again(job, after=waiting.wait, error=str(waiting), counts=False)
        except Paused as paused:
            log.info("outbox job %s (%s) waits: %s", job.id, job.kind, paused)
            after = (paused.until - self._clock.now()).total_seconds()
            await self._outcomes.again(job, after=after, error=str(paused), counts=False)
        except TooBusy as busy:
            await self._outcomes.again(job, after=busy.wait, error=str(busy), counts=False)
        except InstallationInactive:
            await self._outcomes.again(job, after=0, error="installation inactive", counts=False)
        except SlackApiError as error:
            await self._after_slack_error(job, delivery, error, attempt.started_at)
        except Exception as error:  # timeouts, dropped connections, a bug in one delivery
            if not isinstance(error, TimeoutError | OSError) and "aiohttp" not in type(error).__module__:
                log.exception("outbox job %s (%s) raised", job.id, job.kind)
            await self._retry(job, delivery, error, attempt.started_at)
        else:
            await self._outcomes.done(job, learned)

    async def _after_slack_error(
        self, job: ClaimedJob, delivery: Delivery, error: SlackApiError, started: datetime
    ) -> None:
        code = slack_errors.code_of(error)
        if code in slack_errors.INSTALLATION_ERRORS:
            self._guard.set_active(job.team_id, False)
            if await self._outcomes.installation_refused(job, code):
                log.error(
                    "Slack refused pmbot's token in %s (%s): no calls there until it works", job.team_id, code
                )
            return
        if code in PERMANENT_ERRORS:
            await self._give_up(job, delivery, str(code))
            return
        if slack_errors.status_of(error) == slack_errors.RATE_LIMITED:
            await self._rate_limited(job, error)
            return
        await self._retry(job, delivery, error, started)

    async def _rate_limited(self, job: ClaimedJob, error: SlackApiError) -> None:
        after = slack_errors.retry_after_seconds(error, cap=MAX_BACKOFF_SECONDS)
        method = _method_of(error)
        until = self._clock.now() + timedelta(seconds=after)
        self._guard.pause(job.team_id, method, until)
        log.warning("Slack rate-limited %s in %s: paused for %.1fs", method, job.team_id, after)
        await self._outcomes.again(
            job, after=after, error=slack_errors.describe(error), pause=(method, until)
        )

    async def _retry(
        self, job: ClaimedJob, delivery: Delivery, error: BaseException, started: datetime
    ) -> None:
        reason = slack_errors.describe(error)
        if job.attempts >= MAX_ATTEMPTS:
            await self._give_up(job, delivery, f"gave up after {job.attempts} attempts: {reason}")
            return
        delay = backoff_seconds(job.attempts)
        log.warning("outbox job %s (%s) will retry in %.0fs: %s", job.id, job.kind, delay, reason)
        unsure = started if slack_errors.maybe_processed(error) else None
        await self._outcomes.again(job, after=delay, error=reason, unsure_since=unsure)

    async def _give_up(self, job: ClaimedJob, delivery: Delivery | None, reason: str) -> None:
        told = delivery is not None and delivery.on_give_up is not None
        # A person is told what to do: a warning for the operator; nobody is: an error.
        level = logging.WARNING if told else logging.ERROR
        log.log(level, "outbox job %s (%s, team %s) failed: %s", job.id, job.kind, job.team_id, reason)
        # Told before the job is recorded failed: whoever waits for the outbox to settle sees the
        # telling too, and a process dying in between tells again (the telling is deduplicated).
        if delivery is not None and delivery.on_give_up is not None:
            try:
                with attempting(JobAttempt(job.id, job.team_id, self._clock.now())):
                    await delivery.on_give_up(job, reason)
            except Exception as error:  # telling someone is best effort; the failure is already logged
                log.warning("could not report failed outbox job %s: %s", job.id, slack_errors.describe(error))
        await self._outcomes.failed(job, reason)


async def _claim(
    session: AsyncSession, *, now: datetime, limit: int, lease: timedelta, with_shared_state: bool
) -> tuple[list[ClaimedJob], tuple[dict[tuple[str, str], datetime], list[str]] | None]:
    """Due jobs, and (when asked) the pauses and refused installations every replica shares."""
    jobs = await outbox.claim_due(session, now=now, limit=limit, lease_for=lease)
    if not with_shared_state:
        return jobs, None
    pauses = await slack_state.list_pauses(session, now=now)
    return jobs, (pauses, await slack_state.inactive_teams(session))


def _method_of(error: SlackApiError) -> str:
    url = str(getattr(error.response, "api_url", "") or getattr(error.response, "url", ""))
    return url.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0] or "unknown"
