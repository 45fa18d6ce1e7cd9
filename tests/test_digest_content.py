"""What a digest lists for a window (and nothing of other windows or workspaces), on both databases,
and that it costs the same SQL statements however much data there is."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event

from bot.services.digests.content import Digest, DigestContentService, DigestList, DigestWindow
from storage.db import Database
from tests.digest_steps import (
    NOW,
    OTHER_TEAM,
    TEAM,
    TODAY,
    URL,
    WEEK_AGO,
    StaticUrls,
    add_launch,
    add_proposal,
    add_request,
    name_approvers,
    triaged,
)
from tests.harness import FakeClock

DAY = timedelta(days=1)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


@pytest.fixture
def service(db: Database) -> DigestContentService:
    return DigestContentService(db, FakeClock(NOW), workspace_urls=StaticUrls())


def window(team_id: str = TEAM, sections: list[str] | None = None) -> DigestWindow:
    if sections is None:
        return DigestWindow(team_id, WEEK_AGO, NOW)
    return DigestWindow(team_id, WEEK_AGO, NOW, sections)


def numbers(digest: Digest, which: DigestList) -> list[int]:
    rows = digest.listed(which).rows
    return [getattr(row, "row", row).number for row in rows]


async def seed_requests(db: Database) -> None:
    async with db.transaction() as session:
        old = await add_request(session, 1, NOW - 10 * DAY)  # stuck, filed before the window
        two = await add_request(session, 2, NOW - 3 * DAY, impact="high", upvotes=2)
        three = await add_request(session, 3, NOW - 2 * DAY, impact="critical", status="accepted")
        four = await add_request(session, 4, NOW - DAY, impact="high", upvotes=5, status="duplicate")
        await add_request(session, 5, NOW + timedelta(hours=1))  # after the window
        six = await add_request(session, 6, NOW - 6 * DAY, status="declined")
        seven = await add_request(session, 7, NOW - 6 * DAY)  # stuck and new
        theirs = await add_request(session, 1, NOW - DAY, team_id=OTHER_TEAM, impact="critical")
        await add_request(session, 2, NOW - 20 * DAY, team_id=OTHER_TEAM)
        session.add_all(
            [
                triaged(three, "accepted", NOW - DAY),
                triaged(two, "edited", NOW - DAY),  # not a decision
                triaged(six, "declined", NOW - timedelta(hours=2)),
                triaged(four, "marked_duplicate", NOW - timedelta(minutes=30)),
                triaged(two, "asked_for_info", NOW + timedelta(hours=1)),  # after the window
                triaged(old, "asked_for_info", WEEK_AGO - timedelta(minutes=1)),  # before it
                triaged(theirs, "accepted", NOW - DAY),
                triaged(seven, "assigned", NOW - DAY),
            ]
        )


async def test_requests_triage_and_stuck_requests_of_the_window(
    db: Database, service: DigestContentService
) -> None:
    await seed_requests(db)

    digest = await service.build(window())

    assert numbers(digest, DigestList.NEW) == [3, 4, 2, 7, 6]  # impact, then +1s, then newest
    new = digest.listed(DigestList.NEW)
    assert new.total == 5 and [row.upvotes for row in new.rows][:3] == [0, 5, 2]
    assert numbers(digest, DigestList.TRIAGED) == [4, 6, 3]  # newest decision first
    assert digest.triage_counts == {"accepted": 1, "declined": 1, "asked_for_info": 0, "marked_duplicate": 1}
    assert numbers(digest, DigestList.STUCK_REQUESTS) == [1, 7]  # untriaged over 5 days, oldest first
    first = new.rows[0]
    assert digest.permalink(first.channel_id, first.ts) == f"{URL}archives/C_INTAKE/p1700000000000003"
    assert not digest.is_quiet


async def seed_roadmap(db: Database) -> None:
    await name_approvers(db, ["U_ALICE", "U_BOB", "U_CAROL"])
    async with db.transaction() as session:
        await add_proposal(
            session, 1, NOW - 4 * DAY, status="approved", decided_at=NOW - 2 * DAY, with_item=True
        )
        await add_proposal(session, 2, NOW - 3 * DAY, status="rejected", decided_at=NOW - DAY)
        await add_proposal(session, 3, NOW - 10 * DAY, status="approved", decided_at=NOW - 9 * DAY)
        await add_proposal(session, 4, NOW - 5 * DAY, votes=(("U_BOB", "approve"),), title="<!channel> now")
        await add_proposal(session, 5, NOW - DAY)
        await add_proposal(session, 6, NOW - 2 * DAY, status="withdrawn", decided_at=NOW - DAY)
        await add_proposal(session, 1, NOW - 6 * DAY, team_id=OTHER_TEAM)


async def test_roadmap_changes_decided_and_pending_with_missing_votes(
    db: Database, service: DigestContentService
) -> None:
    await seed_roadmap(db)

    digest = await service.build(window())

    assert numbers(digest, DigestList.APPROVED) == [1]
    assert numbers(digest, DigestList.REJECTED) == [2]
    assert numbers(digest, DigestList.PENDING) == [4, 5]  # oldest first
    assert numbers(digest, DigestList.STUCK_APPROVALS) == [4]  # pending over 3 days
    oldest = digest.listed(DigestList.PENDING).rows[0]
    assert oldest.approved_by == ("U_BOB",) and oldest.waiting_for == ("U_CAROL",)  # never the proposer
    assert oldest.row.title == "<!channel> now"  # raw here; the view escapes it
    approved = digest.listed(DigestList.APPROVED).rows[0].row
    assert approved.title == "Item 1" and approved.item_number == 1
    link = digest.permalink(approved.channel_id, approved.ts)
    assert link == f"{URL}archives/C_APPROVALS/p1700000001000001"  # the channel's card, not a DM


async def seed_launches(db: Database) -> None:
    async with db.transaction() as session:
        await add_launch(
            session,
            1,
            TODAY + 3 * DAY,
            items=((True, TODAY - 5 * DAY), (False, TODAY - DAY), (False, TODAY + DAY)),
        )
        await add_launch(session, 2, TODAY + 20 * DAY)  # beyond 14 days
        await add_launch(session, 3, TODAY - 2 * DAY, status="launched", launched_at=NOW - 2 * DAY)
        await add_launch(session, 4, TODAY - 10 * DAY, status="launched", launched_at=NOW - 10 * DAY)
        await add_launch(session, 5, TODAY + 14 * DAY, status="slipped")  # the last day counts
        await add_launch(session, 6, TODAY + 2 * DAY, status="cancelled")
        await add_launch(session, 1, TODAY + DAY, team_id=OTHER_TEAM)


async def test_launches_coming_up_with_progress_and_shipped(
    db: Database, service: DigestContentService
) -> None:
    await seed_launches(db)

    digest = await service.build(window())

    assert numbers(digest, DigestList.UPCOMING) == [1, 5]
    assert numbers(digest, DigestList.SHIPPED) == [3]
    first = digest.listed(DigestList.UPCOMING).rows[0]
    assert (first.row.items, first.row.done, first.row.overdue) == (3, 1, 1)
    assert [item.title for item in first.overdue_items] == ["Item 1 of Launch 1"]
    assert (
        digest.permalink(first.row.channel_id, first.row.ts) == f"{URL}archives/C_LAUNCHES/p1700000002000001"
    )


async def test_a_window_with_nothing_in_it_is_a_quiet_week(
    db: Database, service: DigestContentService
) -> None:
    async with db.transaction() as session:
        old = await add_request(session, 1, WEEK_AGO - 2 * DAY, status="accepted")
        session.add(triaged(old, "accepted", WEEK_AGO - DAY))
        await add_launch(session, 1, TODAY + 30 * DAY)

    digest = await service.build(window())
    other = await service.build(window(OTHER_TEAM))

    assert digest.is_quiet and other.is_quiet
    assert all(listed.total == 0 for listed in digest.lists.values())


async def test_only_the_sections_asked_for_are_read(db: Database, service: DigestContentService) -> None:
    await seed_requests(db)
    await seed_roadmap(db)

    digest = await service.build(window(sections=["roadmap"]))

    assert set(digest.lists) == {DigestList.APPROVED, DigestList.REJECTED, DigestList.PENDING}
    assert digest.sections == ("roadmap",)


async def test_a_page_of_a_list_goes_past_what_the_message_shows(
    db: Database, service: DigestContentService
) -> None:
    async with db.transaction() as session:
        for number in range(1, 46):
            await add_request(session, number, NOW - timedelta(minutes=number))

    first = await service.page(window(), DigestList.NEW, page=0, per_page=40)
    last = await service.page(window(), DigestList.NEW, page=1, per_page=40)

    assert (len(first.listed.rows), first.listed.total) == (40, 45)
    assert [row.number for row in last.listed.rows] == [5, 4, 3, 2, 1]  # same impact and +1s: newest first


@pytest.fixture
def counted(db: Database) -> list[str]:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(db.read_engine.sync_engine, "before_cursor_execute", count)
    return statements


async def seed_more(db: Database, start: int, count: int) -> None:
    async with db.transaction() as session:
        for n in range(start, start + count):
            request = await add_request(session, n, NOW - timedelta(hours=1 + n % 150), upvotes=n % 3)
            session.add(triaged(request, "accepted", NOW - timedelta(hours=n % 100)))
            await add_proposal(session, n, NOW - timedelta(hours=n % 150), votes=(("U_BOB", "approve"),))
            await add_launch(session, n, TODAY + timedelta(days=n % 14), items=((False, TODAY - DAY),) * 3)


async def test_the_digest_costs_the_same_statements_for_more_data(
    db: Database, service: DigestContentService, counted: list[str]
) -> None:
    await name_approvers(db, ["U_BOB", "U_CAROL"])
    await seed_more(db, 1, 3)
    await service.build(window())  # warm: the first use of a pooled connection may say more
    counted.clear()

    small = await service.build(window())
    few = list(counted)
    await seed_more(db, 100, 120)
    counted.clear()
    large = await service.build(window())

    selects = [statement for statement in counted if statement.lstrip().startswith(("SELECT", "WITH", "("))]
    assert len(counted) == len(few) and len(selects) == 12  # 9 lists, approvers, votes, overdue items
    assert small.listed(DigestList.NEW).total == 3 and large.listed(DigestList.NEW).total == 123
    assert len(large.listed(DigestList.NEW).rows) == 10 and large.listed(DigestList.UPCOMING).total == 123
