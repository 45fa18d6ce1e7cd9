"""Stores every seeded request's sentence vector, as pmbot's background embedder would have.

The vectors come from the bench's cache of embedded titles (`bench.similar_vectors`): embedding
100k titles takes ~20 min on this machine, once. The rows are what `Embedder` writes (checked by
tests/test_similar_vectors.py); only the pace differs.
"""

from __future__ import annotations

from sqlalchemy import insert, select

from bench.similar_vectors import cached_vectors
from bot.services.requests.embedder import text_hash
from storage.db import Database
from storage.models import Request, RequestVector

BATCH = 2000


async def store_vectors(db: Database) -> None:
    """A vector row for every request lacking one."""
    async with db.read() as session:
        have = select(RequestVector.request_id)
        rows = (
            await session.execute(
                select(Request.id, Request.team_id, Request.title, Request.updated_at).where(
                    Request.id.not_in(have)
                )
            )
        ).all()
    vectors = cached_vectors([row.title for row in rows])
    values = [
        {
            "team_id": row.team_id,
            "request_id": row.id,
            "text_hash": text_hash(row.title),
            "source_updated_at": row.updated_at,
            "vector": vector.astype("<f4").tobytes(),
        }
        for row, vector in zip(rows, vectors, strict=True)
    ]
    async with db.transaction() as session:
        for start in range(0, len(values), BATCH):
            await session.execute(insert(RequestVector), values[start : start + BATCH])
