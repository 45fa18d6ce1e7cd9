"""Fixtures: a fake Slack, fresh databases (SQLite and PostgreSQL), and pmbot running on them."""

from __future__ import annotations

import os

# As pmbot itself runs numpy (sentence_model.py), before any test module imports it: one BLAS
# thread, not one per core spinning beside every test.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import asyncio
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tests import databases
from tests.fakes import FakeSlack
from tests.harness import ADMIN, ALICE, BOB, CAROL, DAVE, FakeClock, Harness, build_harness

T = TypeVar("T")


def run_aside(work: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion on its own loop (session fixtures may start inside a test's)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, work).result()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_aside(databases.make_sqlite_template(tmp_path_factory.mktemp("template")))


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    name = run_aside(databases.make_postgres_template())
    yield name
    run_aside(databases.drop_postgres(name))


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, migrated database of each kind."""
    if request.param == "sqlite":
        yield databases.clone_sqlite(request.getfixturevalue("sqlite_template"), tmp_path)
        return
    name, url = await databases.clone_postgres(request.getfixturevalue("postgres_template"))
    yield url
    await databases.drop_postgres(name)


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as slack:
        slack.add_user(ALICE, tz="Europe/Berlin")
        slack.add_user(BOB, tz="America/New_York")
        slack.add_user(CAROL)
        slack.add_user(ADMIN, is_admin=True)
        slack.add_user(DAVE)
        yield slack
        textless = [f"{call.method}: {str(call.params.get('blocks'))[:200]}" for call in slack.textless]
        assert not textless, f"messages sent with no fallback text: {textless}"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def pmbot(fake: FakeSlack, database_url: str, clock: FakeClock) -> AsyncIterator[Harness]:
    """pmbot running on a fresh database, talking to the fake Slack."""
    harness = await build_harness(fake, database_url, clock)
    yield harness
    await harness.http.aclose()
    await harness.services.stop()
