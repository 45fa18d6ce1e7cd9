"""A replica killed with -9 while its posts are in flight (Slack stored them, the answers never
came back) leaves no card twice: the replica that takes the jobs over once their lease runs out
finds each post in the channel's history and adopts it."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from tests.delivery_steps import cards_in, drain, paced_pmbot, stop
from tests.fakes import FakeSlack
from tests.harness import INTAKE, FakeClock

REPLICA = Path(__file__).parent / "processes" / "delivery_replica.py"
IN_FLIGHT = 16  # the outbox worker's concurrency
LEASE_SECONDS = 60


async def test_kill_9_with_posts_in_flight_leaves_no_card_twice(
    fake: FakeSlack, database_url: str, clock: FakeClock
) -> None:
    pmbot = await paced_pmbot(fake, database_url, clock, posts_per_second=50)
    await pmbot.set_intake()
    await pmbot.settled()
    await pmbot.services.outbox.stop()  # this process files; the replica delivers
    for n in range(IN_FLIGHT):
        await pmbot.file(f"Idea number {n}")
    await stop(pmbot)
    fake.fail_every("chat.postMessage", 1, delay=60)  # stored at once, answered never (in time)

    replica = await asyncio.create_subprocess_exec(
        sys.executable,
        str(REPLICA),
        "--database-url", database_url,
        "--slack-url", fake.base_url,
        "--now", clock.now().isoformat(),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
        cwd=str(REPLICA.parent.parent.parent),
    )  # fmt: skip
    try:
        await fake.wait_for(
            "chat.postMessage", IN_FLIGHT, timeout=60, where=lambda call: call.params.get("channel") == INTAKE
        )
    finally:
        replica.kill()
        await replica.wait()
    assert len(cards_in(fake)) == IN_FLIGHT
    fake.fail_every("chat.postMessage", 0)

    clock.advance(seconds=LEASE_SECONDS + 1)
    taker = await paced_pmbot(fake, database_url, clock, posts_per_second=50)
    try:
        await drain(taker)
        cards = cards_in(fake)
        assert sorted(cards) == list(range(1, IN_FLIGHT + 1))
        assert all(len(copies) == 1 for copies in cards.values()), {n: len(c) for n, c in cards.items()}
        assert taker.services.client.guard.posts_adopted == IN_FLIGHT

        await taker.click("request_upvote", 3, user="U_BOB")
        [updated] = await fake.wait_for("chat.update")
        assert updated.params["ts"] == cards[3][0]["ts"]
    finally:
        await stop(taker)
