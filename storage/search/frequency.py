"""How many stored requests each search term would match, in one cheap statement.

The cost of a search is the number of rows the database must rank: a query holding "team" or
"user" matches a third of a large workspace. Knowing each term's document frequency first lets
the search leave the frequent ones out of the match (the re-scoring still reads them).

- SQLite: FTS5 counts one term's matches by walking its posting list, without ranking (a fraction
  of a millisecond for 20,000 rows): one scalar subquery per term.
- PostgreSQL: counting through the GIN index would visit the heap, so the planner's statistics
  are read instead: `ANALYZE` (autovacuum) keeps the most common lexemes of `search_vector` and the
  share of rows holding each in `pg_stats`; a lexeme not listed there is rarer than all of them
  and counts as 0 (so does every lexeme before the first ANALYZE: every pair is then asked).
  Terms are stemmed by PostgreSQL's own `english_stem`, as the search does.

Both count over every workspace of the install: the rows the database walks before the team
filter, which is what the search pays for.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

from storage.search.queries import WORD, SearchTerm
from storage.search.schema import FTS_TABLE, SEARCH_VECTOR

POSTGRES_FREQUENCIES = f"""
WITH terms AS (
    SELECT term.position, term.word, term.prefix
    FROM unnest(CAST(:words AS text[]), CAST(:prefixes AS boolean[]))
        WITH ORDINALITY AS term(word, prefix, position)
),
common AS (
    SELECT element.lexeme, element.share
    FROM pg_stats AS stats
    CROSS JOIN LATERAL unnest(
        CAST(CAST(stats.most_common_elems AS text) AS text[]), stats.most_common_elem_freqs
    ) AS element(lexeme, share)
    WHERE stats.schemaname = current_schema() AND stats.tablename = 'request'
      AND stats.attname = '{SEARCH_VECTOR}' AND element.lexeme IS NOT NULL
)
SELECT terms.position, coalesce(sum(common.share), 0) * (
    SELECT greatest(reltuples, 0) FROM pg_class WHERE oid = CAST('request' AS regclass)
) AS rows
FROM terms LEFT JOIN common ON CASE
    WHEN terms.prefix THEN common.lexeme LIKE terms.word || '%'
    ELSE common.lexeme = (ts_lexize('english_stem', terms.word))[1]
END
GROUP BY terms.position
"""


async def term_frequencies(session: AsyncSession, terms: Sequence[SearchTerm]) -> dict[SearchTerm, int]:
    """About how many requests (all workspaces) each term matches; bare words only are asked."""
    safe = [term for term in terms if WORD.fullmatch(term.word)]
    if not safe:
        return {}
    if session.bind.dialect.name == "sqlite":
        counts = await _sqlite_counts(session, safe)
    else:
        counts = await _postgres_counts(session, safe)
    return dict(zip(safe, counts, strict=True))


async def _sqlite_counts(session: AsyncSession, terms: Sequence[SearchTerm]) -> list[int]:
    subqueries = ", ".join(
        f"(SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :term{index})"
        for index in range(len(terms))
    )
    values = {f"term{index}": _fts_term(term) for index, term in enumerate(terms)}
    row = (await session.execute(text(f"SELECT {subqueries}"), values)).one()
    return [int(count) for count in row]


async def _postgres_counts(session: AsyncSession, terms: Sequence[SearchTerm]) -> list[int]:
    statement = text(POSTGRES_FREQUENCIES).bindparams(bindparam("words"), bindparam("prefixes"))
    values = {"words": [term.word.lower() for term in terms], "prefixes": [term.prefix for term in terms]}
    rows = {int(position): float(count) for position, count in await session.execute(statement, values)}
    return [round(rows.get(position, 0.0)) for position in range(1, len(terms) + 1)]


def _fts_term(term: SearchTerm) -> str:
    # Quoted (and checked to be a bare word by the caller): nothing typed becomes FTS5 syntax.
    return f'"{term.word}"' + ("*" if term.prefix else "")
