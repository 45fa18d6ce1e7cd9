"""The single writer: every write of this process goes through one queue and commits in batches.

SQLite takes one writer at a time, and a commit (an fsync) costs far more than the statements
before it. So units of work queue here; one task runs a batch of them in one transaction, commits
once, and only then answers each caller: a caller that got an answer knows its write is durable.
Should any unit fail, the batch rolls back and each unit runs again in a transaction of its own,
so one bad unit costs only its own caller. Units must therefore be safe to run twice: they
read and write through the session they are given and do nothing else.

Nothing waits unboundedly. A unit may carry a deadline; such units go first into the next batch,
and if its batch has not started by the deadline, the unit is dropped and its caller told
`WriteTimedOut` — and it will never be written later, so "it
failed" is true. A batch that started is bounded by the database's own lock and statement
timeouts (storage.db); when the database is stalled (locked, timed out) the batch fails as a
whole rather than unit by unit, so a stall costs each caller one timeout, not one per unit.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from storage import inbox
from storage.db import Database

log = logging.getLogger(__name__)

T = TypeVar("T")
UnitOfWork = Callable[[AsyncSession], Awaitable[T]]

MAX_BATCH = 256
# What the database says when it is stalled rather than refusing this unit's data.
STALLED_WORDS = ("database is locked", "lock timeout", "statement timeout", "canceling statement")


_REPEATED = object()  # a unit's result when its interaction's key was recorded before


class WriterStopped(RuntimeError):
    """The writer is not running, so nothing was written."""


class WriteTimedOut(TimeoutError):
    """The unit's deadline passed before its transaction began: nothing was, or will be, written."""


@dataclass
class _Pending:
    work: UnitOfWork[Any]
    deadline: float | None
    attempt: inbox.Attempt | None
    future: asyncio.Future[Any] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class Writer:
    """Runs units of work in batched transactions; see the module docstring."""

    def __init__(self, db: Database, *, max_batch: int = MAX_BATCH) -> None:
        self._db = db
        self._max_batch = max_batch
        # Units with a deadline (recording an interaction Slack waits on) go before the others.
        self._queue: asyncio.PriorityQueue[tuple[int, int, _Pending]] = asyncio.PriorityQueue()
        self._sequence = itertools.count()
        self._task: asyncio.Task[None] | None = None
        self._on_commit: list[Callable[[], None]] = []
        self._stopping = False

    def on_commit(self, callback: Callable[[], None]) -> None:
        """Call `callback` after every successful commit (to wake whoever reads what was written)."""
        self._on_commit.append(callback)

    def start(self) -> None:
        """Start the writing task on the running loop."""
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self._run(), name="pmbot-writer")

    async def stop(self) -> None:
        """Finish what is queued, then stop."""
        if self._task is None:
            return
        self._stopping = True
        await self._queue.join()
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        self._task = None

    async def run(self, work: UnitOfWork[T], *, timeout: float | None = None) -> T:  # noqa: ASYNC109
        """Run `work(session)` in a write transaction; return its result once committed.

        With `timeout`, the unit is dropped (WriteTimedOut) unless its transaction begins within
        that many seconds. The caller's inbox entry, if any, is marked applied in the same
        transaction — or, not recorded yet, inserted as applied (RecordedBefore if its key was).
        """
        attempt = inbox.CURRENT.get()
        if self._task is None or self._stopping:
            if attempt is not None:
                attempt.write_failed = True
            raise WriterStopped("the database writer is not running")
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        if attempt is not None and attempt.record is not None:  # it records the interaction: Slack waits
            deadline = min(deadline or attempt.record.deadline, attempt.record.deadline)
        pending = _Pending(work, deadline, attempt)
        self._queue.put_nowait((0 if deadline is not None else 1, next(self._sequence), pending))
        return await pending.future

    async def _run(self) -> None:
        while True:
            batch = [(await self._queue.get())[2]]
            while len(batch) < self._max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait()[2])
            try:
                live = _drop_expired(batch)
                if live:
                    await self._commit(live)
            finally:
                for _ in batch:
                    self._queue.task_done()

    async def _commit(self, batch: list[_Pending]) -> None:
        try:
            results = await self._run_batch(batch)
        except Exception as error:  # rolled back whole: each unit again, alone, for its own answer
            if len(batch) == 1 or _is_stall(error):
                if _is_store_failure(error):
                    log.warning("write failed: %s", _first_line(error))
                for pending in batch:
                    _settle(pending, None, error)
                return
            for pending in batch:
                await self._commit([pending])
            return
        for pending, result in zip(batch, results, strict=True):
            if result is _REPEATED:
                if not pending.future.done():
                    pending.future.set_exception(inbox.RecordedBefore())
            else:
                _settle(pending, result, None)
        for callback in self._on_commit:
            callback()  # callbacks only set flags; they must not raise

    async def _run_batch(self, batch: list[_Pending]) -> list[Any]:
        recorded: dict[int, inbox.Attempt] = {}  # attempts whose entry this transaction inserts
        async with self._db.transaction() as session:
            results = []
            for pending in batch:
                results.append(await _run_unit(session, pending, recorded))
            await session.flush()
        for attempt in recorded.values():
            attempt.record = None
        return results


async def _run_unit(session: AsyncSession, pending: _Pending, recorded: dict[int, inbox.Attempt]) -> Any:
    """The unit's work, with its interaction's inbox entry recorded or marked applied beside it."""
    attempt = pending.attempt
    if attempt is None:
        return await pending.work(session)
    if pending.future.done():  # its caller went away (told that nothing happened): nothing happens
        return None
    attempt.write_began = True
    if attempt.record is not None and id(attempt) not in recorded:
        if not await inbox.record_applied(session, attempt.record):
            return _REPEATED  # this interaction happened before: its effect must not happen again
        recorded[id(attempt)] = attempt
    elif id(attempt) not in recorded:
        await inbox.mark_applied(session, attempt.key)
    return await pending.work(session)


def _drop_expired(batch: list[_Pending]) -> list[_Pending]:
    now = asyncio.get_running_loop().time()
    live = []
    for pending in batch:
        if pending.future.done():  # the caller went away (cancelled): nobody waits for it
            continue
        if pending.deadline is not None and now > pending.deadline:
            _settle(pending, None, WriteTimedOut("the database did not take the write in time"))
        else:
            live.append(pending)
    return live


def _is_stall(error: BaseException) -> bool:
    if isinstance(error, TimeoutError):
        return True
    if not isinstance(error, DBAPIError):
        return False
    words = str(error).lower()
    return any(word in words for word in STALLED_WORDS)


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def _is_store_failure(error: BaseException) -> bool:
    # Anything else is the unit's own answer (a refusal, say): its caller tells the person, and
    # the interaction is finished, not failed.
    return isinstance(error, (SQLAlchemyError, OSError, TimeoutError, WriterStopped))


def _settle(pending: _Pending, result: Any, error: BaseException | None) -> None:
    future = pending.future
    if error is not None and pending.attempt is not None and _is_store_failure(error):
        pending.attempt.write_failed = True
    if future.done():
        return
    if error is None:
        future.set_result(result)
    else:
        future.set_exception(error)
