"""Frequent words are left out of the database's match (they made it rank a third of a large
workspace); the rare words still find the request, and the re-scoring still reads every word.
SQLite (FTS5 counts) and PostgreSQL (the planner's lexeme statistics, after ANALYZE)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, text

from bot.services.requests.matching import (
    affordable_pairs,
    affordable_terms,
    search_terms,
    within_budget,
    word_groups,
)
from bot.services.requests.similar import SimilarRequests
from bot.services.requests.wording import concepts
from storage.db import Database
from storage.models import Request, RequestStatus
from storage.search.frequency import term_frequencies
from storage.search.queries import SearchTerm
from storage.writer import Writer
from tests.harness import FakeClock

TEAM = "T_FREQ"
FILLERS = 300  # every one says "team"
NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    titles = [f"Team filler number {n} for the team page" for n in range(FILLERS)]
    titles += ["Assign a color to each team member's avatar", "Burndown chart per sprint"]
    rows = [_row(number, title) for number, title in enumerate(titles, start=1)]
    async with database.transaction() as session:
        await session.execute(insert(Request), rows)
    if not database.is_sqlite:  # what autovacuum does after a bulk load: the lexeme statistics
        async with database.write_engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text("ANALYZE request"))
    yield database
    await database.dispose()


def _row(number: int, title: str) -> dict[str, object]:
    return {
        "team_id": TEAM,
        "number": number,
        "title": title,
        "description": "",
        "status": RequestStatus.NEW,
        "requester_id": "U1",
        "filed_by_id": "U1",
        "created_at": NOW - timedelta(days=2),
        "updated_at": NOW - timedelta(days=1),
    }


async def test_the_database_says_how_often_each_term_occurs(db: Database) -> None:
    team, avatar, nothing, prefix = (
        SearchTerm("team"),
        SearchTerm("avatar"),
        SearchTerm("zebra"),
        SearchTerm("burnd", prefix=True),
    )
    async with db.read() as session:
        counted = await term_frequencies(session, [team, avatar, nothing, prefix, SearchTerm("no-word")])

    assert counted[team] >= FILLERS * 0.9  # PostgreSQL's is an estimate from a sample
    assert counted[avatar] <= 5 and counted[nothing] == 0 and counted[prefix] <= 5
    assert SearchTerm("no-word") not in counted  # only bare words are ever put to the database


async def test_two_frequent_words_are_not_asked_together_and_rare_pairs_still_find_it(db: Database) -> None:
    similar = SimilarRequests(db, Writer(db), FakeClock(NOW), match_budget=50)
    typed = "pick a colour for every team avatar in the filler list"
    async with db.read() as session:
        asked = await affordable_pairs(session, word_groups(concepts(typed)), 50)

    found = await similar.find(TEAM, typed)

    pairs = [{group[0].word for group in clause} for clause in asked]
    assert {"team", "filler"} not in pairs  # 300 rows each: left to the re-scoring
    assert {"colour", "avatar"} in pairs and {"team", "avatar"} in pairs
    assert [suggestion.title for suggestion in found] == ["Assign a color to each team member's avatar"]


async def test_a_frequent_word_is_left_out_of_request_search(db: Database) -> None:
    async with db.read() as session:
        kept = await affordable_terms(session, search_terms(concepts("team avatar")), 50)

    assert "team" not in {term.word for term in kept} and "avatar" in {term.word for term in kept}


async def test_hostile_text_is_counted_as_bare_words(db: Database) -> None:
    similar = SimilarRequests(db, Writer(db), FakeClock(NOW), match_budget=50)

    found = await similar.find(TEAM, "avatar\" OR * NEAR(team) color:* ' ; DROP TABLE request; --")

    assert [suggestion.number for suggestion in found] == [FILLERS + 1]


async def test_two_typed_words_are_one_pair_asked_without_counting(db: Database) -> None:
    groups = word_groups(concepts("team filler"))
    async with db.read() as session:
        asked = await affordable_pairs(session, groups, 1)

    assert asked == [(groups[0], groups[1])]


def test_the_budget_keeps_the_rarest_terms_and_always_one() -> None:
    a, b, c = SearchTerm("a1"), SearchTerm("b1"), SearchTerm("c1")
    counts = {a: 900, b: 10, c: 40}
    assert within_budget([a, b, c], counts, 60) == [b, c]
    assert within_budget([a, b, c], counts, 20) == [b]
    assert within_budget([a], counts, 20) == [a]
    assert within_budget([a, b, c], counts, 10_000) == [a, b, c]
