"""Empty databases (no schema at all), for tests of the migrations and of `pmbot db upgrade`."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg

from tests import databases

KINDS = ("sqlite", "postgres")


@asynccontextmanager
async def empty_database(kind: str, folder: Path) -> AsyncIterator[str]:
    """The URL of a database that exists but holds nothing (SQLite: a file not yet created)."""
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{folder / f'empty-{uuid.uuid4().hex[:8]}.db'}"
        return
    name = f"pmbot_e_{uuid.uuid4().hex[:10]}"
    connection = await asyncpg.connect(databases.POSTGRES_ADMIN_DSN)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    try:
        yield databases.POSTGRES_URL.format(name=name)
    finally:
        await databases.drop_postgres(name)
