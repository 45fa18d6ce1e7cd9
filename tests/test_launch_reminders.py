"""Launch reminders: owners' morning DMs in their own zones, and the thread posts around launch day.

The clock is a FakeClock; each step moves it and sweeps the launch-reminder source as the scheduler's
minute sweep (or its 09:00 cron job) would, then waits for the outbox to reach the fake Slack.
"""

from __future__ import annotations

import asyncio
import json
from datetime import date, datetime, timedelta

import pytest

from bot.services.launches.reminder_reads import DueItem, MorningList, ThreadReminder
from bot.services.launches.reminder_stages import Stage
from bot.services.launches.reminders import SOURCE_NAME
from bot.views.common import as_dicts
from bot.views.launches.reminders import morning_dm, thread_post
from storage.models import Launch, LaunchItem
from tests.fakes import FakeSlack
from tests.harness import ALICE, BOB, CAROL, FakeClock, Harness, build_harness
from tests.launch_reminder_steps import (
    TEAM,
    assign,
    at,
    blocks_text,
    dms,
    new_launch,
    reload,
    reminders,
    runs,
    section_texts,
    tick,
    utc,
)
from tests.slack_limits import problems_in_message

MINUTE = timedelta(minutes=1)
LATER_THAT_DAY = timedelta(hours=5)


async def one_dm_each_morning(pmbot: Harness, user: str, nine_oclocks: list[datetime]) -> None:
    """At each local 09:00 (given in UTC): nothing a minute before, one DM at 09:00, none later that day."""
    for nine in nine_oclocks:
        seen = len(dms(pmbot, user))
        await at(pmbot, nine - MINUTE)
        assert len(dms(pmbot, user)) == seen, f"{user} got a DM before 09:00 local on {nine:%Y-%m-%d}"
        await at(pmbot, nine)
        assert len(dms(pmbot, user)) == seen + 1, f"{user} got no DM at 09:00 local on {nine:%Y-%m-%d}"
        await at(pmbot, nine + LATER_THAT_DAY)
        assert len(dms(pmbot, user)) == seen + 1, f"{user} got a second DM on {nine:%Y-%m-%d}"


async def test_owners_get_their_dm_at_nine_in_their_own_zone_across_the_clock_change(pmbot: Harness) -> None:
    pmbot.clock.current = utc(2026, 10, 20, 12, 0)
    launch = await new_launch(pmbot, "Search v2", date(2026, 11, 10), owner=CAROL)
    await assign(pmbot, launch, "Docs published", ALICE, date(2026, 10, 25))
    await assign(pmbot, launch, "QA sign-off", BOB, date(2026, 11, 1))

    # Nothing due by tomorrow on the 23rd in Berlin: no DM at all.
    await at(pmbot, utc(2026, 10, 23, 7, 0))
    assert dms(pmbot, ALICE) == []
    # Berlin leaves summer time on 25 October: 09:00 is 07:00 UTC before, 08:00 UTC from then on.
    await one_dm_each_morning(
        pmbot, ALICE, [utc(2026, 10, 24, 7, 0), utc(2026, 10, 25, 8, 0), utc(2026, 10, 26, 8, 0)]
    )
    # New York leaves it on 1 November: 09:00 is 13:00 UTC before, 14:00 UTC from then on.
    await one_dm_each_morning(
        pmbot, BOB, [utc(2026, 10, 31, 13, 0), utc(2026, 11, 1, 14, 0), utc(2026, 11, 2, 14, 0)]
    )

    headings = [_listed_under(call, "Docs published") for call in dms(pmbot, ALICE)[:3]]
    assert headings == ["Due tomorrow", "Due today", "Overdue"]
    assert all("QA sign-off" not in blocks_text(call) for call in dms(pmbot, ALICE))
    assert [_listed_under(call, "QA sign-off") for call in dms(pmbot, BOB)] == [
        "Due tomorrow",
        "Due today",
        "Overdue",
    ]
    assert "<!date^" in blocks_text(dms(pmbot, BOB)[0]) and "LCH-1" in blocks_text(dms(pmbot, BOB)[0])


async def test_a_ticked_item_is_not_listed_and_an_owner_with_nothing_due_gets_no_dm(pmbot: Harness) -> None:
    pmbot.clock.current = utc(2026, 11, 26, 10, 0)
    launch = await new_launch(pmbot, "Billing", date(2026, 12, 20), owner=CAROL)
    await assign(pmbot, launch, "Docs published", ALICE, date(2026, 11, 28))
    await assign(pmbot, launch, "QA sign-off", ALICE, date(2026, 11, 28))
    await assign(pmbot, launch, "Support briefed", ALICE)  # due 19 December: not yet worth a DM
    await tick(pmbot, launch, "QA sign-off")

    await at(pmbot, utc(2026, 11, 27, 8, 0))  # 09:00 in Berlin
    [dm] = dms(pmbot, ALICE)
    assert "Docs published" in blocks_text(dm) and "QA sign-off" not in blocks_text(dm)

    await tick(pmbot, launch, "Docs published")
    await at(pmbot, utc(2026, 11, 28, 8, 0))
    assert len(dms(pmbot, ALICE)) == 1
    assert [run.period for run in await runs(pmbot, f"launch-dm:{ALICE}")] == ["2026-11-27", "2026-11-28"]


async def test_the_thread_gets_each_stage_once_naming_open_items_and_their_owners(pmbot: Harness) -> None:
    pmbot.clock.current = utc(2026, 11, 26, 10, 0)
    launch = await new_launch(pmbot, "Search v2", date(2026, 12, 10), owner=ALICE)  # Berlin, CET
    await assign(pmbot, launch, "QA sign-off", BOB)
    await tick(pmbot, launch, "Docs published")
    stages = [
        (utc(2026, 12, 3, 8, 0), "One week to launch"),
        (utc(2026, 12, 9, 8, 0), "Launch is tomorrow"),
        (utc(2026, 12, 10, 8, 0), "Launch day"),
    ]
    for nine, marker in stages:
        seen = len(reminders(pmbot, launch))
        await at(pmbot, nine - MINUTE)
        assert len(reminders(pmbot, launch)) == seen, marker
        await at(pmbot, nine)
        await at(pmbot, nine + LATER_THAT_DAY)
        assert len(reminders(pmbot, launch)) == seen + 1, marker
        assert marker in blocks_text(reminders(pmbot, launch)[-1])

    week_before = "\n".join(section_texts(reminders(pmbot, launch)[0]))
    assert "3 of 4 items due by launch day are open" in week_before  # post-launch monitoring: later
    assert "1 more item due after launch day." in week_before and "Post-launch monitoring" not in week_before
    assert (
        f"QA sign-off — <@{BOB}>" in week_before
        and "Support briefed — _no owner yet (support)_" in week_before
    )
    assert "Docs published" not in week_before
    assert (await reload(pmbot, launch.number)).gonogo_round == 1  # T-1 opened the go / no-go poll
    thread = [call for call in pmbot.fake.calls_to("chat.postMessage") if call.params.get("thread_ts")]
    polls = [n for n, call in enumerate(thread) if "Go / no-go for" in str(call.params.get("text"))]
    day_before = thread.index(reminders(pmbot, launch)[1])
    assert len(polls) == 1 and polls[0] > day_before  # one poll, under the T-1 post
    launch_day = blocks_text(reminders(pmbot, launch)[2])
    assert "When it is live, the launch owner clicks *Mark launched* on the launch's message." in launch_day

    await tick(pmbot, launch, "QA sign-off")
    await pmbot.services.launches.mark_launched(TEAM, ALICE, launch.number)
    await at(pmbot, utc(2026, 12, 11, 8, 0))
    await at(pmbot, utc(2026, 12, 12, 8, 0))
    summary = reminders(pmbot, launch)[3:]
    assert len(summary) == 1 and "2 of 5 items done" in blocks_text(summary[0])
    assert "Support briefed" in blocks_text(summary[0]) and "QA sign-off" not in blocks_text(summary[0])
    assert (await reload(pmbot, launch.number)).gonogo_round == 1
    periods = [run.period for run in await runs(pmbot, f"launch:{launch.id}")]
    assert periods == ["2026-12-10:T-7", "2026-12-10:T-1", "2026-12-10:T0", "2026-12-10:T+1"]


async def test_a_slip_schedules_the_reminders_again_for_the_new_date(pmbot: Harness) -> None:
    pmbot.clock.current = utc(2026, 11, 26, 10, 0)
    launch = await new_launch(pmbot, "Search v2", date(2026, 12, 10), owner=ALICE)
    await at(pmbot, utc(2026, 12, 3, 8, 0))
    assert len(reminders(pmbot, launch)) == 1

    pmbot.clock.current = utc(2026, 12, 3, 10, 0)
    await pmbot.services.launches.change_date(
        TEAM, ALICE, launch.number, date(2026, 12, 17), "QA found a bug"
    )
    await at(pmbot, utc(2026, 12, 9, 8, 0))  # the old T-1: nothing
    assert len(reminders(pmbot, launch)) == 1
    await at(pmbot, utc(2026, 12, 10, 8, 0))  # a week before the new date
    await at(pmbot, utc(2026, 12, 16, 8, 0))
    posts = reminders(pmbot, launch)
    assert len(posts) == 3 and "One week to launch" in blocks_text(posts[1])
    assert "Thu 17 Dec 2026" in blocks_text(posts[1]) and "Launch is tomorrow" in blocks_text(posts[2])
    periods = [run.period for run in await runs(pmbot, f"launch:{launch.id}")]
    assert periods == ["2026-12-10:T-7", "2026-12-17:T-7", "2026-12-17:T-1"]


async def test_a_cancelled_launch_gets_no_more_and_a_launched_one_only_its_summary(pmbot: Harness) -> None:
    pmbot.clock.current = utc(2026, 11, 26, 10, 0)
    cancelled = await new_launch(pmbot, "Old pricing", date(2026, 12, 10), owner=ALICE)
    shipped = await new_launch(pmbot, "Dark mode", date(2026, 12, 10), owner=ALICE)
    await at(pmbot, utc(2026, 12, 3, 8, 0))
    assert len(reminders(pmbot, cancelled)) == len(reminders(pmbot, shipped)) == 1

    await pmbot.services.launches.cancel(TEAM, ALICE, cancelled.number)
    await pmbot.services.launches.mark_launched(TEAM, ALICE, shipped.number)
    for day in (9, 10, 11):
        await at(pmbot, utc(2026, 12, day, 8, 0))
    assert len(reminders(pmbot, cancelled)) == 1
    assert len(reminders(pmbot, shipped)) == 2 and "Launch summary" in blocks_text(
        reminders(pmbot, shipped)[1]
    )
    assert (await reload(pmbot, shipped.number)).gonogo_round == 0
    assert "Not marked launched" not in blocks_text(reminders(pmbot, shipped)[1])


async def test_a_summary_of_a_launch_nobody_marked_launched_asks_its_owner(pmbot: Harness) -> None:
    pmbot.clock.current = utc(2026, 11, 26, 10, 0)
    launch = await new_launch(pmbot, "Dark mode", date(2026, 12, 10), owner=ALICE)

    await at(pmbot, utc(2026, 12, 11, 8, 0))

    summary = blocks_text(reminders(pmbot, launch)[-1])
    assert "Launch summary" in summary
    assert (
        f"Not marked launched yet: <@{ALICE}>, click *Mark launched* on its message, or move its date."
        in summary
    )


async def test_sweeps_racing_at_nine_send_each_reminder_once(pmbot: Harness) -> None:
    pmbot.clock.current = utc(2026, 11, 26, 10, 0)
    launch = await new_launch(pmbot, "Search v2", date(2026, 12, 10), owner=ALICE)
    await assign(pmbot, launch, "Docs published", ALICE, date(2026, 12, 4))
    pmbot.clock.current = utc(2026, 12, 3, 8, 0)  # 09:00 in Berlin: T-7, and Alice's item is due tomorrow

    await asyncio.gather(*(pmbot.services.scheduler.run_due([SOURCE_NAME]) for _ in range(5)))
    await pmbot.settled()

    assert len(reminders(pmbot, launch)) == 1 and len(dms(pmbot, ALICE)) == 1
    assert len(await runs(pmbot, f"launch:{launch.id}")) == len(await runs(pmbot, f"launch-dm:{ALICE}")) == 1


async def test_the_launch_owner_hears_when_the_thread_is_closed_to_pmbot(pmbot: Harness) -> None:
    pmbot.clock.current = utc(2026, 11, 26, 10, 0)
    launch = await new_launch(pmbot, "Search v2", date(2026, 12, 10), owner=ALICE)
    await tick(pmbot, launch, "Docs published")  # nothing due by tomorrow: the T-7 post is the only post
    pmbot.fake.fail_next("chat.postMessage", error="not_in_channel")

    await at(pmbot, utc(2026, 12, 3, 8, 0))

    [told] = await pmbot.fake.wait_for("chat.postMessage", where=lambda call: call.params["channel"] == ALICE)
    assert "not_in_channel" in told.params["text"] and "/invite @pmbot" in told.params["text"]
    assert f"*{launch.ref}*" in told.params["text"]


async def test_a_reminder_missed_while_pmbot_was_down_goes_out_once_after_a_restart(
    fake: FakeSlack, database_url: str, clock: FakeClock
) -> None:
    clock.current = utc(2026, 11, 26, 10, 0)
    first = await build_harness(fake, database_url, clock)
    try:
        launch = await new_launch(first, "Search v2", date(2026, 12, 10), owner=ALICE)
        await at(first, utc(2026, 12, 3, 7, 30))  # 08:30 in Berlin: not yet
        assert reminders(first, launch) == []
    finally:
        await first.http.aclose()
        await first.services.stop()

    clock.advance(hours=2)  # pmbot was down at 09:00 Berlin
    second = await build_harness(fake, database_url, clock)
    try:
        # No sweep by hand: the scheduler's start-up sweep catches up.
        await fake.wait_for("chat.postMessage", where=lambda call: "One week to launch" in blocks_text(call))
        await second.settled()
        await at(second, clock.current)
        await at(second, clock.current + timedelta(hours=1))
        [post] = reminders(second, launch)
        assert "Sent late" in blocks_text(post)
        [run] = await runs(second, f"launch:{launch.id}")
        assert run.late and not run.skipped and run.message_ts == fake_ts(post)
    finally:
        await second.http.aclose()
        await second.services.stop()


async def test_names_and_titles_never_ping_and_sections_are_verbatim(pmbot: Harness) -> None:
    pmbot.clock.current = utc(2026, 11, 26, 10, 0)
    launch = await new_launch(pmbot, "<!channel> @here ship it", date(2026, 12, 4), owner=ALICE)
    await assign(pmbot, launch, "Docs published", ALICE, date(2026, 11, 27))
    await at(pmbot, utc(2026, 11, 27, 8, 0))  # 09:00 in Berlin: Alice's DM and the T-7 post

    # The scheduler's own start-up sweep may also have sent Alice's DM of the 26th (the items
    # nobody owns of her launch): every DM and post is checked, however many.
    assert len(reminders(pmbot, launch)) == 1 and dms(pmbot, ALICE)
    posted = [*dms(pmbot, ALICE), *reminders(pmbot, launch)]
    for call in posted:
        assert "<!channel>" not in blocks_text(call) and "&lt;!channel&gt;" in blocks_text(call)
        assert "@here" not in blocks_text(call)
        sections = [block for block in call.params["blocks"] if block["type"] == "section"]
        assert all(block["text"]["verbatim"] is True for block in sections)


async def test_the_scheduler_fires_at_nine_in_each_item_owners_zone(pmbot: Harness) -> None:
    pmbot.clock.current = utc(2026, 11, 26, 10, 0)
    launch = await new_launch(pmbot, "Search v2", date(2026, 12, 20), owner=CAROL)
    await assign(pmbot, launch, "Docs published", ALICE)
    await assign(pmbot, launch, "QA sign-off", BOB)

    await pmbot.services.scheduler.sync_schedules()

    for zone_name in ("Europe/Berlin", "America/New_York"):
        fires = pmbot.services.scheduler.next_fire_time(f"{SOURCE_NAME}:{zone_name}")
        assert fires is not None and (fires.hour, fires.minute, str(fires.tzinfo)) == (9, 0, zone_name)


def _listed_under(call: object, title: str) -> str:
    """The heading of the DM's section that lists `title`."""
    for content in section_texts(call):  # type: ignore[arg-type]
        if title in content:
            return content.split("\n", 1)[0].strip("*")
    raise AssertionError(f"{title} is not in the DM")


def fake_ts(call: object) -> str:
    """The ts the fake answered a post with."""
    return call.response["ts"]  # type: ignore[attr-defined]


def test_sixty_open_items_with_long_titles_stay_within_slack_limits() -> None:
    launch = Launch(
        id=1, team_id=TEAM, number=7, name="<!channel> " + "x" * 140, launch_date=date(2026, 12, 10),
        channel_id="C_LAUNCH", owner_id=ALICE, template_name="t", created_by=ALICE,
    )  # fmt: skip
    items = [
        LaunchItem(
            id=n,
            team_id=TEAM,
            launch_id=1,
            position=n,
            phase="Prepare",
            title=f"{n} " + "&<>" * 50,
            due_date=date(2026, 12, 1),
            owner_id=BOB if n % 2 else None,
            owner_role="qa",
        )
        for n in range(60)
    ]
    late = utc(2026, 12, 3, 8, 0)
    messages = [thread_post(ThreadReminder(launch, stage, items), late) for stage in Stage]
    due = [DueItem(item, launch) for item in items]
    messages.append(morning_dm(MorningList(ALICE, date(2026, 12, 2), due, due[:5], due[5:30]), late))
    for fallback, blocks in messages:
        body = {"text": fallback, "blocks": as_dicts(blocks)}  # to_dict() checks each block's limits
        assert problems_in_message(body) == []
        assert "…and" in json.dumps(body, ensure_ascii=False)
        assert "<!channel>" not in json.dumps(body, ensure_ascii=False)


async def test_the_launch_owner_hears_of_the_items_nobody_owns(pmbot: Harness) -> None:
    pmbot.clock.current = utc(2026, 11, 26, 10, 0)
    launch = await new_launch(pmbot, "Search v2", date(2026, 12, 10), owner=ALICE)
    await assign(pmbot, launch, "QA sign-off", BOB, date(2026, 12, 3))

    await at(pmbot, utc(2026, 12, 3, 8, 0))  # 09:00 in Berlin: "Docs published" (due today) has no owner
    await at(pmbot, utc(2026, 12, 3, 14, 0))  # 09:00 in New York

    said = blocks_text(dms(pmbot, ALICE)[0])
    assert "*No owner yet, on your launches*" in said and "Docs published (docs)" in said
    assert "QA sign-off" not in said and "give the items nobody owns an owner there" in said
    thread = (
        f"https://acme.slack.com/archives/{launch.channel_id}/p{(launch.parent_ts or '').replace('.', '')}"
    )
    assert f"*<{thread}|{launch.ref}>* Search v2" in said  # the launch's message, its checklist under it
    bobs = blocks_text(dms(pmbot, BOB)[0])  # his own item; the unowned ones are not his to hand out
    assert "QA sign-off" in bobs and "Docs published" not in bobs


async def test_an_item_fallen_overdue_is_labelled_so_on_the_checklist_the_next_morning(
    pmbot: Harness,
) -> None:
    pmbot.clock.current = utc(2026, 11, 26, 10, 0)
    launch = await new_launch(pmbot, "Search v2", date(2026, 12, 10), owner=ALICE)
    await assign(pmbot, launch, "Docs published", BOB, date(2026, 12, 3))
    checklist_updates = lambda: [  # noqa: E731
        call
        for call in pmbot.fake.calls_to("chat.update")
        if "Docs published" in json.dumps(call.params) and call.params.get("ts") != launch.parent_ts
    ]
    await at(pmbot, utc(2026, 12, 3, 8, 0))  # due today: not overdue yet
    seen = len(checklist_updates())

    await at(pmbot, utc(2026, 12, 4, 8, 0))  # 09:00 in Berlin: overdue since midnight
    await at(pmbot, utc(2026, 12, 4, 9, 0))

    [update] = checklist_updates()[seen:]
    assert "overdue" in json.dumps(update.params)
    assert [run.period for run in await runs(pmbot, f"launch-late:{launch.id}")] == ["2026-12-04"]


async def test_a_checklist_is_re_rendered_only_the_morning_after_an_item_fell_due(
    pmbot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    pmbot.clock.current = utc(2026, 11, 26, 10, 0)
    launch = await new_launch(pmbot, "Search v2", date(2026, 12, 10), owner=ALICE)
    await assign(pmbot, launch, "Docs published", BOB, date(2026, 12, 2))

    for moment in (utc(2026, 12, 2, 0, 30), utc(2026, 12, 2, 12, 0), utc(2026, 12, 2, 23, 30)):
        await at(pmbot, moment)  # due that day (Berlin): not overdue yet, nothing to claim or skip
    assert await runs(pmbot, f"launch-late:{launch.id}") == []
    await at(pmbot, utc(2026, 12, 3, 8, 0))

    assert [run.period for run in await runs(pmbot, f"launch-late:{launch.id}")] == ["2026-12-03"]
    assert not [line for line in caplog.text.splitlines() if "launch-late" in line and "skipped" in line]


async def test_after_the_launch_its_after_launch_items_are_still_reminded(pmbot: Harness) -> None:
    pmbot.clock.current = utc(2026, 11, 26, 10, 0)
    launch = await new_launch(pmbot, "Search v2", date(2026, 12, 10), owner=ALICE)
    await assign(pmbot, launch, "Post-launch monitoring", BOB)  # due the day after launch
    await assign(pmbot, launch, "QA sign-off", BOB)  # due before launch, never ticked
    pmbot.clock.current = utc(2026, 12, 10, 16, 0)
    await pmbot.services.launches.mark_launched(TEAM, ALICE, launch.number)

    await at(pmbot, utc(2026, 12, 11, 14, 0))  # 09:00 in New York, the day after launch

    said = blocks_text(dms(pmbot, BOB)[-1])
    assert "*Due today*" in said and "Post-launch monitoring" in said
    assert "QA sign-off" not in said  # left before the launch: no longer worth a reminder
