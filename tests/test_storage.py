"""The store on both databases: UTC timestamps, the single writer, the outbox, request numbers."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.ext.asyncio import AsyncSession

from storage import outbox
from storage.db import Database
from storage.models import JobStatus, OutboxJob, Workspace
from storage.outbox import ClaimedJob
from storage.requests import allocate_request_number
from storage.writer import Writer, WriterStopped

T0 = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # an hour before Europe's clocks spring forward
LEASE = timedelta(seconds=60)
TEAM = "T_TEST"


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


@pytest.fixture
async def writer(db: Database) -> AsyncIterator[Writer]:
    running = Writer(db)
    running.start()
    yield running
    await running.stop()


async def workspace_ids(db: Database) -> list[str]:
    async with db.read() as session:
        return list((await session.execute(select(Workspace.team_id).order_by(Workspace.team_id))).scalars())


def add_workspace(team_id: str, **fields: Any) -> Any:
    async def work(session: AsyncSession) -> str:
        session.add(Workspace(team_id=team_id, **fields))
        return team_id

    return work


# Timestamps


@pytest.mark.parametrize(
    "given",
    [
        datetime(2026, 3, 29, 3, 15, 42, 123456, tzinfo=ZoneInfo("Europe/Berlin")),
        datetime(2026, 11, 1, 1, 30, tzinfo=ZoneInfo("America/New_York"), fold=1),
        datetime(2026, 1, 1, 23, 59, tzinfo=timezone(timedelta(hours=5, minutes=30))),
        datetime(2026, 1, 1, 0, 0, tzinfo=timezone(timedelta(hours=-12))),
    ],
    ids=["berlin-dst", "new-york-fold", "plus-0530", "minus-12"],
)
async def test_an_aware_time_comes_back_as_the_same_instant_in_utc(db: Database, given: datetime) -> None:
    async with db.transaction() as session:
        session.add(Workspace(team_id=TEAM, created_at=given, updated_at=given))

    just_after = (given.astimezone(UTC) + timedelta(seconds=1)).astimezone(given.tzinfo)  # same zone
    async with db.read() as session:
        stored = (await session.execute(select(Workspace.created_at))).scalar_one()
        earlier = await session.execute(
            select(func.count()).select_from(Workspace).where(Workspace.created_at < just_after)
        )

    # Compared as instants: PEP 495 makes a fold=1 time unequal to any time in another zone.
    assert stored.timestamp() == given.timestamp()
    assert stored == given.astimezone(UTC)
    assert stored.utcoffset() == timedelta(0) and stored.tzinfo is UTC
    assert earlier.scalar_one() == 1  # comparisons with an aware value use the instant too


async def test_sqlite_keeps_utc_in_the_file_and_postgres_keeps_the_zone(db: Database) -> None:
    given = datetime(2026, 7, 1, 14, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    async with db.transaction() as session:
        session.add(Workspace(team_id=TEAM, created_at=given, updated_at=given))

    async with db.read() as session:
        raw = (await session.execute(text("SELECT created_at FROM workspace"))).scalar_one()

    if db.is_sqlite:
        assert str(raw).startswith("2026-07-01 05:00:00")
    else:
        assert raw == given and raw.utcoffset() is not None


async def test_a_naive_time_is_refused(db: Database) -> None:
    with pytest.raises(StatementError, match="naive datetime"):
        async with db.transaction() as session:
            session.add(Workspace(team_id=TEAM, created_at=datetime(2026, 1, 1, 12, 0)))
    with pytest.raises(StatementError, match="naive datetime"):
        async with db.read() as session:
            await session.execute(select(Workspace).where(Workspace.created_at < datetime(2026, 1, 1)))

    assert await workspace_ids(db) == []


# The writer


async def test_concurrent_units_of_work_all_commit(db: Database, writer: Writer) -> None:
    names = [f"T{n:03d}" for n in range(120)]

    answers = await asyncio.gather(*(writer.run(add_workspace(name)) for name in names))

    assert answers == names
    assert await workspace_ids(db) == names


@pytest.mark.parametrize("failure", ["exception", "integrity"])
async def test_a_failing_unit_fails_only_its_caller(db: Database, writer: Writer, failure: str) -> None:
    await writer.run(add_workspace("T_TAKEN"))
    first_sessions: dict[str, int] = {}

    def unit(name: str) -> Any:
        async def work(session: AsyncSession) -> str:
            first_sessions.setdefault(name, id(session))
            if name == "T_BAD" and failure == "exception":
                raise ValueError("this unit cannot be done")
            session.add(Workspace(team_id="T_TAKEN" if name == "T_BAD" else name))
            return name

        return work

    names = ["T_A", "T_B", "T_BAD", "T_C", "T_D"]
    results = await asyncio.gather(*(writer.run(unit(name)) for name in names), return_exceptions=True)

    batch_mates = [name for name, seen in first_sessions.items() if seen == first_sessions["T_BAD"]]
    assert len(batch_mates) > 1, "the failing unit should have been in a batch with others"
    expected_error = ValueError if failure == "exception" else IntegrityError
    assert isinstance(results[2], expected_error)
    assert [result for result in results if not isinstance(result, Exception)] == ["T_A", "T_B", "T_C", "T_D"]
    assert await workspace_ids(db) == ["T_A", "T_B", "T_C", "T_D", "T_TAKEN"]


async def test_an_answer_comes_only_after_the_commit(db: Database, writer: Writer) -> None:
    commits: list[int] = []
    writer.on_commit(lambda: commits.append(len(commits)))

    async def write_then_look(name: str) -> bool:
        await writer.run(add_workspace(name))
        async with db.read() as session:  # another connection: it sees only what is committed
            return await session.get(Workspace, name) is not None

    seen = await asyncio.gather(*(write_then_look(f"T{n:02d}") for n in range(40)))

    assert all(seen)
    assert commits, "on_commit callbacks run after each commit"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # SQLite's file lock only
async def test_a_write_waiting_for_the_sqlite_lock_leaves_the_loop_free(
    database_url: str, db: Database, writer: Writer
) -> None:
    """Another process holds SQLite's write lock: the writer waits for it off the loop (in the
    driver's thread), the loop answering Slack keeps turning, and the write goes through once the
    lock is free."""
    holder = sqlite3.connect(database_url.split(":///", 1)[1], isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        write = asyncio.ensure_future(writer.run(add_workspace("T_LOCKED")))
        started = time.monotonic()
        for _ in range(5):
            await asyncio.sleep(0.02)
        # A loop blocked by the write would turn again only after the busy timeout (1 s).
        assert time.monotonic() - started < 0.9
        assert not write.done()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert await write == "T_LOCKED"
    assert "T_LOCKED" in await workspace_ids(db)


async def test_a_stopped_writer_refuses_work(db: Database) -> None:
    stopped = Writer(db)

    with pytest.raises(WriterStopped):
        await stopped.run(add_workspace("T_NEVER"))

    stopped.start()
    assert await stopped.run(add_workspace("T_ONCE")) == "T_ONCE"
    await stopped.stop()
    with pytest.raises(WriterStopped):
        await stopped.run(add_workspace("T_AFTER"))
    assert await workspace_ids(db) == ["T_ONCE"]


async def test_work_offered_while_the_writer_stops_is_refused_not_left_waiting(db: Database) -> None:
    stopping = Writer(db)
    stopping.start()
    queued = asyncio.ensure_future(stopping.run(add_workspace("T_QUEUED")))
    await asyncio.sleep(0)
    stop = asyncio.ensure_future(stopping.stop())
    await asyncio.sleep(0)

    with pytest.raises(WriterStopped):
        await asyncio.wait_for(stopping.run(add_workspace("T_LATE")), 5)
    await asyncio.wait_for(stop, 5)
    assert await queued == "T_QUEUED"
    assert await workspace_ids(db) == ["T_QUEUED"]


# The outbox


async def enqueue(db: Database, *, now: datetime = T0, key: str | None = None, **payload: Any) -> None:
    async with db.transaction() as session:
        await outbox.enqueue(session, team_id=TEAM, kind="test", payload=payload, now=now, dedupe_key=key)


async def claim(db: Database, now: datetime, limit: int = 10) -> list[ClaimedJob]:
    async with db.transaction() as session:
        return await outbox.claim_due(session, now=now, limit=limit, lease_for=LEASE)


async def jobs(db: Database) -> list[OutboxJob]:
    async with db.read() as session:
        return list((await session.execute(select(OutboxJob).order_by(OutboxJob.id))).scalars())


async def test_enqueue_with_a_dedupe_key_rearms_instead_of_duplicating(db: Database) -> None:
    await enqueue(db, key="card:1", version=1)
    [job] = await claim(db, T0)
    async with db.transaction() as session:
        await outbox.retry_later(session, job, due_at=T0 + timedelta(hours=1), error="HTTP 500")

    await enqueue(db, now=T0 + timedelta(seconds=5), key="card:1", version=2)
    await enqueue(db, now=T0 + timedelta(seconds=6), key="card:1", version=3)

    [stored] = await jobs(db)
    assert (stored.generation, stored.attempts, stored.status) == (2, 0, JobStatus.PENDING)
    assert stored.payload == {"version": 3}
    assert stored.due_at == T0 + timedelta(seconds=6) and stored.last_error is None


async def test_jobs_without_a_key_are_never_merged(db: Database) -> None:
    await enqueue(db, n=1)
    await enqueue(db, n=2)

    assert [job.payload for job in await jobs(db)] == [{"n": 1}, {"n": 2}]


async def test_a_claimed_job_is_leased_until_the_lease_runs_out(db: Database) -> None:
    for n in range(3):
        await enqueue(db, n=n)
    await enqueue(db, now=T0 + timedelta(hours=1), n="later")

    first = await claim(db, T0)
    during = await claim(db, T0 + LEASE - timedelta(seconds=1))
    after = await claim(db, T0 + LEASE + timedelta(seconds=1))

    assert [job.payload["n"] for job in first] == [0, 1, 2]
    assert during == []
    assert [job.id for job in after] == [job.id for job in first]
    assert [job.attempts for job in after] == [2, 2, 2]


async def test_claim_takes_at_most_limit_oldest_first(db: Database) -> None:
    for n in range(5):
        await enqueue(db, now=T0 - timedelta(minutes=n), n=n)

    taken = await claim(db, T0, limit=2)

    assert sorted(job.payload["n"] for job in taken) == [3, 4]


async def test_mark_done_leaves_a_job_rearmed_during_delivery_pending(db: Database) -> None:
    await enqueue(db, key="card:7", version=1)
    [delivering] = await claim(db, T0)
    await enqueue(db, now=T0 + timedelta(seconds=1), key="card:7", version=2)  # a change meanwhile

    async with db.transaction() as session:
        await outbox.mark_done(session, delivering)

    [stored] = await jobs(db)
    assert (stored.status, stored.lease_until, stored.generation) == (JobStatus.PENDING, None, 1)
    [again] = await claim(db, T0 + timedelta(seconds=2))
    assert (again.generation, again.payload) == (1, {"version": 2})
    async with db.transaction() as session:
        await outbox.mark_done(session, again)
    [finished] = await jobs(db)
    assert finished.status == JobStatus.DONE and finished.done_at is not None
    assert await claim(db, T0 + timedelta(hours=1)) == []


async def test_mark_failed_also_spares_a_rearmed_job(db: Database) -> None:
    await enqueue(db, key="card:8", version=1)
    [delivering] = await claim(db, T0)
    await enqueue(db, now=T0 + timedelta(seconds=1), key="card:8", version=2)

    async with db.transaction() as session:
        await outbox.mark_failed(session, delivering, error="channel_not_found")

    [stored] = await jobs(db)
    assert stored.status == JobStatus.PENDING and stored.lease_until is None


async def next_number(session: AsyncSession) -> int:
    number, _intake_channel = await allocate_request_number(session, TEAM)
    return number


async def test_request_numbers_are_distinct_under_concurrency(database_url: str, writer: Writer) -> None:
    # First two "replicas" with their own engines, racing for the workspace's very first numbers.
    replicas = [Database(database_url) for _ in range(2)]

    async def allocate(db: Database) -> int:
        async with db.transaction() as session:
            return await next_number(session)

    try:
        direct = await asyncio.gather(*(allocate(replicas[n % 2]) for n in range(30)))
    finally:
        for replica in replicas:
            await replica.dispose()
    through_writer = await asyncio.gather(*(writer.run(next_number) for _ in range(30)))

    assert sorted(direct) == list(range(1, 31))
    assert sorted(through_writer) == list(range(31, 61))


async def test_two_replicas_claiming_at_once_never_share_a_job(database_url: str, db: Database) -> None:
    async with db.transaction() as session:
        for n in range(200):
            await outbox.enqueue(session, team_id=TEAM, kind="test", payload={"n": n}, now=T0)
    replicas = [Database(database_url) for _ in range(2)]

    async def drain(replica: Database) -> list[int]:
        taken: list[int] = []
        while batch := await claim(replica, T0 + timedelta(seconds=1), limit=7):
            taken += [job.id for job in batch]
        return taken

    try:
        claimed = await asyncio.gather(*(drain(replicas[n % 2]) for n in range(8)))
    finally:
        for replica in replicas:
            await replica.dispose()

    everything = [job_id for taken in claimed for job_id in taken]
    assert len(everything) == len(set(everything)) == 200
    assert sum(1 for taken in claimed if taken) > 1, "the claimers should have shared the work"
