"""Retention: delivered outbox jobs and old scheduled runs are deleted in batches; pending and failed
jobs stay, and so does each job's newest posted run, where the next digest's window starts."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, insert, select

from bot.services.digests.schedule import job_id
from bot.services.retention import BATCH, RetentionService
from storage import scheduled_runs
from storage.db import Database
from storage.models import JobStatus, OutboxJob, ScheduledRun
from storage.writer import Writer
from tests.digest_schedule_steps import (
    BERLIN,
    digest_jobs,
    posts_in,
    runs,
    subscribe,
    subscription_of,
    sweep_at,
    utc,
)
from tests.harness import FakeClock, Harness
from tests.test_config_cli import assert_refused, run_pmbot, run_pmbot_async

T1, T2 = "T_ONE", "T_TWO"
C_BERLIN = "C_BERLIN"
DAY = timedelta(days=1)


def job_row(
    now: datetime, status: JobStatus, *, done_days_ago: float | None, team: str = T1
) -> dict[str, Any]:
    """An outbox job's columns; pending ones are due in a year, so the worker leaves them alone."""
    done_at = now - done_days_ago * DAY if done_days_ago is not None else None
    due_at = now + 365 * DAY if status is JobStatus.PENDING else (done_at or now)
    return {
        "team_id": team,
        "kind": "test",
        "payload": {},
        "status": status,
        "due_at": due_at,
        "created_at": due_at,
        "done_at": done_at,
    }


def run_row(team: str, job: str, period: str, due_at: datetime, *, skipped: bool = False) -> dict[str, Any]:
    """A scheduled run's columns."""
    return {
        "team_id": team,
        "job": job,
        "period": period,
        "due_at": due_at,
        "timezone": "UTC",
        "skipped": skipped,
        "claimed_by": "test",
        "claimed_at": due_at,
    }


async def store(db: Database, table: Any, rows: list[dict[str, Any]]) -> None:
    """Insert rows as they are, in one transaction."""
    async with db.transaction() as session:
        await session.execute(insert(table), rows)


async def remaining_jobs(db: Database) -> list[tuple[str, JobStatus, datetime | None]]:
    """(team, status, done_at) of every outbox job of kind `test`, by id."""
    query = select(OutboxJob.team_id, OutboxJob.status, OutboxJob.done_at).where(OutboxJob.kind == "test")
    async with db.read() as session:
        return [tuple(row) for row in await session.execute(query.order_by(OutboxJob.id))]  # type: ignore[misc]


async def remaining_runs(db: Database) -> list[tuple[str, str, str]]:
    """(team, job, period) of every scheduled run, by id."""
    query = select(ScheduledRun.team_id, ScheduledRun.job, ScheduledRun.period).order_by(ScheduledRun.id)
    async with db.read() as session:
        return [tuple(row) for row in await session.execute(query)]  # type: ignore[misc]


async def count(db: Database, table: Any) -> int:
    """How many rows `table` holds."""
    async with db.read() as session:
        return int((await session.execute(select(func.count()).select_from(table))).scalar_one())


@contextmanager
def deletes_counted(db: Database) -> Iterator[list[str]]:
    """Collect the DELETE statements the writer's engine runs meanwhile."""
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("DELETE"):
            seen.append(statement.split(" WHERE")[0])

    engine = db.write_engine.sync_engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


async def test_old_delivered_jobs_go_and_recent_pending_and_failed_ones_stay(pmbot: Harness) -> None:
    now, db = pmbot.clock.now(), pmbot.services.db
    await store(
        db,
        OutboxJob,
        [
            job_row(now, JobStatus.DONE, done_days_ago=15),
            job_row(now, JobStatus.DONE, done_days_ago=400, team=T2),  # every workspace is pruned
            job_row(now, JobStatus.DONE, done_days_ago=13),
            job_row(now, JobStatus.FAILED, done_days_ago=400),  # kept for a person to look into
            job_row(now, JobStatus.PENDING, done_days_ago=400),  # done once, re-armed since
            job_row(now, JobStatus.PENDING, done_days_ago=None),
        ],
    )

    pruned = await pmbot.services.retention.prune()

    assert pruned.outbox_jobs == 2 and pruned.scheduled_runs == 0
    assert [(team, status) for team, status, _ in await remaining_jobs(db)] == [
        (T1, JobStatus.DONE),
        (T1, JobStatus.FAILED),
        (T1, JobStatus.PENDING),
        (T1, JobStatus.PENDING),
    ]
    assert (await pmbot.services.retention.prune()).outbox_jobs == 0  # idempotent


async def test_jobs_the_worker_delivered_are_deleted_once_older_than_the_keep_days(pmbot: Harness) -> None:
    await pmbot.set_intake()
    await pmbot.file("Export the roadmap to CSV")
    await pmbot.settled()
    delivered = await count(pmbot.services.db, OutboxJob)
    assert delivered > 0

    pmbot.clock.advance(days=13)
    assert (await pmbot.services.retention.prune()).outbox_jobs == 0
    pmbot.clock.advance(days=2)
    assert (await pmbot.services.retention.prune()).outbox_jobs == delivered
    assert await count(pmbot.services.db, OutboxJob) == 0


async def test_old_runs_go_but_each_jobs_newest_posted_run_stays(pmbot: Harness) -> None:
    now, db = pmbot.clock.now(), pmbot.services.db
    await store(
        db,
        ScheduledRun,
        [
            run_row(T1, "digest:1", "a", now - 200 * DAY),  # a newer posted run exists: goes
            run_row(T1, "digest:1", "b", now - 100 * DAY),  # the newest posted: stays
            run_row(T1, "digest:1", "c", now - 95 * DAY, skipped=True),  # skipped: goes
            run_row(T1, "digest:2", "a", now - 100 * DAY, skipped=True),  # only ever skipped: goes
            run_row(T2, "digest:1", "a", now - 300 * DAY),  # same job name, other workspace: stays
            run_row(T1, "launch-dm:U1", "a", now - 91 * DAY),  # superseded by the next: goes
            run_row(T1, "launch-dm:U1", "b", now - 89 * DAY),  # recent: stays
            run_row(T1, "launch-dm:U1", "c", now - 88 * DAY, skipped=True),  # recent: stays
        ],
    )
    async with db.read() as session:
        newest_before = await scheduled_runs.last_posted_run(session, team_id=T1, job="digest:1")

    pruned = await pmbot.services.retention.prune()

    assert pruned.scheduled_runs == 4 and pruned.outbox_jobs == 0
    assert await remaining_runs(db) == [
        (T1, "digest:1", "b"),
        (T2, "digest:1", "a"),
        (T1, "launch-dm:U1", "b"),
        (T1, "launch-dm:U1", "c"),
    ]
    async with db.read() as session:
        newest_after = await scheduled_runs.last_posted_run(session, team_id=T1, job="digest:1")
    assert newest_before is not None and newest_after is not None and newest_after.id == newest_before.id


async def test_the_next_digest_still_starts_at_the_kept_run(pmbot: Harness) -> None:
    pmbot.clock.current = utc(2026, 10, 14, 12, 0)
    await subscribe(pmbot, C_BERLIN, zone=BERLIN)
    job = job_id((await subscription_of(pmbot, C_BERLIN)).id)  # type: ignore[union-attr]
    assert await sweep_at(pmbot, utc(2026, 10, 19, 7, 0)) == 1
    assert await sweep_at(pmbot, utc(2026, 10, 26, 8, 0)) == 1  # the last one posted
    assert await sweep_at(pmbot, utc(2026, 11, 2, 15, 0)) == 0  # seven hours late: skipped

    pmbot.clock.current = utc(2027, 2, 1, 7, 0)  # all three are over 90 days old
    assert (await pmbot.services.retention.prune()).scheduled_runs == 2
    [kept] = await runs(pmbot)
    assert (kept.job, kept.period, kept.skipped) == (job, "2026-10-26", False)

    assert await sweep_at(pmbot, utc(2027, 2, 1, 8, 0)) == 1  # Monday 09:00 CET
    # The earlier posts' jobs were delivered over 14 days ago, so the pruning took them too.
    [window] = [(j.payload["since"], j.payload["until"]) for j in await digest_jobs(pmbot)]
    assert window == (utc(2026, 10, 26, 8, 0).isoformat(), utc(2027, 2, 1, 8, 0).isoformat())
    assert len(posts_in(pmbot.fake, C_BERLIN)) == 3


async def test_more_rows_than_a_batch_are_all_deleted_a_batch_at_a_time(pmbot: Harness) -> None:
    now, db = pmbot.clock.now(), pmbot.services.db
    extra = BATCH * 2 + BATCH // 2
    await store(db, OutboxJob, [job_row(now, JobStatus.DONE, done_days_ago=30) for _ in range(extra)])
    old = [run_row(T1, "launch-dm:U1", f"p{n}", now - (100 + n / 100) * DAY) for n in range(extra + 1)]
    await store(db, ScheduledRun, old)

    with deletes_counted(db) as deletes:
        pruned = await pmbot.services.retention.prune()

    assert (pruned.outbox_jobs, pruned.scheduled_runs) == (extra, extra)
    assert await count(db, OutboxJob) == 0
    assert await remaining_runs(db) == [(T1, "launch-dm:U1", "p0")]  # the newest
    # 1,000 + 1,000 + 500 each: three statements a table, each its own short write.
    # (and one for finished inbox entries, of which there are none to delete here)
    assert deletes == ["DELETE FROM outbox_job"] * 3 + ["DELETE FROM scheduled_run"] * 3 + [
        "DELETE FROM inbox_entry"
    ]


async def test_replicas_pruning_at_once_delete_everything_once(pmbot: Harness, database_url: str) -> None:
    now = pmbot.clock.now()
    extra = BATCH * 3
    await store(pmbot.services.db, OutboxJob, [job_row(now, JobStatus.DONE, done_days_ago=30)] * extra)
    await store(
        pmbot.services.db,
        ScheduledRun,
        [run_row(T1, f"launch-dm:U{n % 7}", f"p{n}", now - (100 + n / 100) * DAY) for n in range(extra)],
    )
    other_db = Database(database_url)
    other_writer = Writer(other_db)
    other_writer.start()
    try:
        other = RetentionService(other_writer, FakeClock(now), outbox_keep_days=14, runs_keep_days=90)
        first, second = await asyncio.gather(pmbot.services.retention.prune(), other.prune())
    finally:
        await other_writer.stop()
        await other_db.dispose()

    assert first.outbox_jobs + second.outbox_jobs == extra
    assert first.scheduled_runs + second.scheduled_runs == extra - 7
    assert sorted(job for _, job, _ in await remaining_runs(pmbot.services.db)) == [
        f"launch-dm:U{n}" for n in range(7)
    ]


async def test_the_retention_job_runs_daily_at_three_seventeen_utc(pmbot: Harness) -> None:
    fires = pmbot.services.scheduler.next_fire_time("retention")

    assert fires is not None
    assert (fires.hour, fires.minute, fires.utcoffset()) == (3, 17, timedelta(0))


async def test_db_prune_deletes_once_and_prints_the_counts(tmp_path: Path, database_url: str) -> None:
    now = datetime.now(UTC)
    db = Database(database_url)
    try:
        await store(db, OutboxJob, [job_row(now, JobStatus.DONE, done_days_ago=d) for d in (2, 20, 30)])
        await store(
            db,
            ScheduledRun,
            [run_row(T1, "digest:1", p, now - d * DAY) for p, d in (("a", 200), ("b", 100), ("c", 10))],
        )
        status, out, err = await run_pmbot_async(tmp_path, "db", "prune", DATABASE_URL=database_url)
        assert status == 0, err
        assert out.strip().splitlines() == [
            "deleted 2 delivered outbox jobs done over 14 days ago and 2 scheduled runs due over 90 days ago"
        ]
        status, out, err = await run_pmbot_async(
            tmp_path, "db", "prune", DATABASE_URL=database_url, OUTBOX_KEEP_DAYS="1"
        )
        assert status == 0, err
        assert out.startswith("deleted 1 delivered outbox job done over 1 day ago and 0 scheduled runs")
        assert await remaining_runs(db) == [(T1, "digest:1", "c")]
    finally:
        await db.dispose()


def test_keep_days_are_refused_below_their_floor_with_one_line(tmp_path: Path) -> None:
    good = {"SLACK_BOT_TOKEN": "xoxb-cli-test", "SLACK_SIGNING_SECRET": "secret"}
    assert_refused(run_pmbot(tmp_path, "db", "prune", **good, OUTBOX_KEEP_DAYS="0"), "OUTBOX_KEEP_DAYS")
    assert_refused(
        run_pmbot(tmp_path, "db", "prune", **good, SCHEDULED_RUNS_KEEP_DAYS="7"), "SCHEDULED_RUNS_KEEP_DAYS"
    )
