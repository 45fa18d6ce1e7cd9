"""Engines and sessions for SQLite (embedded) and PostgreSQL (production, several replicas)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

SQLITE_BUSY_TIMEOUT_MS = 5000
SQLITE_READ_POOL_SIZE = 4
POSTGRES_POOL_SIZE = 10


class Database:
    """The store: a write engine for the single writer, a read engine for everyone else.

    On SQLite one connection writes (SQLite admits one writer at a time) and opens its
    transactions with BEGIN IMMEDIATE, so a read-then-write never fails with `database is
    locked`; readers use WAL snapshots beside it. On PostgreSQL both are one pooled engine.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            self.write_engine = _sqlite_engine(url, pool_size=1, begin="BEGIN IMMEDIATE")
            self.read_engine = _sqlite_engine(url, pool_size=SQLITE_READ_POOL_SIZE, begin="BEGIN")
        else:
            self.write_engine = create_async_engine(
                url, pool_size=POSTGRES_POOL_SIZE, max_overflow=5, pool_pre_ping=False
            )
            self.read_engine = self.write_engine
        self._write_sessions = async_sessionmaker(self.write_engine, expire_on_commit=False)
        self._read_sessions = async_sessionmaker(self.read_engine, expire_on_commit=False)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A session for queries; it never commits."""
        async with self._read_sessions() as session:
            yield session

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A write transaction, committed when the block ends without an error."""
        async with self._write_sessions() as session, session.begin():
            yield session

    async def ping(self) -> None:
        """Raise unless the database answers a trivial query."""
        async with self.read_engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            await self.read_engine.dispose()


def _sqlite_engine(url: str, *, pool_size: int, begin: str) -> AsyncEngine:
    engine = create_async_engine(url, pool_size=pool_size, max_overflow=0)
    _take_over_sqlite_transactions(engine.sync_engine, begin)
    return engine


def _take_over_sqlite_transactions(engine: Engine, begin: str) -> None:
    # The sqlite3 module's own transaction handling breaks SAVEPOINT and cannot say
    # BEGIN IMMEDIATE; SQLAlchemy's documented recipe is to switch it off and begin ourselves.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)
