"""Steps for the answer-path tests: lock the database from outside, read the inbox, wait for it."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import httpx
from sqlalchemy import func, select

from storage import requests as queries
from storage.models import InboxEntry, InboxStatus, Request
from tests.harness import Harness

TEAM = "T_TEST"
LOCK_SECONDS = 5.0
ANSWER_LIMIT = 2.5


@asynccontextmanager
async def table_locked(database_url: str) -> AsyncIterator[None]:
    """The request table locked by another connection, as a long migration or a stuck job would:
    SQLite `BEGIN EXCLUSIVE` (the whole file), PostgreSQL `LOCK TABLE request` (that table)."""
    if database_url.startswith("sqlite"):
        connection = sqlite3.connect(database_url.split(":///", 1)[1], isolation_level=None, timeout=0.2)
        await eventually(lambda: _begin_exclusive(connection))
        try:
            yield
        finally:
            connection.execute("ROLLBACK")
            connection.close()
        return
    pg = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://"))
    transaction = pg.transaction()
    await transaction.start()
    await pg.execute("LOCK TABLE request IN ACCESS EXCLUSIVE MODE")
    try:
        yield
    finally:
        await transaction.rollback()
        await pg.close()


async def _begin_exclusive(connection: sqlite3.Connection) -> bool:
    # pmbot's own short writes (the outbox, the inbox) may hold the file for a moment.
    try:
        connection.execute("BEGIN EXCLUSIVE")
    except sqlite3.OperationalError:
        return False
    return True


async def timed(send: Awaitable[httpx.Response]) -> tuple[httpx.Response, float]:
    """The response and how long it took to come."""
    started = time.monotonic()
    response = await send
    return response, time.monotonic() - started


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 20.0) -> None:  # noqa: ASYNC109
    """Await `check()`; the inbox is written by its own writer, so look again every 50 ms."""
    async with asyncio.timeout(timeout):
        while not await check():  # noqa: ASYNC110 (no event to await across two writers)
            await asyncio.sleep(0.05)


async def inbox_settled(pmbot: Harness) -> None:
    """Every recorded interaction finished (done or failed), and every outbox job delivered."""

    async def quiet() -> bool:
        async with pmbot.services.db.read() as session:
            unfinished = await session.scalar(
                select(func.count())
                .select_from(InboxEntry)
                .where(InboxEntry.status.in_((InboxStatus.PENDING, InboxStatus.APPLIED)))
            )
        return unfinished == 0

    await eventually(quiet)
    await pmbot.settled()


async def requests_titled(pmbot: Harness, title: str) -> list[Request]:
    async with pmbot.services.db.read() as session:
        found = await session.execute(select(Request).where(Request.team_id == TEAM, Request.title == title))
        return list(found.scalars())


async def request_count(pmbot: Harness) -> int:
    async with pmbot.services.db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(Request)) or 0)


async def status_of(pmbot: Harness, number: int) -> str:
    async with pmbot.services.db.read() as session:
        request = await queries.get_request(session, TEAM, number)
    assert request is not None
    return str(request.status)


def said_to(pmbot: Harness, name: str) -> list[str]:
    """What pmbot posted to the fake response_url called `name`."""
    return [
        str(call.params.get("text", ""))
        for call in pmbot.fake.calls_to("response_url")
        if call.params.get("name") == name
    ]


def body_of(response: httpx.Response) -> dict[str, Any]:
    """An ack's body: JSON, or a plain text answer as {"text": ...}."""
    if response.headers.get("content-type", "").startswith("application/json"):
        return response.json()
    return {"text": response.text} if response.text else {}
