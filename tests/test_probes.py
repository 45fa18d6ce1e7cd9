"""/healthz (the process answers), /readyz (it can work) and /metrics (what it did), over ASGI."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import AsyncIterator
from urllib.parse import urlparse

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.app import create_app
from bot.config import load_settings
from bot.probes import Probes
from bot.slack_auth import AuthResult, TokenState, TokenWatch
from bot.web import SlackWebApp
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


async def test_answers_and_slack_calls_are_counted_by_kind_and_method(metered: Harness) -> None:
    before = await scrape(metered)
    await metered.set_intake(INTAKE)
    metered.fake.fail_next("chat.postMessage", error="channel_not_found")

    await metered.file("Counted request")
    await metered.settled()
    after = await scrape(metered)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("pmbot_slack_answers_total", route="http", kind="command") == 1
    assert grew("pmbot_slack_answers_total", route="http", kind="view_submission") == 1
    assert grew("pmbot_slack_answer_seconds_count", route="http", kind="command") == 1
    assert grew("pmbot_slack_api_calls_total", method="chat.postMessage", result="channel_not_found") == 1
    assert grew("pmbot_slack_api_calls_total", method="chat.postMessage", result="ok") >= 1
    failed = [
        v
        for (name, labels), v in after.items()
        if name == "pmbot_outbox_jobs" and ("status", "failed") in labels
    ]
    assert sum(failed) == 1
    names = {name for name, _ in after}
    assert not any("REQ-" in str(labels) for _, labels in after)  # never an item's id
    assert "pmbot_outbox_oldest_pending_seconds" in names


async def test_the_outbox_backlog_is_read_at_scrape_time(metered: Harness) -> None:
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
    before = await scrape(metered)
    attach(metered, BERLIN, NEW_YORK)
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
