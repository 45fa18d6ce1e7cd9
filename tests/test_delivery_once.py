"""A post whose answer was lost is found, not posted again: every post carries its job's key in
message metadata, and the next attempt reads the channel's history before posting."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.deliveries.client import close_session, open_session
from storage import requests as queries
from tests.delivery_steps import cards_in, drain, no_errors, paced_pmbot, stop
from tests.fakes import FakeSlack
from tests.harness import INTAKE, FakeClock, Harness

TEAM = "T_TEST"
FILINGS = 20


@pytest.fixture
async def quick(fake: FakeSlack, database_url: str, clock: FakeClock) -> AsyncIterator[Harness]:
    """pmbot allowed 50 posts a second per channel, so twenty filings do not wait on pacing."""
    pmbot = await paced_pmbot(fake, database_url, clock, posts_per_second=50)
    yield pmbot
    await stop(pmbot)


LOST_ANSWERS = {
    "connection dropped after Slack stored the post": {"disconnect": True},
    "500 after Slack stored the post": {"status": 500, "after_work": True},
}


@pytest.mark.parametrize("lost", LOST_ANSWERS.values(), ids=LOST_ANSWERS.keys())
async def test_twenty_filings_with_every_third_answer_lost_give_twenty_cards_updated_in_place(
    quick: Harness, lost: dict[str, object], caplog: pytest.LogCaptureFixture
) -> None:
    await quick.set_intake()
    quick.fake.fail_every("chat.postMessage", 3, **lost)

    for n in range(FILINGS):
        await quick.file(f"Idea number {n}")
    await drain(quick)
    quick.fake.fail_every("chat.postMessage", 0)

    cards = cards_in(quick.fake)
    assert sorted(cards) == list(range(1, FILINGS + 1))
    assert all(len(copies) == 1 for copies in cards.values()), {n: len(c) for n, c in cards.items()}
    lost_posts = [call for call in quick.fake.calls_to("chat.postMessage") if call.failed]
    assert len(lost_posts) >= FILINGS // 3 - 1  # the faults really happened
    assert quick.services.client.guard.posts_adopted >= 1

    for n in range(1, FILINGS + 1):
        await quick.click("request_upvote", n, user="U_BOB")
    await drain(quick)

    cards = cards_in(quick.fake)
    assert all(len(copies) == 1 for copies in cards.values())
    async with quick.services.db.read() as session:
        for n, [card] in cards.items():
            assert ":+1: 1" in str(card["blocks"]), n
            assert (await queries.get_request(session, TEAM, n)).card_ts == card["ts"]
    no_errors(caplog)


async def test_a_post_that_timed_out_after_slack_stored_it_is_adopted(
    quick: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    client = quick.services.client
    await close_session(client)
    client.timeout = 1  # the answer comes after the client stopped waiting
    open_session(client)
    await quick.set_intake()
    quick.fake.fail_next("chat.postMessage", delay=1.5)

    await quick.file("Export the roadmap to CSV")
    await drain(quick)

    [[card]] = cards_in(quick.fake).values()
    assert card["metadata"]["event_type"] == "pmbot_post"
    history = quick.fake.calls_to("conversations.history")
    assert history and history[-1].params["channel"] == INTAKE
    assert history[-1].params["include_all_metadata"] in ("1", "true")
    no_errors(caplog)
