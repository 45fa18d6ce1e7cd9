"""Fresh, migrated databases for tests: SQLite files and PostgreSQL databases cloned from a template."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import asyncpg

from storage.db import Database
from storage.migrate import upgrade_to_head

POSTGRES_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"


async def migrate(url: str) -> None:
    """Bring the database at `url` to the newest schema."""
    db = Database(url)
    try:
        await upgrade_to_head(db)
    finally:
        await db.dispose()


async def make_sqlite_template(folder: Path) -> Path:
    """A migrated SQLite file to copy for each test."""
    path = folder / "template.db"
    await migrate(f"sqlite+aiosqlite:///{path}")
    return path


def clone_sqlite(template: Path, folder: Path) -> str:
    """A fresh copy of the template; returns its URL."""
    path = folder / f"pmbot-{uuid.uuid4().hex[:8]}.db"
    shutil.copy(template, path)
    return f"sqlite+aiosqlite:///{path}"


async def make_postgres_template() -> str:
    """A migrated PostgreSQL database to clone for each test; returns its name."""
    name = f"pmbot_tpl_{uuid.uuid4().hex[:10]}"
    await _admin(f'CREATE DATABASE "{name}"')
    await migrate(POSTGRES_URL.format(name=name))
    return name


async def clone_postgres(template: str) -> tuple[str, str]:
    """A fresh database cloned from the template; returns (name, URL)."""
    name = f"pmbot_t_{uuid.uuid4().hex[:10]}"
    await _admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return name, POSTGRES_URL.format(name=name)


async def drop_postgres(name: str) -> None:
    """Drop a test database, closing whatever still holds it."""
    await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _admin(statement: str) -> None:
    connection = await asyncpg.connect(POSTGRES_ADMIN_DSN)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()
