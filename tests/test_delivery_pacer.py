"""The pacer's arithmetic, on a clock the test moves: a burst, then Slack's pace, in call order."""

from __future__ import annotations

from bot.deliveries.pacing import CHANNEL_BURST, TIER_3, Pacer


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
