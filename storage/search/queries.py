"""One statement that finds a workspace's requests matching some words, best first.

The match is an OR of clauses, each an AND of groups, each an OR of terms:
`(export OR download) AND (roadmap OR plan) OR ...`; a plain OR of words is one clause of one group.

SQLite ranks with FTS5's `rank` column, bm25 with a title word counting 4 description words (set
by the migration); PostgreSQL with
`ts_rank` over the weighted `search_vector` (title A, description B). Terms are single words made
only of letters and digits, checked here again, and every one is quoted, so nothing typed can
become FTS5 or tsquery syntax (`"`, `*`, `NEAR`, `AND`, `-`, `!`, `:`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, literal_column, or_, select, table
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Request, RequestStatus, RequestUpvote
from storage.search.schema import FTS_TABLE, SEARCH_VECTOR

WORD = re.compile(r"[^\W_]+")
TSQUERY = re.compile(r"(?:[^\W_]|[ ()|&:*])+")  # bare words, grouping and operators: no quote, no backslash
CLOSED = (RequestStatus.DONE, RequestStatus.DECLINED)


@dataclass(frozen=True)
class SearchTerm:
    """One word of a search; `prefix` also matches longer words that start with it."""

    word: str
    prefix: bool = False


Group = tuple[SearchTerm, ...]  # any of these terms
Clause = tuple[Group, ...]  # every one of these groups


def any_of(terms: Sequence[SearchTerm]) -> list[Clause]:
    """The clauses of a plain OR of terms."""
    return [(tuple(terms),)] if terms else []


@dataclass(frozen=True)
class Candidate:
    """A matching request, with what the suggestion shows and its database rank (higher is better)."""

    number: int
    title: str
    description: str
    status: RequestStatus
    requester_id: str
    upvotes: int
    rank: float


async def find_candidates(
    session: AsyncSession,
    team_id: str,
    clauses: Sequence[Clause],
    *,
    closed_since: datetime,
    exclude_number: int | None = None,
    before_number: int | None = None,
    limit: int,
) -> list[Candidate]:
    """Open requests and those closed since `closed_since` matching any clause; never duplicates."""
    safe = _bare_words_only(clauses)
    if not safe:
        return []
    sqlite = session.bind.dialect.name == "sqlite"
    match, rank, best_first = _sqlite_match(safe) if sqlite else _postgres_match(safe)
    found = select(Request.id, rank.label("rank")).where(
        match,
        Request.team_id == team_id,
        Request.status != RequestStatus.DUPLICATE,
        or_(Request.status.not_in(CLOSED), Request.updated_at >= closed_since),
    )
    if exclude_number is not None:
        found = found.where(Request.number != exclude_number)
    if before_number is not None:
        found = found.where(Request.number < before_number)
    if sqlite:
        found = found.join_from(Request, _fts_table(), literal_column(f"{FTS_TABLE}.rowid") == Request.id)
    best = found.order_by(best_first).limit(limit).subquery()
    rows = await session.execute(_with_details(best, team_id))
    return [_candidate(row) for row in rows]


def _with_details(best: Any, team_id: str) -> Select[Any]:
    upvotes = (
        select(func.count())
        .where(RequestUpvote.team_id == team_id, RequestUpvote.request_id == Request.id)
        .scalar_subquery()
    )
    return (
        select(
            Request.number,
            Request.title,
            Request.description,
            Request.status,
            Request.requester_id,
            upvotes.label("upvotes"),
            best.c.rank,
        )
        .join(best, best.c.id == Request.id)
        .where(Request.team_id == team_id)
        .order_by(best.c.rank.desc())
    )


def _fts_table() -> Any:
    return table(FTS_TABLE)


Match = tuple[ColumnElement[bool], ColumnElement[float], ColumnElement[Any]]


def _bare_words_only(clauses: Sequence[Clause]) -> list[Clause]:
    """Clauses whose every group keeps at least one bare-word term (others are dropped)."""
    kept = []
    for clause in clauses:
        groups = tuple(tuple(term for term in group if WORD.fullmatch(term.word)) for group in clause)
        if groups and all(groups):
            kept.append(groups)
    return kept


def _render(clauses: Sequence[Clause], word: Callable[[SearchTerm], str], any_: str, every: str) -> str:
    return any_.join(
        "(" + every.join("(" + any_.join(word(term) for term in group) + ")" for group in clause) + ")"
        for clause in clauses
    )


def _sqlite_match(clauses: Sequence[Clause]) -> Match:
    query = _render(clauses, lambda term: f'"{term.word}"' + ("*" if term.prefix else ""), " OR ", " AND ")
    match = literal_column(FTS_TABLE).op("MATCH")(query)
    fts_rank = literal_column(f"{FTS_TABLE}.rank")
    # bm25 is lower for better matches; negated so that both databases say "higher is better".
    return match, -fts_rank, fts_rank.asc()


def _postgres_match(clauses: Sequence[Clause]) -> Match:
    # Written into the statement, not bound: with a bound tsquery, PostgreSQL soon switches the
    # prepared statement to a generic plan that cannot judge the match's selectivity and filters
    # the whole workspace row by row. Safe: terms are bare letters and digits (checked above).
    query = _render(clauses, lambda term: term.word + (":*" if term.prefix else ""), " | ", " & ")
    if not TSQUERY.fullmatch(query):
        raise ValueError("a search term is not a bare word")
    tsquery = func.to_tsquery(literal_column("'english'::regconfig"), literal_column(f"'{query}'"))
    vector = literal_column(f"request.{SEARCH_VECTOR}")
    rank = func.ts_rank(vector, tsquery)
    return vector.op("@@")(tsquery), rank, rank.desc()


def _candidate(row: Any) -> Candidate:
    return Candidate(
        number=row.number,
        title=row.title,
        description=row.description,
        status=RequestStatus(row.status),
        requester_id=row.requester_id,
        upvotes=int(row.upvotes),
        rank=float(row.rank),
    )
