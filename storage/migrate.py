"""Alembic, configured in code so the installed package migrates without an alembic.ini."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text

from storage.db import Database

MIGRATIONS = Path(__file__).parent / "migrations"
# Any constant will do; replicas starting together take turns on it in PostgreSQL.
MIGRATION_LOCK_KEY = 7_201_331


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config for pmbot's migrations, bound to `connection` if given."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


async def upgrade_to_head(db: Database) -> None:
    """Apply every migration not yet applied (several replicas may call this at once)."""
    async with db.write_engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Migrations may wait for another replica's and may rewrite tables: no session bounds.
            await connection.execute(text("SET LOCAL lock_timeout = 0"))
            await connection.execute(text("SET LOCAL statement_timeout = 0"))
            await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), "head"))


async def current_revision(db: Database) -> str | None:
    """The revision the database is at, or None before the first migration."""
    async with db.write_engine.connect() as connection:
        return await connection.run_sync(lambda sync: MigrationContext.configure(sync).get_current_revision())


def head_revision() -> str | None:
    """The newest revision in the migrations folder."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
