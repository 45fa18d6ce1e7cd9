"""Exactly once across replicas, with each replica a separate OS process: three scheduler instances
on one PostgreSQL database post each digest once, and a replica killed after claiming is taken over
once its outbox lease has run out."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from storage.db import Database
from storage.models import OutboxJob, ScheduledRun
from tests import databases
from tests.digest_schedule_steps import (
    BERLIN,
    NEW_YORK,
    finish,
    posts_in,
    run_replica,
    start_replica,
    subscribe,
    utc,
)
from tests.fakes import FakeSlack
from tests.harness import ALICE, BOB, CAROL, FakeClock, build_harness

# Monday 23 November: 08:00, 09:00 and 10:00 UTC, each at its local time in its own zone.
CHANNELS = {
    "C_BERLIN": (ALICE, BERLIN, "09:00"),
    "C_NEW_YORK": (BOB, NEW_YORK, "04:00"),
    "C_UTC": (CAROL, "UTC", "10:00"),
}
SUBSCRIBED_AT = utc(2026, 11, 18, 12, 0)
ALL_DUE = utc(2026, 11, 23, 10, 1)  # all three are due, within the grace window
LEASE = timedelta(seconds=60)


@pytest.fixture
async def postgres_url(postgres_template: str) -> AsyncIterator[str]:
    """A fresh, migrated PostgreSQL database (replicas share one only on PostgreSQL)."""
    name, url = await databases.clone_postgres(postgres_template)
    yield url
    await databases.drop_postgres(name)


async def subscribe_channels(fake: FakeSlack, url: str, channels: dict[str, tuple[str, str, str]]) -> None:
    """Subscribe each channel through the modal in a pmbot that is then shut down."""
    pmbot = await build_harness(fake, url, FakeClock(SUBSCRIBED_AT))
    try:
        for channel, (user, zone, at) in channels.items():
            await subscribe(pmbot, channel, user=user, zone=zone, at=at)
    finally:
        await pmbot.http.aclose()
        await pmbot.services.stop()
    fake.reset()


async def stored(url: str) -> tuple[list[ScheduledRun], list[OutboxJob]]:
    """The runs and outbox jobs as the replicas left them."""
    db = Database(url)
    try:
        async with db.read() as session:
            found = list((await session.execute(select(ScheduledRun).order_by(ScheduledRun.id))).scalars())
            jobs = list((await session.execute(select(OutboxJob).order_by(OutboxJob.id))).scalars())
        return found, jobs
    finally:
        await db.dispose()


async def test_three_replica_processes_post_each_digest_exactly_once(
    fake: FakeSlack, postgres_url: str
) -> None:
    await subscribe_channels(fake, postgres_url, CHANNELS)

    started = [await start_replica(postgres_url, fake.base_url, ALL_DUE) for _ in range(3)]
    results = await asyncio.gather(*(finish(process) for process in started))

    assert [status for status, _ in results] == [0, 0, 0], results
    for channel in CHANNELS:
        assert len(posts_in(fake, channel)) == 1, (channel, results)
    assert len(fake.calls_to("chat.postMessage")) == len(CHANNELS)
    found, jobs = await stored(postgres_url)
    assert sorted(run.period for run in found) == ["2026-11-23"] * len(CHANNELS)
    assert all(run.posted_at is not None and run.message_ts for run in found)
    assert [job.status for job in jobs] == ["done"] * len(CHANNELS)


async def test_a_replica_killed_after_claiming_is_taken_over_after_the_lease(
    fake: FakeSlack, database_url: str
) -> None:
    await subscribe_channels(fake, database_url, {"C_BERLIN": (ALICE, BERLIN, "09:00")})
    claimed_at: datetime = utc(2026, 11, 23, 8, 1)

    status, output = await run_replica(database_url, fake.base_url, claimed_at, crash_after_claim=True)
    assert status == 17, output
    assert json.loads(output.strip().splitlines()[-1]) == {"claimed": 1, "leased": ["post_digest"]}
    assert fake.calls_to("chat.postMessage") == []

    status, output = await run_replica(database_url, fake.base_url, claimed_at + LEASE + timedelta(seconds=1))
    assert status == 0, output
    status, output = await run_replica(database_url, fake.base_url, claimed_at + 2 * LEASE)
    assert status == 0, output

    [post] = posts_in(fake, "C_BERLIN")
    [run], [job] = await stored(database_url)
    assert (run.period, run.message_ts, run.late) == ("2026-11-23", post.response["ts"], False)
    assert (job.status, job.attempts) == ("done", 2)  # leased by the dead replica, then by its heir
