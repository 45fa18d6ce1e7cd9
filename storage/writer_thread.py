"""A thread with an event loop of its own, where the SQLite writer runs each whole batch.

The writer's units are coroutines over an AsyncSession. On SQLite their connection is inline
(storage.inline_sqlite): every statement completes before it returns, so a batch never waits on
anything but the database itself. Run here, a batch is one hand-off from the main loop and back,
instead of four per statement; a batch waiting for a lock blocks this thread, not the loop.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class WriterThread:
    """Runs coroutines to completion on a loop in a thread of its own."""

    def __init__(self, name: str = "pmbot-sqlite-writer") -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name=name, daemon=True)
        self._thread.start()

    async def run(self, work: Coroutine[Any, Any, T]) -> T:
        """Run `work` in the thread; its result (or error) once it is done there."""
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(work, self._loop))

    def stop(self) -> None:
        """End the thread (nothing may be running in it)."""
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()
