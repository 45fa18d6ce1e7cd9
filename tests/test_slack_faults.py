"""Slack or the database misbehaving: rate limits, server errors, a card that can never be posted,
and a store that takes no writes. The filer always learns where their request stands."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, text

from storage import requests as queries
from storage.models import JobStatus, OutboxJob
from tests.fakes import Call
from tests.harness import ALICE, INTAKE, Harness, card_calls, ephemeral_text

TEAM = "T_TEST"


def card_posts(pmbot: Harness) -> list[Call]:
    """Every attempt to post a card in the intake channel, failed ones included."""
    return [call for call in pmbot.fake.calls_to("chat.postMessage") if call.params.get("channel") == INTAKE]


async def card_job(pmbot: Harness) -> OutboxJob:
    """The one outbox job that posts or updates a card."""
    async with pmbot.services.db.read() as session:
        [job] = (await session.execute(select(OutboxJob).where(OutboxJob.kind == "sync_card"))).scalars()
        return job


async def retry_scheduled(pmbot: Harness) -> bool:
    job = await card_job(pmbot)
    return job.last_error is not None and job.lease_until is None


async def stored(pmbot: Harness, number: int):
    async with pmbot.services.db.read() as session:
        return await queries.get_request(session, TEAM, number)


async def test_a_rate_limited_card_is_posted_after_retry_after(pmbot: Harness) -> None:
    await pmbot.set_intake()
    pmbot.fake.fail_next("chat.postMessage", status=429, retry_after=1)

    assert await pmbot.file("Export the roadmap to CSV") == 1
    [limited] = await pmbot.fake.wait_for("chat.postMessage", where=lambda call: call.status == 429)
    assert limited.params["channel"] == INTAKE
    await pmbot.until(lambda: retry_scheduled(pmbot))
    job = await card_job(pmbot)
    assert job.last_error == "HTTP 429 ratelimited"
    assert job.due_at - pmbot.clock.now() == timedelta(seconds=1)  # Retry-After, honoured exactly

    pmbot.clock.advance(seconds=1)
    pmbot.services.outbox.wake()

    [card] = await pmbot.fake.wait_for(
        "chat.postMessage", where=lambda call: call.status == 200 and call.params["channel"] == INTAKE
    )
    assert card.params["blocks"][0]["text"]["text"] == "REQ-1 · Export the roadmap to CSV"
    await pmbot.settled()
    assert len(card_posts(pmbot)) == 2
    assert (await stored(pmbot, 1)).card_ts == card.response["ts"]
    assert (await card_job(pmbot)).status == JobStatus.DONE


async def test_a_card_that_met_a_server_error_is_posted_on_a_later_attempt(pmbot: Harness) -> None:
    await pmbot.set_intake()
    pmbot.fake.fail_next("chat.postMessage", status=500)

    assert await pmbot.file("Dark mode for the dashboard") == 1
    await pmbot.until(lambda: retry_scheduled(pmbot))
    job = await card_job(pmbot)
    assert job.last_error == "HTTP 500 internal_error"
    waits = job.due_at - pmbot.clock.now()
    assert timedelta(seconds=0) < waits <= timedelta(seconds=2)  # backoff after a first attempt

    pmbot.clock.advance(seconds=2)
    pmbot.services.outbox.wake()

    await pmbot.settled()
    assert [call.status for call in card_posts(pmbot)] == [500, 200]
    assert len(card_calls(pmbot.fake, 1)) == 1
    assert (await stored(pmbot, 1)).card_ts is not None


async def test_an_update_that_is_rate_limited_still_lands(pmbot: Harness) -> None:
    await pmbot.set_intake()
    await pmbot.file("Webhooks for invoices")
    await pmbot.settled()
    pmbot.fake.fail_next("chat.update", status=429, retry_after=3)

    await pmbot.click("request_upvote", 1, user="U_BOB")

    await pmbot.fake.wait_for("chat.update", where=lambda call: call.status == 429)
    await pmbot.until(lambda: retry_scheduled(pmbot))
    pmbot.clock.advance(seconds=3)
    pmbot.services.outbox.wake()
    [updated] = await pmbot.fake.wait_for("chat.update", where=lambda call: call.status == 200)
    assert ":+1: 1" in str(updated.params["blocks"])
    await pmbot.settled()


async def test_a_card_for_a_missing_channel_gives_up_and_tells_the_filer(pmbot: Harness) -> None:
    await pmbot.set_intake()
    pmbot.fake.fail_next("chat.postMessage", error="channel_not_found")

    assert await pmbot.file("Single sign-on with Okta") == 1
    [told] = await pmbot.fake.wait_for("chat.postMessage", where=lambda call: call.params["channel"] == ALICE)
    assert "REQ-1 is filed, but I could not post its card" in told.params["text"]
    assert "channel_not_found" in told.params["text"]
    assert "/invite @pmbot" in told.params["text"] and "/request settings" in told.params["text"]
    await pmbot.settled()
    job = await card_job(pmbot)
    assert (job.status, job.last_error, job.attempts) == (JobStatus.FAILED, "channel_not_found", 1)

    # No retry storm: an hour later the card has still been tried exactly once.
    pmbot.clock.advance(hours=1)
    pmbot.services.outbox.wake()
    await pmbot.file("Something else entirely")  # a commit: the worker looks at the outbox again
    await pmbot.settled()
    assert [call.status for call in card_posts(pmbot) if "REQ-1 ·" in str(call.params.get("blocks"))] == [200]
    assert [call.failed for call in card_posts(pmbot)] == [True, False]
    assert (await stored(pmbot, 1)).card_ts is None


async def test_a_store_that_takes_no_writes_files_nothing_and_says_so(pmbot: Harness) -> None:
    await pmbot.set_intake()
    await pmbot.services.writer.stop()

    response = await pmbot.command("Export the roadmap to CSV")

    assert response.status_code == 200
    said = (
        ephemeral_text(response)
        if response.headers["content-type"].startswith("application/json")
        else response.text
    )
    assert "nothing was saved" in said and "try again" in said
    assert "Filed as" not in said
    assert await stored(pmbot, 1) is None

    pmbot.services.writer.start()
    number = await pmbot.file("Export the roadmap to CSV")

    assert number == 1  # the failed attempt used no number


async def test_a_card_deleted_in_slack_is_posted_again_on_the_next_change(pmbot: Harness) -> None:
    await pmbot.set_intake()
    await pmbot.file("Webhooks for invoices")
    await pmbot.settled()
    first_ts = (await stored(pmbot, 1)).card_ts
    pmbot.fake.fail_next("chat.update", error="message_not_found")  # someone deleted the card

    await pmbot.click("request_upvote", 1, user="U_BOB")

    posts = await pmbot.fake.wait_for(
        "chat.postMessage", count=2, where=lambda call: call.params["channel"] == INTAKE
    )
    again = posts[-1]
    assert ":+1: 1" in str(again.params["blocks"])
    await pmbot.settled()
    assert (await stored(pmbot, 1)).card_ts == again.response["ts"] != first_ts
    assert [call.params["channel"] for call in pmbot.fake.calls_to("chat.postMessage")].count(ALICE) == 0

    await pmbot.click("request_upvote", 1, user="U_CAROL")

    [updated] = await pmbot.fake.wait_for("chat.update", where=lambda call: not call.failed)
    assert updated.params["ts"] == again.response["ts"]


REFUSE_INSERTS = {
    "sqlite": [
        "CREATE TRIGGER refuse_requests BEFORE INSERT ON request "
        "BEGIN SELECT RAISE(ABORT, 'the disk is read-only'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION refuse_requests() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'the disk is read-only'; END $$",
        "CREATE TRIGGER refuse_requests BEFORE INSERT ON request "
        "FOR EACH ROW EXECUTE FUNCTION refuse_requests()",
    ],
}


async def test_a_database_that_rejects_the_write_files_nothing_and_says_so(pmbot: Harness) -> None:
    await pmbot.set_intake()
    dialect = pmbot.services.db.write_engine.dialect.name
    async with pmbot.services.db.transaction() as session:
        for statement in REFUSE_INSERTS[dialect]:
            await session.execute(text(statement))

    response = await pmbot.command("Export the roadmap to CSV")

    said = response.text
    assert "nothing was saved" in said and "Filed as" not in said
    assert await stored(pmbot, 1) is None
    async with pmbot.services.db.transaction() as session:
        await session.execute(
            text("DROP TRIGGER refuse_requests" + (" ON request" if dialect != "sqlite" else ""))
        )
    assert await pmbot.file("Export the roadmap to CSV") == 1  # the failed attempt used no number
    await pmbot.settled()
    assert len(card_posts(pmbot)) == 1  # and left nothing in the outbox to post
