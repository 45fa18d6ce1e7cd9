"""Per workspace, every request's sentence vector in memory, kept current with one statement.

A workspace's vectors are loaded in the background the first time it asks (never while Slack
waits: 100k vectors are 150 MB); until then `nearest` says None and the caller answers lexically.
Once loaded, each `nearest` first reads the rows stored since the last it saw (one statement,
usually empty), then scores every vector against the query: a matrix-vector product.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.requests.sentence_vectors import DIMENSIONS
from storage.db import Database
from storage.search.vectors import StoredVector, list_vectors_after

log = logging.getLogger(__name__)
# Rows re-read behind the last one seen: on PostgreSQL a row with a lower id can commit after a
# higher one (two embedders at once); re-reading a few is cheaper than missing one for good.
LATE_COMMITS = 64
INITIAL_CAPACITY = 1024


@dataclass
class _Workspace:
    matrix: np.ndarray = field(default_factory=lambda: np.zeros((INITIAL_CAPACITY, DIMENSIONS), np.float32))
    request_ids: np.ndarray = field(default_factory=lambda: np.zeros(INITIAL_CAPACITY, np.int64))
    row_of: dict[int, int] = field(default_factory=dict)  # request id -> row
    size: int = 0
    last_id: int = 0

    def add(self, stored: list[StoredVector]) -> None:
        for item in stored:
            row = self.row_of.get(item.request_id)
            if row is None:
                row = self._append(item.request_id)
            self.matrix[row] = np.frombuffer(item.vector, dtype="<f4")
            self.last_id = max(self.last_id, item.id)

    def _append(self, request_id: int) -> int:
        if self.size == len(self.request_ids):
            self.matrix = np.concatenate([self.matrix, np.zeros_like(self.matrix)])
            self.request_ids = np.concatenate([self.request_ids, np.zeros_like(self.request_ids)])
        self.request_ids[self.size] = request_id
        self.row_of[request_id] = self.size
        self.size += 1
        return self.size - 1


class VectorIndex:
    """Workspaces' vectors in this process's memory."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._loaded: dict[str, _Workspace] = {}
        self._warming: dict[str, asyncio.Task[None]] = {}

    async def nearest(
        self, session: AsyncSession, team_id: str, query: np.ndarray, count: int
    ) -> list[tuple[int, float]] | None:
        """The `count` request ids nearest `query`, with their cosines; None while still loading."""
        workspace = self._loaded.get(team_id)
        if workspace is None:
            self.warm_in_background(team_id)
            return None
        workspace.add(await list_vectors_after(session, team_id, workspace.last_id - LATE_COMMITS))
        if workspace.size == 0:
            return []
        cosines = workspace.matrix[: workspace.size] @ query
        count = min(count, workspace.size)
        best = np.argpartition(-cosines, count - 1)[:count]
        best = best[np.argsort(-cosines[best])]
        return [(int(workspace.request_ids[row]), float(cosines[row])) for row in best]

    def warm_in_background(self, team_id: str) -> None:
        """Start loading the workspace's vectors, unless loaded or loading already."""
        if team_id in self._loaded or team_id in self._warming:
            return
        task = asyncio.get_running_loop().create_task(self.warm(team_id))
        self._warming[team_id] = task
        task.add_done_callback(lambda _: self._warming.pop(team_id, None))

    async def warm(self, team_id: str) -> None:
        """Load every vector of the workspace now."""
        if team_id in self._loaded:
            return
        workspace = _Workspace()
        async with self._db.read() as session:
            stored = await list_vectors_after(session, team_id, 0)
        await asyncio.to_thread(workspace.add, stored)
        self._loaded.setdefault(team_id, workspace)
        log.info("similar requests: %d vectors loaded for %s", workspace.size, team_id)

    async def stop(self) -> None:
        """Cancel loads still running."""
        for task in list(self._warming.values()):
            task.cancel()
        await asyncio.gather(*self._warming.values(), return_exceptions=True)
