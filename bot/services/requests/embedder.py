"""Gives every request a sentence vector, after Slack has had its answer.

A background loop picks requests with no vector or changed since theirs was checked (new ones,
edited titles, and after an upgrade every existing request), a small batch at a time, embeds
their titles on a thread (numpy releases the GIL; the event loop keeps answering Slack; a title
just searched for is not embedded again) and stores the vectors. Each write is idempotent, so
several replicas embedding at once only waste work. Woken by every commit; otherwise it looks
again every POLL_SECONDS.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.search.vectors import Unembedded, list_unembedded, save_vector
from storage.writer import Writer, WriterStopped

if TYPE_CHECKING:  # needs numpy, which only the `similar` extra brings
    from bot.services.requests.recent_vectors import RecentVectors

log = logging.getLogger(__name__)
BATCH = 16  # titles per thread hop: ~0.2 s of work, so a stop never waits long
POLL_SECONDS = 60.0
RETRY_SECONDS = 5.0


def text_hash(title: str) -> str:
    """What identifies the embedded text: an edit that keeps the title keeps the vector."""
    return hashlib.sha256(title.encode()).hexdigest()[:32]


class Embedder:
    """The loop that keeps requests' vectors current."""

    def __init__(self, db: Database, writer: Writer, encoder: RecentVectors) -> None:
        self._db = db
        self._writer = writer
        self._encoder = encoder
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._one_pass = asyncio.Lock()  # the loop and a caller never embed the same batch twice
        self.idle = asyncio.Event()  # set while the loop waits for a wake or the next poll

    def start(self) -> None:
        """Start embedding on the running loop."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="pmbot-embedder")

    async def stop(self) -> None:
        """Stop after the batch under way."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    def wake(self) -> None:
        """Something was written: look now."""
        self._wake.set()

    async def embed_pending(self) -> int:
        """Embed every request that needs it now; how many vectors were stored or confirmed."""
        done = 0
        async with self._one_pass:
            while batch := await self._next_batch():
                await self._embed(batch)
                done += len(batch)
        return done

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self.embed_pending()
            except (SQLAlchemyError, WriterStopped, OSError):
                log.warning("similar requests: embedding paused, the database failed", exc_info=True)
                await asyncio.sleep(RETRY_SECONDS)
                continue
            await self._sleep()

    async def _sleep(self) -> None:
        """Until woken or POLL_SECONDS pass.

        Not `asyncio.wait_for`: on Python 3.11 it swallows a cancellation that comes in the turn
        its awaitable finishes (CPython gh-86296), so a wake and a stop together left this loop
        running and `stop()` waiting for it forever. `asyncio.timeout` lets the cancellation through.
        """
        self.idle.set()
        try:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(POLL_SECONDS):
                    await self._wake.wait()
        finally:
            self.idle.clear()

    async def _next_batch(self) -> list[Unembedded]:
        async with self._db.read() as session:
            return await list_unembedded(session, limit=BATCH)

    async def _embed(self, batch: list[Unembedded]) -> None:
        changed = [item for item in batch if item.text_hash != text_hash(item.title)]
        vectors = await self._encoder.embed([item.title for item in changed])
        pairs = zip(changed, vectors, strict=True)
        by_request = {item.request_id: vector.astype("<f4").tobytes() for item, vector in pairs}

        async def store(session: AsyncSession) -> None:
            for item in batch:
                await save_vector(
                    session,
                    team_id=item.team_id,
                    request_id=item.request_id,
                    text_hash=text_hash(item.title),
                    source_updated_at=item.updated_at,
                    vector=by_request.get(item.request_id),
                )

        await self._writer.run(store)
