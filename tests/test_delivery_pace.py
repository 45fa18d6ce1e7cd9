"""pmbot talks to Slack at the pace Slack asks: about one post a second per channel after a short
burst, and a 429 holds that method for the whole workspace, on every replica, for Retry-After."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.deliveries.pacing import CHANNEL_BURST
from storage.models import OutboxJob, SlackPause
from tests.delivery_steps import cards_in, drain, file_many, no_errors, paced_pmbot, stop
from tests.fakes import Call, FakeSlack
from tests.harness import INTAKE, FakeClock, Harness

TEAM = "T_TEST"
# The fake records a call when it reads it, on the same busy event loop as pmbot: a loop that
# stalls releases the posts that were due meanwhile together. Allow that much slack per window.
STALL_SECONDS = 0.5


def card_posts(fake: FakeSlack) -> list[Call]:
    return [
        c
        for c in fake.calls_to("chat.postMessage")
        if c.params.get("channel") == INTAKE and "blocks" in c.params
    ]


def assert_paced(times: list[float], per_second: float) -> None:
    """No window holds more than the burst plus `per_second` for each second it lasts."""
    times = sorted(times)
    for i, start in enumerate(times):
        for j in range(i + 1, len(times)):
            allowed = CHANNEL_BURST + (times[j] - start + STALL_SECONDS) * per_second
            assert j - i + 1 <= allowed, f"{j - i + 1} posts in {times[j] - start:.2f}s"


@pytest.mark.parametrize("per_second", [1, 10])
async def test_quick_filings_are_posted_at_the_channel_pace(
    fake: FakeSlack, database_url: str, clock: FakeClock, per_second: float, caplog: pytest.LogCaptureFixture
) -> None:
    pmbot = await paced_pmbot(fake, database_url, clock, posts_per_second=per_second)
    filings = 100 if per_second > 1 else 8
    try:
        await pmbot.set_intake()
        await file_many(pmbot, filings)
        await pmbot.settled(timeout=filings / per_second + 30)
    finally:
        await stop(pmbot)

    cards = cards_in(fake)
    assert sorted(cards) == list(range(1, filings + 1))
    assert all(len(copies) == 1 for copies in cards.values())
    times = sorted(call.at for call in card_posts(fake))
    assert_paced(times, per_second)
    sustained = (len(times) - CHANNEL_BURST) / (times[-1] - times[0])
    assert sustained <= per_second * 1.05, sustained
    no_errors(caplog)


@pytest.fixture
async def quick(fake: FakeSlack, database_url: str, clock: FakeClock) -> AsyncIterator[Harness]:
    pmbot = await paced_pmbot(fake, database_url, clock, posts_per_second=50)
    yield pmbot
    await stop(pmbot)


async def one_claim_later(pmbot: Harness) -> None:
    """Wake the worker and wait for its next claim (a commit)."""
    seen = pmbot._commit_count
    pmbot.services.outbox.wake()

    async def claimed() -> bool:
        return pmbot._commit_count > seen

    await pmbot.until(claimed)


async def test_a_429_holds_the_method_for_every_job_and_every_replica(
    quick: Harness, fake: FakeSlack, database_url: str, clock: FakeClock
) -> None:
    await quick.set_intake()
    fake.fail_next("chat.postMessage", status=429, retry_after=30)
    limited_at = clock.now()

    await quick.file("The first idea")
    await fake.wait_for("chat.postMessage", where=lambda call: call.status == 429)
    replica = await paced_pmbot(fake, database_url, clock, posts_per_second=50)
    try:
        await quick.file("The second idea")
        await replica.file("The third idea")

        async def all_held() -> bool:
            async with quick.services.db.read() as session:
                jobs = (
                    await session.execute(select(OutboxJob).where(OutboxJob.kind == "sync_card"))
                ).scalars()
                return all(
                    j.lease_until is None and j.due_at >= limited_at + timedelta(seconds=30) for j in jobs
                )

        await quick.until(all_held)
        clock.advance(seconds=29)
        await one_claim_later(quick)
        await one_claim_later(replica)
        assert [c.status for c in card_posts(fake)] == [429]
        async with quick.services.db.read() as session:
            [pause] = (await session.execute(select(SlackPause))).scalars()
        assert (pause.team_id, pause.method) == (TEAM, "chat.postMessage")
        assert pause.until == limited_at + timedelta(seconds=30)

        clock.advance(seconds=1)
        replica.services.outbox.wake()
        await drain(quick)
        await replica.settled()
    finally:
        await stop(replica)

    cards = cards_in(fake)
    assert sorted(cards) == [1, 2, 3] and all(len(copies) == 1 for copies in cards.values())


async def test_a_retry_after_that_is_not_a_whole_number_is_honoured(quick: Harness) -> None:
    await quick.set_intake()
    quick.fake.fail_next("chat.postMessage", status=429, retry_after="1.5")

    await quick.file("Dark mode")
    await quick.fake.wait_for("chat.postMessage", where=lambda call: call.status == 429)

    async def rescheduled() -> bool:
        async with quick.services.db.read() as session:
            [job] = (await session.execute(select(OutboxJob).where(OutboxJob.kind == "sync_card"))).scalars()
            return job.lease_until is None and job.last_error is not None

    await quick.until(rescheduled)
    async with quick.services.db.read() as session:
        [job] = (await session.execute(select(OutboxJob).where(OutboxJob.kind == "sync_card"))).scalars()
    assert job.due_at - quick.clock.now() == timedelta(seconds=1.5)
    quick.clock.advance(seconds=1.5)
    quick.services.outbox.wake()
    await quick.settled()
    assert len(cards_in(quick.fake)) == 1
