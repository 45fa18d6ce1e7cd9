"""Every shape of failure ends in a retry or a recorded failure: never an escaped exception, a task
nobody awaited, or a job left to wait out its 60 s lease."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select, text

from storage import requests as queries
from storage.models import JobStatus, OutboxJob
from tests.delivery_steps import cards_in, drain, no_errors, paced_pmbot, stop
from tests.fakes import FakeSlack
from tests.harness import FakeClock, Harness

TEAM = "T_TEST"
LEASE_SECONDS = 60
HTML_PAGE = "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>"


@pytest.fixture
async def quick(fake: FakeSlack, database_url: str, clock: FakeClock) -> AsyncIterator[Harness]:
    pmbot = await paced_pmbot(fake, database_url, clock, posts_per_second=50)
    yield pmbot
    await stop(pmbot)


async def card_job(pmbot: Harness) -> OutboxJob:
    async with pmbot.services.db.read() as session:
        [job] = (await session.execute(select(OutboxJob).where(OutboxJob.kind == "sync_card"))).scalars()
        return job


async def delivered_once(pmbot: Harness, *, upvotes: int = 0) -> None:
    """One card for REQ-1, showing the upvotes, its ts stored, its job done."""
    [[card]] = cards_in(pmbot.fake).values()
    assert f":+1: {upvotes}" in str(card["blocks"]) if upvotes else True
    async with pmbot.services.db.read() as session:
        assert (await queries.get_request(session, TEAM, 1)).card_ts == card["ts"]
    assert (await card_job(pmbot)).status == JobStatus.DONE


async def test_a_503_with_a_plain_text_body_on_an_update_is_retried(
    quick: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    await quick.set_intake()
    await quick.file("Webhooks for invoices")
    await quick.settled()
    quick.fake.fail_next("chat.update", status=503, body="Service Unavailable")

    await quick.click("request_upvote", 1, user="U_BOB")
    await quick.fake.wait_for("chat.update")
    waited = await drain(quick, step_seconds=1)

    assert [call.status for call in quick.fake.calls_to("chat.update")] == [503, 200]
    await delivered_once(quick, upvotes=1)
    assert waited < LEASE_SECONDS
    assert (await card_job(quick)).last_error is None
    no_errors(caplog)


async def test_a_503_with_an_html_page_labelled_json_is_retried(
    quick: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    await quick.set_intake()
    quick.fake.fail_next("chat.postMessage", status=503, body=HTML_PAGE, content_type="application/json")

    await quick.file("Webhooks for invoices")
    waited = await drain(quick, step_seconds=1)

    await delivered_once(quick)
    assert waited < LEASE_SECONDS
    no_errors(caplog)


REFUSE_DONE = {
    "sqlite": [
        "CREATE TRIGGER refuse_done BEFORE UPDATE OF status ON outbox_job "
        "WHEN NEW.status = 'done' AND NEW.kind = 'sync_card' "
        "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION refuse_done() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'disk I/O error'; END $$",
        "CREATE TRIGGER refuse_done BEFORE UPDATE ON outbox_job FOR EACH ROW "
        "WHEN (NEW.status = 'done' AND NEW.kind = 'sync_card') EXECUTE FUNCTION refuse_done()",
    ],
}


async def test_a_database_error_on_the_done_write_keeps_the_post_and_never_posts_again(
    quick: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    await quick.set_intake()
    dialect = quick.services.db.write_engine.dialect.name
    async with quick.services.db.transaction() as session:
        for statement in REFUSE_DONE[dialect]:
            await session.execute(text(statement))

    await quick.file("Webhooks for invoices")
    await quick.fake.wait_for("chat.postMessage", where=lambda call: "blocks" in call.params)
    async with asyncio.timeout(10):
        while quick.services.outbox.write_failures == 0:  # noqa: ASYNC110 - a counter, no event to await
            await asyncio.sleep(0.05)
    async with quick.services.db.transaction() as session:
        await session.execute(
            text("DROP TRIGGER refuse_done" + (" ON outbox_job" if dialect != "sqlite" else ""))
        )
    await quick.settled()

    await delivered_once(quick)
    assert len([call for call in quick.fake.calls_to("chat.postMessage") if "blocks" in call.params]) == 1
    no_errors(caplog)
