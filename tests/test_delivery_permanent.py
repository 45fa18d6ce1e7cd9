"""Errors no retry can fix: each gets its own advice, reaches the person who acted and the admins
(once, not once a job, and on the admins' Home tabs), and a refused token stops pmbot calling Slack
for the workspace until an auth.test at start-up works again."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from storage import outbox
from storage.models import JobStatus, OutboxJob, Workspace
from tests.delivery_steps import cards_in, stop
from tests.fakes import Call
from tests.harness import ADMIN, ALICE, BOB, INTAKE, FakeClock, Harness, build_harness
from tests.home_steps import open_home

TEAM = "T_TEST"


def dms_to(pmbot: Harness, user: str) -> list[Call]:
    return [
        c for c in pmbot.fake.calls_to("chat.postMessage") if c.params.get("channel") == user and not c.failed
    ]


ADVICE = {
    "is_archived": "it is archived. An admin can choose another intake channel with `/request settings`",
    "not_in_channel": "I'm not a member. Please invite me there with `/invite @pmbot`",
}


@pytest.mark.parametrize("code", ADVICE)
async def test_a_channel_that_refuses_cards_is_explained_once_to_the_filer_and_the_admins(
    pmbot: Harness, code: str
) -> None:
    await pmbot.set_intake()
    (pmbot.fake.archived_channels if code == "is_archived" else pmbot.fake.closed_channels).add(INTAKE)
    settings_dms = len(dms_to(pmbot, ADMIN))

    await pmbot.file("Export the roadmap to CSV")
    await pmbot.file("Dark mode")
    await pmbot.file("Single sign-on", user=BOB)
    await pmbot.settled()

    [to_alice] = dms_to(pmbot, ALICE)  # once, for whichever of her two cards failed first
    assert to_alice.params["text"].startswith(("REQ-1 is filed", "REQ-2 is filed"))
    assert f"but I could not post its card to <#{INTAKE}> ({code})" in to_alice.params["text"]
    assert ADVICE[code] in to_alice.params["text"] and "I've told pmbot's admins" in to_alice.params["text"]
    [to_bob] = dms_to(pmbot, BOB)
    assert to_bob.params["text"].startswith("REQ-3 is filed")
    [to_admin] = dms_to(pmbot, ADMIN)[settings_dms:]
    assert ADVICE[code] in to_admin.params["text"] and "Requests are still filed" in to_admin.params["text"]
    async with pmbot.services.db.read() as session:
        jobs = (await session.execute(select(OutboxJob).where(OutboxJob.kind == "sync_card"))).scalars().all()
    assert [(j.status, j.last_error, j.attempts) for j in jobs] == [(JobStatus.FAILED, code, 1)] * 3

    home = await open_home(pmbot, ADMIN)
    assert ADVICE[code] in str(home["blocks"])

    (pmbot.fake.archived_channels if code == "is_archived" else pmbot.fake.closed_channels).discard(INTAKE)
    await pmbot.file("Webhooks for invoices")
    await pmbot.settled()
    assert list(cards_in(pmbot.fake)) == [4]
    assert ADVICE[code] not in str((await open_home(pmbot, ADMIN))["blocks"])


async def test_a_revoked_token_stops_every_call_until_auth_test_works_again(
    pmbot: Harness, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    await pmbot.set_intake()
    await pmbot.settled()
    pmbot.fake.token_refusal = "token_revoked"
    pmbot.fake.reset()

    await pmbot.file("Export the roadmap to CSV")
    await pmbot.fake.wait_for("chat.postMessage")

    async def inactive() -> bool:
        async with pmbot.services.db.read() as session:
            workspace = await session.get(Workspace, TEAM)
            return workspace is not None and not workspace.installation_active

    await pmbot.until(inactive)
    refused = len(pmbot.fake.calls)
    await pmbot.file("Dark mode")
    await pmbot.file("Single sign-on")
    pmbot.clock.advance(hours=1)
    pmbot.services.outbox.wake()
    await pmbot.file("Webhooks for invoices")  # a commit: the worker looks at the outbox again
    assert not pmbot.services.outbox.installation_active(TEAM)
    assert len(pmbot.fake.calls) == refused  # nothing more was sent to Slack
    told = [r for r in caplog.records if "refused pmbot's token" in r.getMessage()]
    assert len(told) == 1 and told[0].levelno == logging.ERROR and not told[0].exc_info
    await stop(pmbot)

    pmbot.fake.token_refusal = None  # say, the app was reinstalled with a new token
    restarted = await build_harness(pmbot.fake, database_url, FakeClock(pmbot.clock.now()))
    try:
        await restarted.settled()
        assert restarted.services.outbox.installation_active(TEAM)
        assert pmbot.fake.calls_to("auth.test")
        cards = cards_in(pmbot.fake)
        assert sorted(cards) == [1, 2, 3, 4] and all(len(c) == 1 for c in cards.values())
    finally:
        await stop(restarted)


async def test_outbox_stats_count_pending_and_failed_jobs(pmbot: Harness) -> None:
    await pmbot.set_intake()
    pmbot.fake.archived_channels.add(INTAKE)
    await pmbot.file("Export the roadmap to CSV")
    await pmbot.settled()

    async with pmbot.services.db.read() as session:
        counted = await outbox.stats(session, now=pmbot.clock.now())

    assert (counted.pending, counted.failed, counted.oldest_pending_seconds) == (0, 1, 0.0)
    assert pmbot.services.client.guard.calls[("chat.postMessage", "is_archived")] == 1
