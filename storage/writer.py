"""The single writer: every write of this process goes through one queue and commits in batches.

SQLite takes one writer at a time, and a commit (an fsync) costs far more than the statements
before it. So units of work queue here; one task runs a batch of them in one transaction, commits
once, and only then answers each caller: a caller that got an answer knows its write is durable.
Should any unit fail, the batch rolls back and each unit runs again in a transaction of its own,
so one bad unit costs only its own caller. Units must therefore be safe to run twice: they
read and write through the session they are given and do nothing else.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database

log = logging.getLogger(__name__)

T = TypeVar("T")
UnitOfWork = Callable[[AsyncSession], Awaitable[T]]

MAX_BATCH = 256


class WriterStopped(RuntimeError):
    """The writer is not running, so nothing was written."""


@dataclass
class _Pending:
    work: UnitOfWork[Any]
    future: asyncio.Future[Any] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class Writer:
    """Runs units of work in batched transactions; see the module docstring."""

    def __init__(self, db: Database, *, max_batch: int = MAX_BATCH) -> None:
        self._db = db
        self._max_batch = max_batch
        self._queue: asyncio.Queue[_Pending] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._on_commit: list[Callable[[], None]] = []

    def on_commit(self, callback: Callable[[], None]) -> None:
        """Call `callback` after every successful commit (to wake whoever reads what was written)."""
        self._on_commit.append(callback)

    def start(self) -> None:
        """Start the writing task on the running loop."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="pmbot-writer")

    async def stop(self) -> None:
        """Finish what is queued, then stop."""
        if self._task is None:
            return
        await self._queue.join()
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        self._task = None

    async def run(self, work: UnitOfWork[T]) -> T:
        """Run `work(session)` in a write transaction; return its result once committed."""
        if self._task is None:
            raise WriterStopped("the database writer is not running")
        pending = _Pending(work)
        self._queue.put_nowait(pending)
        return await pending.future

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self._max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                await self._commit(batch)
            finally:
                for _ in batch:
                    self._queue.task_done()

    async def _commit(self, batch: list[_Pending]) -> None:
        try:
            results = await self._run_batch(batch)
        except Exception as error:  # rolled back whole: each unit again, alone, for its own answer
            if len(batch) == 1:
                log.warning("write failed: %s", error)
                _settle(batch[0].future, None, error)
                return
            for pending in batch:
                await self._commit([pending])
            return
        for pending, result in zip(batch, results, strict=True):
            _settle(pending.future, result, None)
        for callback in self._on_commit:
            callback()  # callbacks only set flags; they must not raise

    async def _run_batch(self, batch: list[_Pending]) -> list[Any]:
        async with self._db.transaction() as session:
            results = [await pending.work(session) for pending in batch]
            await session.flush()
        return results


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.done():
        return
    if error is None:
        future.set_result(result)
    else:
        future.set_exception(error)
