"""One statement that finds a workspace's requests matching any of some words, best first.

SQLite ranks with FTS5's `rank` column, bm25 with a title word counting 4 description words (set
by the migration); PostgreSQL with
`ts_rank` over the weighted `search_vector` (title A, description B). Terms are single words made
only of letters and digits, checked here again, and every one is quoted, so nothing typed can
become FTS5 or tsquery syntax (`"`, `*`, `NEAR`, `AND`, `-`, `!`, `:`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, literal_column, or_, select, table
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Request, RequestStatus, RequestUpvote
from storage.search.schema import FTS_TABLE, SEARCH_VECTOR

WORD = re.compile(r"[^\W_]+")
TSQUERY = re.compile(r"[^\W_]+(:\*)?( \| [^\W_]+(:\*)?)*")
CLOSED = (RequestStatus.DONE, RequestStatus.DECLINED)


@dataclass(frozen=True)
class SearchTerm:
    """One word of a search; `prefix` also matches longer words that start with it."""

    word: str
    prefix: bool = False


@dataclass(frozen=True)
class Candidate:
    """A matching request, with what the suggestion shows and its database rank (higher is better)."""

    number: int
    title: str
    description: str
    status: RequestStatus
    upvotes: int
    rank: float


async def find_candidates(
    session: AsyncSession,
    team_id: str,
    terms: Sequence[SearchTerm],
    *,
    closed_since: datetime,
    exclude_number: int | None = None,
    before_number: int | None = None,
    limit: int,
) -> list[Candidate]:
    """Open requests and those closed since `closed_since` matching any term; never duplicates."""
    safe = [term for term in terms if WORD.fullmatch(term.word)]
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


def _sqlite_match(terms: Sequence[SearchTerm]) -> Match:
    query = " OR ".join(f'"{term.word}"' + ("*" if term.prefix else "") for term in terms)
    match = literal_column(FTS_TABLE).op("MATCH")(query)
    fts_rank = literal_column(f"{FTS_TABLE}.rank")
    # bm25 is lower for better matches; negated so that both databases say "higher is better".
    return match, -fts_rank, fts_rank.asc()


def _postgres_match(terms: Sequence[SearchTerm]) -> Match:
    # Written into the statement, not bound: with a bound tsquery, PostgreSQL soon switches the
    # prepared statement to a generic plan that cannot judge the match's selectivity and filters
    # the whole workspace row by row. Safe: terms are bare letters and digits (checked above).
    query = " | ".join(term.word + (":*" if term.prefix else "") for term in terms)
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
        upvotes=int(row.upvotes),
        rank=float(row.rank),
    )
