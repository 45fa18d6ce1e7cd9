"""Weekly digests fire at their local time across daylight-saving changes, once per period, late
after a restart, never for a time before the subscription existed; skip-quiet weeks post nothing."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.services.digests.content import DigestWindow
from bot.services.digests.schedule import job_id
from bot.views.common import as_dicts
from bot.views.digests.message import digest_message
from tests.digest_schedule_steps import (
    BERLIN,
    NEW_YORK,
    digest_jobs,
    posts_in,
    runs,
    subscribe,
    subscription_of,
    sweep_at,
    utc,
)
from tests.fakes import FakeSlack
from tests.harness import ALICE, BOB, FakeClock, Harness, build_harness

C_BERLIN, C_NEW_YORK = "C_BERLIN", "C_NEW_YORK"


async def local_runs(pmbot: Harness) -> list[tuple[str, str, str]]:
    """(channel's job, period, local wall-clock time) of every run so far."""
    found = []
    for run in await runs(pmbot):
        local = run.due_at.astimezone(ZoneInfo(run.timezone))
        found.append((run.job, run.period, local.strftime("%a %H:%M")))
    return found


async def test_monday_nine_oclock_on_both_sides_of_each_zones_clock_change(pmbot: Harness) -> None:
    pmbot.clock.current = utc(2026, 10, 14, 12, 0)  # a Wednesday, before either change
    await subscribe(pmbot, C_BERLIN, user=ALICE, zone=BERLIN)
    await subscribe(pmbot, C_NEW_YORK, user=BOB, zone=NEW_YORK)
    berlin = job_id((await subscription_of(pmbot, C_BERLIN)).id)  # type: ignore[union-attr]
    new_york = job_id((await subscription_of(pmbot, C_NEW_YORK)).id)  # type: ignore[union-attr]

    # Monday 19 October: 09:00 CEST is 07:00 UTC, 09:00 EDT is 13:00 UTC.
    assert await sweep_at(pmbot, utc(2026, 10, 19, 6, 59)) == 0
    assert await sweep_at(pmbot, utc(2026, 10, 19, 7, 0)) == 1
    assert await sweep_at(pmbot, utc(2026, 10, 19, 12, 59)) == 0
    assert await sweep_at(pmbot, utc(2026, 10, 19, 13, 0)) == 1
    # Berlin falls back on Sunday 25 October: Monday 26th's 09:00 CET is 08:00 UTC.
    assert await sweep_at(pmbot, utc(2026, 10, 26, 7, 0)) == 0
    assert await sweep_at(pmbot, utc(2026, 10, 26, 8, 0)) == 1
    assert await sweep_at(pmbot, utc(2026, 10, 26, 13, 0)) == 1  # New York is still on EDT
    # New York falls back on Sunday 1 November: Monday 2nd's 09:00 EST is 14:00 UTC.
    assert await sweep_at(pmbot, utc(2026, 11, 2, 8, 0)) == 1
    assert await sweep_at(pmbot, utc(2026, 11, 2, 13, 0)) == 0
    assert await sweep_at(pmbot, utc(2026, 11, 2, 14, 0)) == 1
    assert await sweep_at(pmbot, utc(2026, 11, 2, 14, 5)) == 0

    assert await local_runs(pmbot) == [
        (berlin, "2026-10-19", "Mon 09:00"),
        (new_york, "2026-10-19", "Mon 09:00"),
        (berlin, "2026-10-26", "Mon 09:00"),
        (new_york, "2026-10-26", "Mon 09:00"),
        (berlin, "2026-11-02", "Mon 09:00"),
        (new_york, "2026-11-02", "Mon 09:00"),
    ]
    assert len(posts_in(pmbot.fake, C_BERLIN)) == 3 and len(posts_in(pmbot.fake, C_NEW_YORK)) == 3
    assert all(run.message_ts and run.channel_id and not run.late for run in await runs(pmbot))


async def test_each_digest_covers_the_week_since_the_previous_one_the_first_the_week_before(
    pmbot: Harness,
) -> None:
    pmbot.clock.current = created = utc(2026, 10, 14, 12, 0)
    await subscribe(pmbot, C_BERLIN, zone=BERLIN)

    await sweep_at(pmbot, utc(2026, 10, 19, 7, 0))
    await sweep_at(pmbot, utc(2026, 10, 26, 8, 30))

    windows = [(job.payload["since"], job.payload["until"]) for job in await digest_jobs(pmbot)]
    assert windows == [
        ((created - timedelta(days=7)).isoformat(), utc(2026, 10, 19, 7, 0).isoformat()),
        (utc(2026, 10, 19, 7, 0).isoformat(), utc(2026, 10, 26, 8, 0).isoformat()),
    ]


async def test_the_scheduler_wakes_at_each_subscriptions_local_time(pmbot: Harness) -> None:
    await subscribe(pmbot, C_BERLIN, zone=BERLIN)
    await subscribe(pmbot, C_NEW_YORK, user=BOB, zone=NEW_YORK, day=4, at="16:30")

    berlin = await subscription_of(pmbot, C_BERLIN)
    new_york = await subscription_of(pmbot, C_NEW_YORK)
    fires_berlin = pmbot.services.scheduler.next_fire_time(job_id(berlin.id))  # type: ignore[union-attr]
    fires_new_york = pmbot.services.scheduler.next_fire_time(job_id(new_york.id))  # type: ignore[union-attr]
    assert fires_berlin is not None and fires_new_york is not None
    assert (fires_berlin.weekday(), fires_berlin.hour, str(fires_berlin.tzinfo)) == (0, 9, BERLIN)
    assert (fires_new_york.weekday(), fires_new_york.strftime("%H:%M"), str(fires_new_york.tzinfo)) == (
        4,
        "16:30",
        NEW_YORK,
    )


async def test_a_subscription_made_after_this_weeks_time_waits_for_next_week(pmbot: Harness) -> None:
    pmbot.clock.current = utc(2026, 11, 23, 9, 0)  # Monday, an hour after 09:00 Berlin
    await subscribe(pmbot, C_BERLIN, zone=BERLIN)

    assert await sweep_at(pmbot, utc(2026, 11, 23, 9, 30)) == 0
    assert await sweep_at(pmbot, utc(2026, 11, 30, 8, 0)) == 1
    assert [run.period for run in await runs(pmbot)] == ["2026-11-30"]


async def test_a_quiet_week_posts_nothing_when_the_subscription_says_skip(pmbot: Harness) -> None:
    pmbot.clock.current = utc(2026, 11, 18, 12, 0)
    await subscribe(pmbot, C_BERLIN, zone=BERLIN, skip_quiet=True)
    await subscribe(pmbot, C_NEW_YORK, zone=BERLIN)

    assert await sweep_at(pmbot, utc(2026, 11, 23, 8, 0)) == 2

    posted = sorted((run.period, run.posted_at is not None) for run in await runs(pmbot))
    assert posted == [("2026-11-23", False), ("2026-11-23", True)]  # both runs recorded, one posted
    assert posts_in(pmbot.fake, C_BERLIN) == []
    [quiet] = posts_in(pmbot.fake, C_NEW_YORK)
    assert "quiet" in quiet.params["text"].lower()


async def test_a_restart_inside_the_due_window_posts_once_marked_late(
    fake: FakeSlack, database_url: str
) -> None:
    clock = FakeClock(utc(2026, 11, 18, 12, 0))
    first = await build_harness(fake, database_url, clock)
    await subscribe(first, C_BERLIN, zone=BERLIN)
    clock.current = utc(2026, 11, 23, 7, 59)  # 08:59 in Berlin: pmbot goes down before 09:00
    assert await first.services.scheduler.sweep() == 0
    await first.http.aclose()
    await first.services.stop()

    clock.current = utc(2026, 11, 23, 10, 0)  # back two hours after the digest was due
    second = await build_harness(fake, database_url, clock)
    try:
        # Nobody sweeps by hand: the start-up sweep catches up on its own.
        [post] = await fake.wait_for("chat.postMessage", where=lambda c: c.params["channel"] == C_BERLIN)
        await second.settled()
        assert await second.services.scheduler.sweep() == 0
        await second.settled()

        [run] = await runs(second)
        assert run.late and run.posted_at is not None and run.message_ts == post.response["ts"]
        [job] = await digest_jobs(second)
        assert job.payload["late_by_seconds"] == timedelta(hours=2).total_seconds()
        window = DigestWindow(
            "T_TEST", utc(2026, 11, 11, 12, 0), utc(2026, 11, 23, 8, 0), job.payload["sections"], BERLIN
        )
        built = await second.services.digest_content.build(window)
        assert post.params["blocks"] == as_dicts(digest_message(built, late_by=timedelta(hours=2))[1])
        assert len(posts_in(fake, C_BERLIN)) == 1
    finally:
        await second.http.aclose()
        await second.services.stop()


async def test_an_occurrence_missed_by_more_than_the_grace_window_is_skipped(pmbot: Harness) -> None:
    pmbot.clock.current = utc(2026, 11, 18, 12, 0)
    await subscribe(pmbot, C_BERLIN, zone=BERLIN)

    assert await sweep_at(pmbot, utc(2026, 11, 23, 15, 0)) == 0  # seven hours late

    [run] = await runs(pmbot)
    assert run.skipped and posts_in(pmbot.fake, C_BERLIN) == []
