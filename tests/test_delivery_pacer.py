"""The pacer's arithmetic, on a clock the test moves: a burst, then Slack's pace, in call order."""

from __future__ import annotations

import pytest

from bot.deliveries.pacing import CHANNEL_BURST, MAX_WAIT_SECONDS, TIER_3, Pacer, TooBusy


class ManualTime:
    """Monotonic time that only moves when the pacer sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sent: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


async def test_a_channel_takes_a_burst_then_one_post_a_second() -> None:
    time = ManualTime()
    pacer = Pacer(channel_posts_per_second=1, monotonic=time.monotonic, sleep=time.sleep)

    for _ in range(CHANNEL_BURST + 3):
        await pacer.pace("T1", "chat.postMessage", "C1")
        time.sent.append(time.now)

    assert time.sent[:CHANNEL_BURST] == [1000.0] * CHANNEL_BURST
    assert time.sent[CHANNEL_BURST:] == [1001.0, 1002.0, 1003.0]


async def test_another_channel_or_workspace_is_not_held_up() -> None:
    time = ManualTime()
    pacer = Pacer(channel_posts_per_second=1, monotonic=time.monotonic, sleep=time.sleep)
    for _ in range(CHANNEL_BURST):
        await pacer.pace("T1", "chat.postMessage", "C1")

    await pacer.pace("T1", "chat.postMessage", "C2")
    await pacer.pace("T2", "chat.postMessage", "C1")

    assert time.now == 1000.0


async def test_a_tier_3_method_allows_a_minutes_worth_then_its_pace() -> None:
    time = ManualTime()
    pacer = Pacer(channel_posts_per_second=1, monotonic=time.monotonic, sleep=time.sleep)

    for _ in range(TIER_3):
        await pacer.pace("T1", "chat.update", "C1")
    assert time.now == 1000.0
    await pacer.pace("T1", "chat.update", "C1")

    assert abs(time.now - (1000.0 + 60 / TIER_3)) < 1e-6


async def test_a_slot_too_far_away_is_refused_not_waited_for_nor_taken() -> None:
    time = ManualTime()
    waits: list[float] = []

    async def concurrent_sleep(seconds: float) -> None:  # callers waiting side by side: time stands
        waits.append(seconds)

    pacer = Pacer(channel_posts_per_second=0.1, monotonic=time.monotonic, sleep=concurrent_sleep)
    for _ in range(CHANNEL_BURST + 2):
        await pacer.pace("T1", "chat.postMessage", "C1")
    assert waits == [10.0, 20.0]

    with pytest.raises(TooBusy) as busy:
        await pacer.pace("T1", "chat.postMessage", "C1")
    assert busy.value.wait == 30.0 > MAX_WAIT_SECONDS

    time.now += 10  # the refused call took no slot: ten seconds on, the next one is 20 s away
    await pacer.pace("T1", "chat.postMessage", "C1")
    assert waits[-1] == 20.0
