"""The migrations: from an empty database to head, matching the models, safe to repeat and to race."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect, select
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (every table on SQLModel.metadata)
from storage.db import Database
from storage.migrate import current_revision, head_revision, upgrade_to_head
from storage.models import Workspace
from storage.search.schema import include_object, is_search_table
from tests.empty_databases import KINDS, empty_database


@pytest.fixture(params=KINDS)
async def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    async with empty_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
async def empty_db(empty_url: str) -> AsyncIterator[Database]:
    db = Database(empty_url)
    yield db
    await db.dispose()


def differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_object": include_object}
    )
    return compare_metadata(context, SQLModel.metadata)


def table_names(connection: Connection) -> set[str]:
    return {name for name in inspect(connection).get_table_names() if not is_search_table(name)}


async def test_an_empty_database_upgrades_to_head(empty_db: Database) -> None:
    assert head_revision() is not None
    assert await current_revision(empty_db) is None

    await upgrade_to_head(empty_db)

    assert await current_revision(empty_db) == head_revision()
    async with empty_db.read_engine.connect() as connection:
        tables = await connection.run_sync(table_names)
    assert set(SQLModel.metadata.tables) | {"alembic_version"} == tables


async def test_the_migrated_schema_matches_the_models(empty_db: Database) -> None:
    await upgrade_to_head(empty_db)

    async with empty_db.write_engine.connect() as connection:
        found = await connection.run_sync(differences)

    assert found == [], "the models changed without a migration (run alembic autogenerate):\n" + "\n".join(
        map(str, found)
    )


async def test_upgrading_twice_is_harmless_and_keeps_the_data(empty_db: Database) -> None:
    await upgrade_to_head(empty_db)
    async with empty_db.transaction() as session:
        session.add(Workspace(team_id="T_KEEP", last_request_number=7))

    await upgrade_to_head(empty_db)

    assert await current_revision(empty_db) == head_revision()
    async with empty_db.read() as session:
        kept = (await session.execute(select(Workspace.team_id, Workspace.last_request_number))).all()
    assert kept == [("T_KEEP", 7)]


async def test_two_replicas_upgrading_one_fresh_postgres_at_once_both_succeed(tmp_path: Path) -> None:
    async with empty_database("postgres", tmp_path) as url:
        replicas = [Database(url) for _ in range(2)]
        try:
            # Without the advisory lock the two CREATE TABLEs block each other: a deadline, not a hang.
            async with asyncio.timeout(30):
                results = await asyncio.gather(
                    *(upgrade_to_head(db) for db in replicas), return_exceptions=True
                )
            assert results == [None, None]
            assert [await current_revision(db) for db in replicas] == [head_revision()] * 2
            async with replicas[0].write_engine.connect() as connection:
                assert await connection.run_sync(differences) == []
        finally:
            for db in replicas:
                await db.dispose()
