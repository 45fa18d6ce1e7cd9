"""aiosqlite without its thread: every call runs at once, in the thread that makes it.

aiosqlite hands each call (cursor, execute, fetch, close) to a thread of its own and back, about
four round trips per statement; on a busy machine those hand-offs cost more CPU than the SQL. The
single writer instead runs each whole batch in one thread of its own (storage.writer), where
blocking is harmless, so its engine needs no further thread. SQLAlchemy's aiosqlite dialect is
kept as it is: only the connection object behind it changes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Generator
from functools import partial
from typing import Any

import aiosqlite

SQLITE_ITER_CHUNK_SIZE = 64  # aiosqlite's own default


class _RunAtOnce:
    """Stands in for aiosqlite's queue to its thread: runs each call as it is put."""

    def put_nowait(self, item: tuple[Any, Callable[[], Any]]) -> None:
        future, function = item
        try:
            result = function()
        except Exception as error:
            if future is not None:
                future.set_exception(error)
            return
        if future is not None:
            future.set_result(result)


class InlineConnection(aiosqlite.Connection):
    """An aiosqlite connection whose calls complete before they return (no thread, no waiting)."""

    def __init__(self, connector: Callable[[], sqlite3.Connection]) -> None:
        super().__init__(connector, SQLITE_ITER_CHUNK_SIZE)
        self._tx = _RunAtOnce()  # type: ignore[assignment]

    def __await__(self) -> Generator[Any, None, aiosqlite.Connection]:
        return self._connect().__await__()


def inline_creator(path: str) -> Callable[[], Any]:
    """An `async_creator` for SQLAlchemy: a fresh inline connection to the file at `path`.

    The connection may be opened in one thread and used in another (one at a time).
    """

    async def connect() -> aiosqlite.Connection:
        return await InlineConnection(partial(sqlite3.connect, path, check_same_thread=False))

    return connect
