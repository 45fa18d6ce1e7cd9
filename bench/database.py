"""The benchmark's databases: a fresh SQLite file per run, or a PostgreSQL database it creates and drops."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from sqlalchemy import func, select

from bot.config import normalise_database_url
from storage import outbox
from storage.db import Database
from storage.migrate import upgrade_to_head
from storage.models import JobStatus, OutboxJob, Request
from storage.workspaces import set_intake_channel

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def check_postgres_server(url: str) -> str:
    """Refuse anything but a PostgreSQL URL on loopback; return it."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres", "postgresql+asyncpg"):
        raise SystemExit("--database-url must be a postgresql:// URL (SQLite is the default)")
    if parts.hostname not in LOOPBACK_HOSTS:
        raise SystemExit("--database-url must point at a loopback address (127.0.0.1)")
    return url


@asynccontextmanager
async def fresh_database(workdir: Path, postgres_server: str | None, label: str) -> AsyncIterator[str]:
    """A database URL nothing else uses: a new SQLite file, or a new PostgreSQL database, dropped after."""
    if postgres_server is None:
        yield f"sqlite+aiosqlite:///{workdir / 'pmbot.db'}"
        return
    parts = urlsplit(postgres_server.replace("postgresql+asyncpg://", "postgresql://", 1))
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/" + (parts.path.strip("/") or "postgres")))
    name = f"pmbot_bench_{os.getpid()}_{label}"
    connection = await asyncpg.connect(admin)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}"')
        try:
            yield urlunsplit(parts._replace(scheme="postgresql", path="/" + name))
        finally:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


async def prepare(url: str, team_id: str, intake_channel: str) -> None:
    """Migrate, then set the workspace's intake channel through the storage functions."""
    db = Database(normalise_database_url(url))
    try:
        await upgrade_to_head(db)
        async with db.transaction() as session:
            await set_intake_channel(session, team_id, intake_channel)
    finally:
        await db.dispose()


class Reader:
    """Read-only looks at the database while (or after) the server writes it."""

    def __init__(self, url: str) -> None:
        self._db = Database(normalise_database_url(url))

    async def stored_numbers(self, team_id: str) -> set[int]:
        """The REQ numbers stored for the workspace."""
        async with self._db.read() as session:
            rows = await session.execute(select(Request.number).where(Request.team_id == team_id))
            return set(rows.scalars())

    async def outbox_counts(self) -> tuple[int, int]:
        """(jobs still pending, jobs given up)."""
        async with self._db.read() as session:
            pending = await outbox.count_unfinished(session)
            failed = await session.execute(
                select(func.count()).select_from(OutboxJob).where(OutboxJob.status == JobStatus.FAILED)
            )
            return pending, int(failed.scalar_one())

    async def close(self) -> None:
        """Close the connections."""
        await self._db.dispose()
