"""A person's queue costs the same few SQL statements for ten items a list as for hundreds."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import event

from bot.services.home import HomeList, HomeService
from storage.db import Database
from tests.harness import ALICE, Harness
from tests.home_steps import TEAM, seed
from tests.roadmap_steps import set_policy


@pytest.fixture
async def counted_home(pmbot: Harness) -> AsyncIterator[tuple[HomeService, list[str]]]:
    """A HomeService on an engine of its own, so only its statements are counted (not the outbox's)."""
    db = Database(pmbot.services.settings.DATABASE_URL)
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(db.read_engine.sync_engine, "before_cursor_execute", count)
    yield HomeService(db, pmbot.services.permissions, pmbot.clock), statements
    await db.dispose()


async def test_the_queue_costs_a_fixed_number_of_statements(
    pmbot: Harness, counted_home: tuple[HomeService, list[str]]
) -> None:
    home, statements = counted_home
    await set_policy(pmbot, [ALICE], required=1)
    await seed(pmbot, ALICE, mine=10, followed=10, votes=10)
    await home.queue(TEAM, ALICE)  # warm: the first use of a pooled connection may say more
    statements.clear()

    small = await home.queue(TEAM, ALICE)
    few = len(statements)
    await seed(pmbot, ALICE, mine=200, followed=0, votes=0, start=1000)
    statements.clear()
    large = await home.queue(TEAM, ALICE)

    selects = [statement for statement in statements if statement.startswith("SELECT")]
    assert len(statements) == few and len(selects) == 6  # settings (3), one per list (3)
    assert (small.my_requests.total, small.followed.total, small.awaiting_vote.total) == (10, 10, 10)
    assert (large.my_requests.total, large.followed.total, large.awaiting_vote.total) == (210, 10, 10)
    assert len(large.my_requests.rows) == 8


async def test_see_all_pages_cost_one_statement_each(
    pmbot: Harness, counted_home: tuple[HomeService, list[str]]
) -> None:
    home, statements = counted_home
    await seed(pmbot, ALICE, mine=120, followed=0, votes=0)
    await home.full_list(TEAM, ALICE, HomeList.MINE, page=0, per_page=50)
    statements.clear()

    last = await home.full_list(TEAM, ALICE, HomeList.MINE, page=2, per_page=50)

    assert [s.split()[0] for s in statements if s != "BEGIN"] == ["SELECT"]
    assert (len(last.rows), last.total) == (20, 120)
