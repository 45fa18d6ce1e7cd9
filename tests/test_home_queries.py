"""A person's queue costs the same few SQL statements for ten items a list as for hundreds."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event

from bot.services.home.service import HomeList, HomeQueue, HomeService
from storage import home as queries
from storage.db import Database
from storage.models import LaunchStatus
from tests.harness import ALICE, BOB, DAVE, FakeClock, Harness
from tests.home_steps import TEAM, Item, add_launch, seed, seed_queues
from tests.roadmap_steps import set_policy

NOON = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)  # the same calendar day in every test user's zone
TODAY = NOON.date()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOON)


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
    await pmbot.set_intake(triagers=[ALICE])
    await set_policy(pmbot, [ALICE, DAVE], required=1)
    await seed(pmbot, ALICE, mine=10, followed=10, votes=10)
    await seed_queues(pmbot, ALICE, assigned=10, proposals=10)
    await add_launch(pmbot, 1, name="Small", days_away=5, items=(Item(ALICE, 2),) * 10)
    await home.queue(TEAM, ALICE)  # warm: the first use of a pooled connection may say more
    statements.clear()

    small = await home.queue(TEAM, ALICE)
    few = len(statements)
    await seed(pmbot, ALICE, mine=200, followed=0, votes=0, start=1000)
    await seed_queues(pmbot, ALICE, assigned=300, proposals=150, start=6000)
    for number in range(2, 22):
        await add_launch(pmbot, number, name=f"Launch {number}", days_away=3, items=(Item(ALICE, 1),) * 10)
    statements.clear()
    large = await home.queue(TEAM, ALICE)

    selects = [statement for statement in statements if statement.startswith("SELECT")]
    # settings (3), one per list (5), waiting for triage, assigned, your proposals and their votes (4)
    assert len(statements) == few and len(selects) == 12
    assert (small.my_requests.total, small.followed.total, small.awaiting_vote.total) == (10, 10, 10)
    assert (small.checklist.total, small.launches.total) == (10, 1)
    assert _queues(small) == (30, 10, 10)
    assert (large.my_requests.total, large.followed.total, large.awaiting_vote.total) == (210, 10, 10)
    assert (large.checklist.total, large.launches.total) == (210, 21)
    assert _queues(large) == (530, 310, 160)
    assert len(large.my_requests.rows) == len(large.checklist.rows) == len(large.launches.rows) == 8
    assert len(large.waiting_for_triage.rows) == len(large.your_proposals.rows) == 8
    waiting = {mine.proposal.number: mine.waiting_on for mine in large.your_proposals.rows}
    assert waiting[5000] == [DAVE] and waiting[5001] == [DAVE]  # U_OTHER is no approver; ALICE proposed


def _queues(queue: HomeQueue) -> tuple[int, int, int]:
    return queue.waiting_for_triage.total, queue.assigned.total, queue.your_proposals.total


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


async def test_checklist_items_are_the_persons_open_ones_due_within_a_week_overdue_first(
    pmbot: Harness,
) -> None:
    mine = (Item(ALICE, -3, title="late"), Item(ALICE, 7, title="in a week"), Item(ALICE, 0, title="today"))
    others = (
        Item(ALICE, 8, title="too far"),
        Item(ALICE, 1, done=True, title="done"),
        Item(BOB, 1),
        Item(None, 1),
    )
    await add_launch(pmbot, 1, name="Search", days_away=10, items=mine + others)
    await add_launch(
        pmbot, 2, name="Cancelled", days_away=2, items=(Item(ALICE, 1),), status=LaunchStatus.CANCELLED
    )
    await add_launch(
        pmbot, 3, name="Shipped", days_away=-1, items=(Item(ALICE, -2),), status=LaunchStatus.LAUNCHED
    )
    await add_launch(
        pmbot, 4, name="Slipped", days_away=9, items=(Item(ALICE, 2, title="slipped"),), status="slipped"
    )
    await add_launch(pmbot, 1, name="Elsewhere", days_away=2, items=(Item(ALICE, 1),), team_id="T_ELSE")

    async with pmbot.services.db.read() as session:
        listed = await queries.list_checklist_items(session, TEAM, ALICE, TODAY + timedelta(days=7), limit=50)
        page = await queries.list_checklist_items(
            session, TEAM, ALICE, TODAY + timedelta(days=7), offset=3, limit=2
        )

    assert [entry.item.title for entry in listed.rows] == ["late", "today", "slipped", "in a week"]
    assert [entry.launch.ref for entry in listed.rows] == ["LCH-1", "LCH-1", "LCH-4", "LCH-1"]
    assert listed.total == 4 and (len(page.rows), page.total) == (1, 4)


async def test_upcoming_launches_are_planned_or_slipped_within_the_window_with_progress(
    pmbot: Harness,
) -> None:
    await add_launch(pmbot, 1, name="Later", days_away=20, items=(Item(ALICE, 1, done=True), Item(BOB, 2)))
    await add_launch(pmbot, 2, name="Soon", days_away=2, status=LaunchStatus.SLIPPED)
    await add_launch(pmbot, 3, name="Passed", days_away=-1, items=(Item(None, -5, done=True),))
    await add_launch(pmbot, 4, name="Too far", days_away=31)
    await add_launch(pmbot, 5, name="Cancelled", days_away=3, status=LaunchStatus.CANCELLED)
    await add_launch(pmbot, 6, name="Launched", days_away=-3, status=LaunchStatus.LAUNCHED)
    await add_launch(pmbot, 1, name="Elsewhere", days_away=3, team_id="T_ELSE")

    async with pmbot.services.db.read() as session:
        listed = await queries.list_upcoming_launches(session, TEAM, TODAY + timedelta(days=30), limit=50)

    assert [(u.launch.name, u.done, u.total) for u in listed.rows] == [
        ("Passed", 1, 1),
        ("Soon", 0, 0),
        ("Later", 1, 2),
    ]
    assert listed.total == 3


async def test_see_all_pages_of_launch_lists_cost_one_statement_each(
    pmbot: Harness, counted_home: tuple[HomeService, list[str]]
) -> None:
    home, statements = counted_home
    for number in range(1, 13):
        await add_launch(
            pmbot, number, name=f"Launch {number}", days_away=number, items=(Item(ALICE, 1),) * 5
        )
    await home.full_list(TEAM, ALICE, HomeList.CHECKLIST, page=0, per_page=50)
    statements.clear()

    checklist = await home.full_list(TEAM, ALICE, HomeList.CHECKLIST, page=1, per_page=50)
    launches = await home.full_list(TEAM, ALICE, HomeList.LAUNCHES, page=0, per_page=50)

    assert [s.split()[0] for s in statements if s != "BEGIN"] == ["SELECT", "SELECT"]
    assert (len(checklist.rows), checklist.total) == (10, 60)
    assert (len(launches.rows), launches.total) == (12, 12)
