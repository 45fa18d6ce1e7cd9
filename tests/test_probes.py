"""/healthz (the process answers), /readyz (it can work) and /metrics (what it did), over ASGI."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import AsyncIterator
from datetime import timedelta
from urllib.parse import urlparse

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from slack_sdk.errors import SlackApiError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import create_app
from bot.config import load_settings
from bot.probes import Probes
from bot.slack_auth import AuthResult, TokenState, TokenWatch
from bot.web import SlackWebApp
from storage import outbox
from tests import databases
from tests.fakes import FakeSlack
from tests.harness import INTAKE, SECRET, Harness, build_harness
from tests.test_scheduler import BERLIN, NEW_YORK, attach, utc

METRICS_TOKEN = "metrics-token-for-tests-0123456789"
AUTH = {"Authorization": f"Bearer {METRICS_TOKEN}"}


@pytest.fixture
async def metered(fake: FakeSlack, database_url: str) -> AsyncIterator[Harness]:
    """pmbot with /metrics switched on."""
    settings = load_settings(
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=fake.base_url,
        DATABASE_URL=database_url,
        METRICS_TOKEN=METRICS_TOKEN,
    )
    harness = await build_harness(fake, database_url, settings=settings)
    yield harness
    await harness.http.aclose()
    await harness.services.stop()


async def scrape(pmbot: Harness) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = await pmbot.http.get("/metrics", headers=AUTH)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


@contextlib.asynccontextmanager
async def writes_blocked(pmbot: Harness, database_url: str) -> AsyncIterator[None]:
    """Real faults that leave reads working: another process holds SQLite's write lock; PostgreSQL
    makes the database read-only (new connections see it, so the pool is emptied first)."""
    if pmbot.services.db.is_sqlite:
        holder = sqlite3.connect(database_url.split(":///", 1)[1], isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            holder.rollback()
            holder.close()
        return
    name = urlparse(database_url).path.lstrip("/")
    await databases._admin(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
    await pmbot.services.db.write_engine.dispose()
    try:
        yield
    finally:
        await databases._admin(f'ALTER DATABASE "{name}" SET default_transaction_read_only = off')
        await pmbot.services.db.write_engine.dispose()


async def test_readyz_checks_reads_and_writes_and_healthz_only_liveness(
    pmbot: Harness, database_url: str
) -> None:
    ready = await pmbot.http.get("/readyz")

    assert ready.status_code == 200
    assert ready.json() == {"ok": True, "checks": {"database_read": "ok", "database_write": "ok"}}
    assert (await pmbot.http.head("/readyz")).status_code == 200

    async with writes_blocked(pmbot, database_url):
        stalled = await pmbot.http.get("/readyz")
        alive = await pmbot.http.get("/healthz")

    assert stalled.status_code == 503
    assert stalled.json()["checks"]["database_write"] != "ok"
    assert stalled.json()["checks"]["database_read"] == "ok"
    assert (alive.status_code, alive.json()) == (200, {"ok": True})


async def test_readyz_says_when_slack_refused_the_token(pmbot: Harness) -> None:
    refused = TokenWatch(pmbot.services.client, AuthResult(TokenState.INVALID, "invalid_auth"))
    web = SlackWebApp(
        create_app(pmbot.services), pmbot.services, probes=Probes(pmbot.services, token=refused)
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url="http://t") as http:
        response = await http.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["slack_token"] == "invalid: invalid_auth"


async def test_metrics_are_off_unless_a_token_is_set(pmbot: Harness) -> None:
    assert (await pmbot.http.get("/metrics", headers=AUTH)).status_code == 404


async def test_metrics_need_the_token(metered: Harness) -> None:
    assert (await metered.http.get("/metrics")).status_code == 401
    wrong = {"Authorization": "Bearer not-the-token-at-all-000000"}
    assert (await metered.http.get("/metrics", headers=wrong)).status_code == 401


async def fail_one_job(pmbot: Harness) -> None:
    """A job that gave up, as the outbox worker leaves one (the worker is stopped first)."""
    await pmbot.services.outbox.stop()
    now = pmbot.clock.now()

    async def give_up(session: AsyncSession) -> None:
        await outbox.enqueue(session, team_id="T_TEST", kind="notify", payload={}, now=now)
        [job] = await outbox.claim_due(session, now=now, limit=1, lease_for=timedelta(seconds=60))
        await outbox.mark_failed(session, job, error="channel_not_found")

    await pmbot.services.writer.run(give_up)


async def test_answers_slack_calls_and_failed_jobs_are_counted(metered: Harness) -> None:
    before = await scrape(metered)
    client = metered.services.client  # the client every listener and delivery uses
    metered.fake.fail_next("chat.postMessage", error="channel_not_found")

    assert (await metered.command("help")).status_code == 200
    with pytest.raises(SlackApiError):
        await client.chat_postMessage(channel="C_GONE", text="lost")
    await client.chat_postMessage(channel=INTAKE, text="posted")
    await fail_one_job(metered)
    after = await scrape(metered)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("pmbot_slack_answers_total", route="http", kind="command") == 1
    assert grew("pmbot_slack_answer_seconds_count", route="http", kind="command") == 1
    assert grew("pmbot_slack_api_calls_total", method="chat.postMessage", result="channel_not_found") == 1
    assert grew("pmbot_slack_api_calls_total", method="chat.postMessage", result="ok") == 1
    assert value(after, "pmbot_outbox_jobs", status="failed", kind="notify") == 1
    assert "pmbot_outbox_oldest_pending_seconds" in {name for name, _ in after}
    assert not any("C_GONE" in str(labels) or "REQ-" in str(labels) for _, labels in after)  # no ids


async def test_the_outbox_backlog_is_read_at_scrape_time(metered: Harness) -> None:
    await metered.set_intake()  # the filing's card is an outbox job
    await metered.services.outbox.stop()  # nothing delivers: what is filed stays pending
    await metered.file("Waiting in the outbox")
    metered.clock.advance(seconds=90)

    samples = await scrape(metered)

    pending = [
        v
        for (name, labels), v in samples.items()
        if name == "pmbot_outbox_jobs" and ("status", "pending") in labels
    ]
    assert sum(pending) >= 1
    assert value(samples, "pmbot_outbox_oldest_pending_seconds") >= 90


async def test_scheduled_runs_are_counted_claimed_late_and_skipped(metered: Harness) -> None:
    await attach(metered, BERLIN, NEW_YORK)
    before = await scrape(metered)
    scheduler = metered.services.scheduler

    metered.clock.current = utc(2026, 11, 26, 8, 0)  # 09:00 Berlin; New York's last 09:00 is too old
    await scheduler.run_due(["test"])
    metered.clock.current = utc(2026, 11, 26, 17, 0)  # New York's 09:00, three hours ago
    await scheduler.run_due(["test"])
    after = await scrape(metered)

    def grew(outcome: str) -> float:
        return value(after, "pmbot_scheduled_runs_total", outcome=outcome) - value(
            before, "pmbot_scheduled_runs_total", outcome=outcome
        )

    assert (grew("claimed"), grew("late"), grew("skipped")) == (1, 1, 1)
