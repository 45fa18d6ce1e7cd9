"""Engines and sessions for SQLite (embedded) and PostgreSQL (production, several replicas)."""

from __future__ import annotations

import fcntl
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import IO, Any

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

# How long one statement may wait for a lock before failing. Slack wants its answer within 3 s:
# a write that cannot start within this fails, and the person is told nothing happened.
SQLITE_BUSY_TIMEOUT_MS = 1000
SQLITE_READ_POOL_SIZE = 4
POSTGRES_POOL_SIZE = 10
POSTGRES_LOCK_TIMEOUT_MS = 1000
POSTGRES_STATEMENT_TIMEOUT_MS = 5000
POSTGRES_SESSION = {
    "lock_timeout": str(POSTGRES_LOCK_TIMEOUT_MS),
    "statement_timeout": str(POSTGRES_STATEMENT_TIMEOUT_MS),
}


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
                url,
                pool_size=POSTGRES_POOL_SIZE,
                max_overflow=5,
                pool_pre_ping=False,
                connect_args={"server_settings": POSTGRES_SESSION},
            )
            self.read_engine = self.write_engine
        self._write_sessions = async_sessionmaker(self.write_engine, expire_on_commit=False)
        self._read_sessions = async_sessionmaker(self.read_engine, expire_on_commit=False)
        self._file_lock: SqliteFileLock | None = None

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

    def claim_sqlite_file(self) -> None:
        """Refuse to run beside another pmbot process on the same SQLite file (one writer only)."""
        if self.is_sqlite and self._file_lock is None:
            self._file_lock = SqliteFileLock.take(self.url)

    async def ping(self) -> None:
        """Raise unless the database answers a trivial query."""
        async with self.read_engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        """Close every pooled connection (and let another process take the SQLite file)."""
        await self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            await self.read_engine.dispose()
        if self._file_lock is not None:
            self._file_lock.release()
            self._file_lock = None


class DatabaseInUse(OSError):
    """Another pmbot process already serves this SQLite file."""


class SqliteFileLock:
    """An exclusive lock on `<database>.lock`, held while the process serves the file.

    Two processes on one SQLite file would each believe their writer is the only one; the
    kernel drops the lock when the process dies, even by kill -9.
    """

    def __init__(self, handle: IO[bytes]) -> None:
        self._handle = handle

    @classmethod
    def take(cls, url: str) -> SqliteFileLock:
        """Take the lock, or raise DatabaseInUse."""
        path = url.split(":///", 1)[-1].split("?", 1)[0]
        if not path or path == ":memory:":
            return cls(open(os.devnull, "rb"))
        handle = open(f"{path}.lock", "ab")  # noqa: SIM115
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise DatabaseInUse(
                f"another pmbot process is serving {path}; SQLite takes one process only "
                "(use PostgreSQL to run several replicas)"
            ) from None
        return cls(handle)

    def release(self) -> None:
        """Let another process take the file."""
        self._handle.close()


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
