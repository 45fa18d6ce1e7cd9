"""Steps shared by the delivery tests: a pmbot whose pace and clock the test sets, and ways to see
what a person would see in the fake Slack."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from bot.config import load_settings
from storage import outbox
from tests.fakes import FakeSlack
from tests.harness import INTAKE, SECRET, FakeClock, Harness, build_harness

QUIET_SECONDS = 1.0  # no call to Slack for this long: the worker waits for a due time, so time may move


async def paced_pmbot(
    fake: FakeSlack, database_url: str, clock: FakeClock, *, posts_per_second: float
) -> Harness:
    """pmbot posting up to `posts_per_second` per channel; the fake's message ts follow its clock."""
    settings = load_settings(
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=fake.base_url,
        DATABASE_URL=database_url,
        SLACK_CHANNEL_POSTS_PER_SECOND=posts_per_second,
        NOTICE_GATHER_SECONDS=0,
    )
    fake.seconds = lambda: clock.now().timestamp()
    return await build_harness(fake, database_url, clock, settings=settings)


async def stop(pmbot: Harness) -> None:
    """Shut one pmbot down."""
    await pmbot.http.aclose()
    await pmbot.services.stop()


def cards_in(fake: FakeSlack, channel: str = INTAKE) -> dict[int, list[dict[str, Any]]]:
    """The request cards visible in a channel, by request number (a doubled card shows as two)."""
    cards: dict[int, list[dict[str, Any]]] = {}
    for (where, _), message in sorted(fake.messages.items(), key=lambda item: float(item[0][1])):
        header = str((message.get("blocks") or [{}])[0].get("text", {}).get("text", ""))
        if where == channel and header.startswith("REQ-"):
            cards.setdefault(int(header.split(" ")[0].removeprefix("REQ-")), []).append(message)
    return cards


async def drain(pmbot: Harness, *, step_seconds: float = 5, rounds: int = 40) -> float:
    """Let time pass in `step_seconds` steps until the outbox is empty; how much app time passed.

    Time moves only when Slack heard nothing for a moment (the worker waits for a due time). Only
    that wait is ever cut short, never a database read.
    """
    passed = 0.0
    for _ in range(rounds):
        if await pending_jobs(pmbot) == 0:
            return passed
        if not await _slack_called_within(pmbot.fake, QUIET_SECONDS):
            pmbot.clock.advance(seconds=step_seconds)
            passed += step_seconds
            pmbot.services.outbox.wake()
    raise AssertionError(f"the outbox still holds {await pending_jobs(pmbot)} job(s) after {passed:.0f}s")


async def _slack_called_within(fake: FakeSlack, seconds: float) -> bool:
    seen = len(fake.calls)
    try:
        async with asyncio.timeout(seconds), fake._changed:
            await fake._changed.wait_for(lambda: len(fake.calls) > seen)
    except TimeoutError:
        return False
    return True


async def pending_jobs(pmbot: Harness) -> int:
    """How many outbox jobs still wait."""
    async with pmbot.services.db.read() as session:
        return await outbox.count_unfinished(session)


def no_errors(caplog: pytest.LogCaptureFixture) -> None:
    """Nothing logged at ERROR, and no traceback at any level."""
    bad = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not bad, [f"{r.levelname} {r.name}: {r.getMessage()}" for r in bad]


async def file_many(pmbot: Harness, count: int) -> list[int]:
    """File `count` requests at once, as many people would; their numbers."""
    return sorted(await asyncio.gather(*(pmbot.file(f"Idea number {n}") for n in range(count))))
