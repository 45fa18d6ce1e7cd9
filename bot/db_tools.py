"""Database chores for the command line: is there a pmbot database at all, and backing it up."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from bot.startup import sqlite_path
from storage.db import Database
from storage.migrate import current_revision

BACKUP_PAGES_PER_STEP = 1024  # copy in steps, so writers are held up only briefly between them


class NoDatabase(Exception):
    """There is no pmbot database where DATABASE_URL points (or it has no tables yet)."""


def require_sqlite_file(database_url: str) -> None:
    """Refuse a SQLite database that does not exist, rather than create an empty one."""
    path = sqlite_path(database_url)
    if path is not None and not path.exists():
        raise NoDatabase(
            f"there is no database at {path} yet (DATABASE_URL): `pmbot serve` or `pmbot db upgrade` "
            "creates it, or point DATABASE_URL at an existing one"
        )


async def require_schema(db: Database) -> None:
    """Refuse a database pmbot never migrated: there is nothing in it to read."""
    if await current_revision(db) is None:
        raise NoDatabase(
            "the database has no pmbot tables yet: `pmbot db upgrade` (or `pmbot serve`) creates them"
        )


def backup_sqlite(database_url: str, target: Path) -> int:
    """Copy a live SQLite database to `target` with SQLite's online backup API; return its size."""
    source_path = sqlite_path(database_url)
    if source_path is None:
        raise NoDatabase(
            "`pmbot db backup` copies SQLite databases; for PostgreSQL use pg_dump "
            '(e.g. `pg_dump --format=custom --file=pmbot.dump "$DATABASE_URL"`)'
        )
    require_sqlite_file(database_url)
    if target.exists():
        raise NoDatabase(f"{target} exists already; give a new file name")
    with (
        contextlib.closing(sqlite3.connect(source_path)) as source,
        contextlib.closing(sqlite3.connect(target)) as copy,
    ):
        source.backup(copy, pages=BACKUP_PAGES_PER_STEP)
    return target.stat().st_size
