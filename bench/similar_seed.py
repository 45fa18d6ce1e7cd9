"""Seeds a workspace for the similar-requests benchmark: the pairs' originals among unrelated titles."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, text

from bench.similar_corpus import pairs, unrelated_titles
from storage.db import Database
from storage.models import Request, RequestStatus, RequestUpvote

TEAM = "T_SIMILAR"
OTHER_TEAM = "T_OTHER"  # holds every paraphrase word for word: none may ever be suggested
BATCH = 2000
OPEN = [RequestStatus.NEW, RequestStatus.ACCEPTED, RequestStatus.PLANNED, RequestStatus.IN_PROGRESS]


@dataclass(frozen=True)
class Seeded:
    """What was stored: the REQ number of each pair's original, by pair index."""

    originals: dict[int, int]
    total: int


async def seed(db: Database, size: int, now: datetime) -> Seeded:
    """`size` requests in TEAM (every original, the rest unrelated) and the paraphrases in OTHER_TEAM."""
    chosen = pairs()
    rng = random.Random(size)
    titles = [pair.original for pair in chosen] + unrelated_titles(max(size - len(chosen), 0))
    rng.shuffle(titles)
    number_of = {title: number for number, title in enumerate(titles, start=1)}
    rows = [_row(TEAM, number, title, _status(rng), now, rng) for number, title in enumerate(titles, start=1)]
    originals = {index: number_of[pair.original] for index, pair in enumerate(chosen)}
    for number in originals.values():  # an original is findable: open, or closed lately
        rows[number - 1].update(_findable(rng, now))
    rows += [
        _row(OTHER_TEAM, n, pair.paraphrase, RequestStatus.NEW, now, rng) for n, pair in enumerate(chosen, 1)
    ]
    async with db.transaction() as session:
        for start in range(0, len(rows), BATCH):
            await session.execute(insert(Request), rows[start : start + BATCH])
    await _upvote_originals(db, originals, rng, now)
    await _analyze(db)
    return Seeded(originals=originals, total=len(titles))


def _row(
    team: str, number: int, title: str, status: RequestStatus, now: datetime, rng: random.Random
) -> dict[str, Any]:
    days = 400 if status == RequestStatus.DONE and rng.random() < 0.5 else rng.randint(0, 80)
    return {
        "team_id": team,
        "number": number,
        "title": title,
        "description": "",
        "status": status,
        "requester_id": f"U{rng.randint(1, 400):04d}",
        "filed_by_id": "U0001",
        "created_at": now - timedelta(days=days + 5),
        "updated_at": now - timedelta(days=days),
    }


def _status(rng: random.Random) -> RequestStatus:
    roll = rng.random()
    if roll < 0.65:
        return rng.choice(OPEN)
    if roll < 0.80:
        return RequestStatus.DONE
    if roll < 0.92:
        return RequestStatus.DECLINED
    return RequestStatus.DUPLICATE


def _findable(rng: random.Random, now: datetime) -> dict[str, Any]:
    roll = rng.random()
    status = rng.choice(OPEN) if roll < 0.8 else RequestStatus.DONE if roll < 0.9 else RequestStatus.DECLINED
    return {"status": status, "updated_at": now - timedelta(days=rng.randint(0, 60))}


async def _analyze(db: Database) -> None:
    # What PostgreSQL's autovacuum does soon after a bulk load: without statistics its planner
    # filters the whole workspace by team instead of using the GIN index.
    if db.is_sqlite:
        return
    async with db.write_engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text("ANALYZE request"))


async def _upvote_originals(
    db: Database, originals: dict[int, int], rng: random.Random, now: datetime
) -> None:
    wanted = select(Request.number, Request.id).where(
        Request.team_id == TEAM, Request.number.in_(list(originals.values()))
    )
    async with db.transaction() as session:
        ids = {number: row_id for number, row_id in (await session.execute(wanted)).all()}
        votes = [
            {"request_id": ids[number], "user_id": f"U{voter:04d}", "team_id": TEAM, "created_at": now}
            for number in originals.values()
            for voter in range(rng.randint(0, 6))
        ]
        if votes:
            await session.execute(insert(RequestUpvote), votes)
