"""The scheduler core: wall-clock times across daylight saving, and claims that happen once."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import load_settings
from bot.local_time import latest_daily, latest_weekly, next_weekly, wall_clock_instant
from bot.services.occurrences import CronSchedule, Occurrence, claim_occurrence
from bot.services.writes import write
from storage.models import ScheduledRun
from tests.fakes import FakeSlack
from tests.harness import SECRET, FakeClock, Harness, build_harness

BERLIN, NEW_YORK = "Europe/Berlin", "America/New_York"
MONDAY = 0


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "due"),
    [
        (utc(2026, 10, 19, 7, 0), utc(2026, 10, 19, 7, 0)),  # summer time: 09:00 CEST is 07:00 UTC
        (utc(2026, 10, 26, 7, 59), utc(2026, 10, 19, 7, 0)),  # a week on, 08:59 CET: not yet
        (utc(2026, 10, 26, 8, 0), utc(2026, 10, 26, 8, 0)),  # winter time: 09:00 CET is 08:00 UTC
    ],
)
def test_a_berlin_monday_nine_oclock_stays_nine_oclock_across_the_change(
    now: datetime, due: datetime
) -> None:
    assert latest_weekly(now, MONDAY, time(9), BERLIN)[1] == due


def test_the_next_monday_after_the_change_is_an_hour_later_in_utc() -> None:
    assert next_weekly(utc(2026, 10, 19, 7, 0), MONDAY, time(9), BERLIN) == utc(2026, 10, 26, 8, 0)


def test_a_time_the_clock_skips_falls_an_hour_later_like_cron() -> None:
    # 02:30 does not exist in New York on 8 March 2026; APScheduler's cron fires at 03:30 EDT.
    assert wall_clock_instant(date(2026, 3, 8), time(2, 30), NEW_YORK) == utc(2026, 3, 8, 7, 30)


def test_a_time_the_clock_repeats_is_one_period() -> None:
    # 01:30 happens twice in New York on 1 November 2026; the period is the date, so it runs once.
    day, instant = latest_daily(utc(2026, 11, 1, 7, 0), time(1, 30), NEW_YORK)
    assert (day, instant) == (date(2026, 11, 1), utc(2026, 11, 1, 5, 30))


@dataclass
class DailySource:
    """A schedule source for the test: one job per zone, daily at 09:00 local."""

    zones: Sequence[str]
    name: str = "test"
    claims: list[tuple[str, str, timedelta | None]] = field(default_factory=list)
    harness: Harness | None = None

    async def latest_due(self, now: datetime) -> list[Occurrence]:
        occurrences = []
        for zone_name in self.zones:
            day, due = latest_daily(now, time(9), zone_name)
            occurrences.append(Occurrence("T1", f"test:{zone_name}", day.isoformat(), due, zone_name))
        return occurrences

    async def claim(self, occurrence: Occurrence, *, owner: str, late_by: timedelta | None) -> bool:
        assert self.harness is not None

        async def unit(session: AsyncSession) -> int | None:
            now = self.harness.clock.now()  # type: ignore[union-attr]
            return await claim_occurrence(session, occurrence, owner=owner, now=now, late_by=late_by)

        won = await write(self.harness.services.writer, unit) is not None
        if won:
            self.claims.append((occurrence.job, occurrence.period, late_by))
        return won

    async def schedules(self) -> list[CronSchedule]:
        return [CronSchedule(f"test:{z}", hour=9, minute=0, timezone=z) for z in self.zones]


async def attach(pmbot: Harness, *zones: str) -> DailySource:
    """Add the test's source, with pmbot's own timers paused: the minute sweep runs on the wall clock
    and would otherwise claim occurrences whenever a test happens to straddle a minute."""
    await pmbot.services.scheduler.pause()
    source = DailySource(zones, harness=pmbot)
    pmbot.services.scheduler.add_source(source)
    return source


async def runs(pmbot: Harness) -> list[ScheduledRun]:
    async with pmbot.services.db.read() as session:
        return list((await session.execute(select(ScheduledRun).order_by(ScheduledRun.id))).scalars())


async def test_each_zone_fires_at_its_own_morning_once(pmbot: Harness) -> None:
    source = await attach(pmbot, BERLIN, NEW_YORK)
    pmbot.clock.current = utc(2026, 11, 26, 8, 0)  # 09:00 in Berlin, 03:00 in New York

    await pmbot.services.scheduler.run_due(["test"])
    await pmbot.services.scheduler.run_due(["test"])
    # New York's newest 09:00 is yesterday's, 18 hours ago: past the grace window, so skipped.
    assert [(job, period) for job, period, _ in source.claims] == [(f"test:{BERLIN}", "2026-11-26")]

    pmbot.clock.current = utc(2026, 11, 26, 14, 0)  # 09:00 in New York
    await pmbot.services.scheduler.run_due(["test"])
    assert [(job, period) for job, period, _ in source.claims] == [
        (f"test:{BERLIN}", "2026-11-26"),
        (f"test:{NEW_YORK}", "2026-11-26"),
    ]


async def test_concurrent_sweeps_claim_each_occurrence_once(pmbot: Harness) -> None:
    pmbot.clock.current = utc(2026, 11, 26, 8, 0)
    source = await attach(pmbot, BERLIN)

    await asyncio.gather(*(pmbot.services.scheduler.run_due(["test"]) for _ in range(5)))

    assert [(job, period) for job, period, _ in source.claims] == [(f"test:{BERLIN}", "2026-11-26")]
    assert len([run for run in await runs(pmbot) if run.job == f"test:{BERLIN}"]) == 1


async def test_an_occurrence_missed_within_the_grace_window_runs_once_late(pmbot: Harness) -> None:
    pmbot.clock.current = utc(2026, 11, 26, 11, 0)  # three hours after 09:00 Berlin
    source = await attach(pmbot, BERLIN)

    await pmbot.services.scheduler.run_due(["test"])

    [(job, _period, late_by)] = [claim for claim in source.claims if claim[0] == f"test:{BERLIN}"]
    assert late_by == timedelta(hours=3)
    [run] = [run for run in await runs(pmbot) if run.job == job]
    assert run.late and not run.skipped


async def test_an_occurrence_older_than_the_grace_window_is_skipped_and_logged_once(
    pmbot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    pmbot.clock.current = utc(2026, 11, 26, 15, 0)  # seven hours after 09:00 Berlin
    source = await attach(pmbot, BERLIN)

    with caplog.at_level(logging.WARNING, logger="bot.scheduler"):
        await pmbot.services.scheduler.run_due(["test"])
        await pmbot.services.scheduler.run_due(["test"])

    assert source.claims == []
    [run] = [run for run in await runs(pmbot) if run.job == f"test:{BERLIN}"]
    assert run.skipped and run.period == "2026-11-26"
    assert len([r for r in caplog.records if "skipped" in r.getMessage()]) == 1


async def test_declared_schedules_become_cron_jobs_in_their_zones(pmbot: Harness) -> None:
    await attach(pmbot, BERLIN, NEW_YORK)

    await pmbot.services.scheduler.sync_schedules()

    berlin = pmbot.services.scheduler.next_fire_time(f"test:{BERLIN}")
    new_york = pmbot.services.scheduler.next_fire_time(f"test:{NEW_YORK}")
    assert berlin is not None and new_york is not None
    assert (berlin.hour, berlin.minute, str(berlin.tzinfo)) == (9, 0, BERLIN)
    assert (new_york.hour, new_york.minute, str(new_york.tzinfo)) == (9, 0, NEW_YORK)


async def test_the_grace_window_is_a_setting(fake: FakeSlack, database_url: str) -> None:
    settings = load_settings(
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=fake.base_url,
        DATABASE_URL=database_url,
        SCHEDULE_GRACE_HOURS=2,
    )
    pmbot = await build_harness(fake, database_url, FakeClock(utc(2026, 11, 26, 11, 0)), settings=settings)
    try:
        source = await attach(pmbot, BERLIN)  # three hours after 09:00 Berlin: past a two-hour window

        await pmbot.services.scheduler.run_due(["test"])

        assert source.claims == []
        [run] = [run for run in await runs(pmbot) if run.job == f"test:{BERLIN}"]
        assert run.skipped
    finally:
        await pmbot.http.aclose()
        await pmbot.services.stop()
