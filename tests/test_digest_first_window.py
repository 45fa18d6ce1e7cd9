"""The first digest of a subscription covers the week before it was set up (it said "today to today
· A quiet week" after a busy week), and a window shorter than a day is never called a quiet week."""

from __future__ import annotations

import json

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import DigestSubscription
from tests.digest_schedule_steps import BERLIN, digest, posts_in, said, subscribe, sweep_at, utc
from tests.harness import Harness

CHANNEL = "C_PRODUCT"


async def test_the_first_digest_after_subscribing_lists_the_previous_seven_days(pmbot: Harness) -> None:
    pmbot.clock.current = utc(2026, 11, 12, 10, 0)  # a Thursday, six days before subscribing
    await pmbot.set_intake()
    for title in ("Export the roadmap to CSV", "Dark mode please", "Faster search please"):
        await pmbot.file(title)
    await pmbot.settled()
    pmbot.clock.current = utc(2026, 11, 18, 12, 0)  # Wednesday
    await subscribe(pmbot, CHANNEL, zone=BERLIN)

    await sweep_at(pmbot, utc(2026, 11, 23, 8, 0))  # Monday 09:00 in Berlin

    [post] = posts_in(pmbot.fake, CHANNEL)
    shown = json.dumps(post.params["blocks"], ensure_ascii=False)
    assert "Wed 11 Nov 2026" in shown  # the window starts a week before the subscription
    assert "quiet week" not in shown.lower()
    assert "3 new requests" in post.params["text"]
    for title in ("Export the roadmap to CSV", "Dark mode please", "Faster search please"):
        assert title in shown


async def test_a_window_of_hours_is_not_called_a_quiet_week(pmbot: Harness) -> None:
    pmbot.clock.current = utc(2026, 11, 18, 12, 0)
    await subscribe(pmbot, CHANNEL, zone=BERLIN)
    await sweep_at(pmbot, utc(2026, 11, 23, 8, 0))  # the scheduled digest: a quiet week indeed
    assert "a quiet week" in posts_in(pmbot.fake, CHANNEL)[0].params["text"]
    pmbot.clock.current = utc(2026, 11, 23, 11, 0)

    _, name = await digest(pmbot, "preview", channel=CHANNEL)

    preview = await said(pmbot, name)
    assert "quiet week" not in json.dumps(preview).lower()
    assert "nothing new" in preview["text"].lower()


async def test_a_stored_timezone_that_is_no_zone_is_told_to_the_channel(pmbot: Harness) -> None:
    pmbot.clock.current = utc(2026, 11, 18, 12, 0)
    await subscribe(pmbot, CHANNEL, zone=BERLIN)

    async def renamed(session: AsyncSession) -> None:  # a zone tzdata no longer has, or set by hand
        await session.execute(update(DigestSubscription).values(timezone="Mars/Olympus_Mons"))

    await pmbot.services.writer.run(renamed)

    await sweep_at(pmbot, utc(2026, 11, 23, 9, 0))  # Monday 09:00 UTC

    [post] = posts_in(pmbot.fake, CHANNEL)
    shown = json.dumps(post.params["blocks"])
    assert "`Mars/Olympus_Mons` is not one pmbot knows, so it runs on UTC time" in shown
    response, _ = await digest(pmbot, "list", channel=CHANNEL)
    assert "not a timezone pmbot knows" in json.dumps(response.json())
