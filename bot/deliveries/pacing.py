"""Pacing calls to Slack as its rate limits ask, within this process.

Two limits (docs: apis/web-api/rate-limits): about one message per second per channel, with short
bursts, and per method and workspace a tier (tier 2: 20+/min, tier 3: 50+/min, tier 4: 100+/min).
Each is a GCRA token bucket: a call reserves the next slot and waits for it, so calls to one channel
leave in the order they asked (a card before its updates). Waits use real time (monotonic), not the
app's clock: they are how fast pmbot talks, not when jobs are due.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

SECONDS_PER_MINUTE = 60.0
MIN_WAIT_SECONDS = 0.001  # below this a wait is float rounding, not pacing
CHANNEL_BURST = 4  # posts a channel may take at once before the per-second pace applies
# Calls per minute per workspace, by method (Slack's tiers); a minute's worth may come at once.
TIER_2, TIER_3, TIER_4 = 20, 50, 100
POST_MESSAGE_PER_MINUTE = 300  # "several hundred per minute per workspace"
METHOD_PER_MINUTE = {
    "chat.postMessage": POST_MESSAGE_PER_MINUTE,
    "chat.update": TIER_3,
    "chat.delete": TIER_3,
    "conversations.history": TIER_3,
    "conversations.replies": TIER_3,
    "conversations.open": TIER_3,
    "usergroups.users.list": TIER_2,
    "views.publish": TIER_4,
    "views.update": TIER_4,
    "users.info": TIER_4,
    "auth.test": TIER_4,
}


MAX_WAIT_SECONDS = 20.0  # well inside the outbox lease (60 s)


class TooBusy(Exception):
    """Calling now would wait longer than a delivery should hold its slot."""

    def __init__(self, wait: float) -> None:
        super().__init__(f"paced: the next slot is {wait:.1f}s away")
        self.wait = wait


@dataclass
class Bucket:
    """A GCRA bucket: `interval` seconds a call, `burst` calls at once."""

    interval: float
    burst: int
    ready_at: float = 0.0  # the theoretical time the bucket is empty again

    def wait(self, now: float) -> float:
        """How long a call made now would wait for its slot."""
        return max(now, self.ready_at - self.interval * (self.burst - 1)) - now

    def reserve(self, now: float) -> None:
        """Take the next slot."""
        self.ready_at = max(self.ready_at, now) + self.interval


class Pacer:
    """Per-channel post pace and per-workspace method tiers."""

    def __init__(
        self,
        *,
        channel_posts_per_second: float,
        workspace_rate_factor: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._channel_interval = 1.0 / channel_posts_per_second
        self._workspace_factor = workspace_rate_factor
        self._monotonic = monotonic
        self._sleep = sleep
        self._channels: dict[tuple[str, str], Bucket] = {}
        self._methods: dict[tuple[str, str], Bucket] = {}

    async def pace(self, team_id: str, method: str, channel: str | None) -> None:
        """Wait until `method` may be called again (for `channel`, when it posts a message).

        Raises `TooBusy` rather than wait longer than `MAX_WAIT_SECONDS`: the job is put back for
        later, so a backlog in one channel neither holds every delivery slot nor outlives a lease.
        """
        now = self._monotonic()
        buckets = [self._method_bucket(team_id, method)]
        if method == "chat.postMessage" and channel:
            buckets.append(self._channel_bucket(team_id, channel))
        wait = max(bucket.wait(now) for bucket in buckets)
        if wait > MAX_WAIT_SECONDS:
            raise TooBusy(wait)
        for bucket in buckets:
            bucket.reserve(now)
        if wait > MIN_WAIT_SECONDS:
            await self._sleep(wait)

    def _method_bucket(self, team_id: str, method: str) -> Bucket:
        key = (team_id, method)
        if key not in self._methods:
            per_minute = METHOD_PER_MINUTE.get(method, TIER_4) * self._workspace_factor
            self._methods[key] = Bucket(SECONDS_PER_MINUTE / per_minute, max(int(per_minute), 1))
        return self._methods[key]

    def _channel_bucket(self, team_id: str, channel: str) -> Bucket:
        key = (team_id, channel)
        if key not in self._channels:
            self._channels[key] = Bucket(self._channel_interval, CHANNEL_BURST)
        return self._channels[key]
