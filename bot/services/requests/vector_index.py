"""Per workspace, every request's sentence vector in memory, kept current with one statement.

A workspace's vectors are loaded in the background the first time it asks (never while Slack
waits: 100k vectors are 150 MB, and 75 MB more projected); until then `nearest` says None and
the caller answers lexically. Once loaded, each `nearest` first reads the rows stored since the
last it saw (one statement, usually empty), then scores every vector against the query: a
matrix-vector product. From COARSE_FROM vectors on, a workspace also keeps its vectors projected
on their COARSE_DIMENSIONS principal axes: the projected scan (half the bytes) shortlists
SHORTLIST rows, and only those get the exact cosine (bench/README.md, fifth pass: at 100k, the
same first 3 as the exact scan for all 205 evaluation queries).
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
COARSE_FROM = 20_000  # below, the exact scan takes a few ms
COARSE_DIMENSIONS = 192  # 128 lost an original from the first 3 for 18 of 205 queries at 100k; 192: none
SHORTLIST = 300  # rows the projected scan hands to the exact cosine (10x what is asked)
FIT_SAMPLE = 20_000  # rows the principal axes are computed from


@dataclass
class _Workspace:
    matrix: np.ndarray = field(default_factory=lambda: np.zeros((INITIAL_CAPACITY, DIMENSIONS), np.float32))
    request_ids: np.ndarray = field(default_factory=lambda: np.zeros(INITIAL_CAPACITY, np.int64))
    row_of: dict[int, int] = field(default_factory=dict)  # request id -> row
    stored_as: dict[int, int] = field(default_factory=dict)  # request id -> id of the vector row held
    size: int = 0
    last_id: int = 0

    axes: np.ndarray | None = None  # (DIMENSIONS, COARSE_DIMENSIONS), once fitted
    coarse: np.ndarray | None = None  # the rows projected on `axes`

    def add(self, stored: list[StoredVector]) -> None:
        for item in stored:
            if self.stored_as.get(item.request_id) == item.id:  # re-read behind the last seen: held already
                continue
            self.stored_as[item.request_id] = item.id
            row = self.row_of.get(item.request_id)
            if row is None:
                row = self._append(item.request_id)
            self.matrix[row] = np.frombuffer(item.vector, dtype="<f4")
            if self.axes is not None and self.coarse is not None:
                self.coarse[row] = self.matrix[row] @ self.axes
            self.last_id = max(self.last_id, item.id)

    def nearest(self, query: np.ndarray, count: int) -> list[tuple[int, float]]:
        """The `count` rows nearest `query` (request id, cosine), best first."""
        count = min(count, self.size)
        if count == 0:
            return []
        rows = np.arange(self.size)
        if self.axes is not None and self.coarse is not None and self.size > SHORTLIST:
            approximate = self.coarse[: self.size] @ (query @ self.axes)
            rows = np.argpartition(-approximate, SHORTLIST - 1)[:SHORTLIST]
        cosines = self.matrix[rows] @ query if len(rows) < self.size else self.matrix[: self.size] @ query
        best = np.argpartition(-cosines, count - 1)[:count]
        best = best[np.argsort(-cosines[best])]
        return [(int(self.request_ids[rows[at]]), float(cosines[at])) for at in best]

    def fit(self) -> tuple[np.ndarray, np.ndarray, int]:
        """Principal axes of the rows so far (uncentred: projected dot products approximate the
        cosines) and the rows projected on them; slow, for a thread."""
        size = self.size
        sample = self.matrix[: size : max(1, size // FIT_SAMPLE)]
        _, vectors = np.linalg.eigh(sample.T @ sample)  # ascending eigenvalues
        axes = np.ascontiguousarray(vectors[:, ::-1][:, :COARSE_DIMENSIONS], dtype=np.float32)
        return axes, self.matrix[:size] @ axes, size

    def use(self, axes: np.ndarray, projected: np.ndarray, fitted_rows: int) -> None:
        """Install what `fit` computed, projecting the rows added since (on the loop: few)."""
        coarse = np.zeros((len(self.matrix), COARSE_DIMENSIONS), np.float32)
        coarse[:fitted_rows] = projected
        coarse[fitted_rows : self.size] = self.matrix[fitted_rows : self.size] @ axes
        self.axes, self.coarse = axes, coarse

    def _append(self, request_id: int) -> int:
        if self.size == len(self.request_ids):
            self.matrix = np.concatenate([self.matrix, np.zeros_like(self.matrix)])
            self.request_ids = np.concatenate([self.request_ids, np.zeros_like(self.request_ids)])
            if self.coarse is not None:
                self.coarse = np.concatenate([self.coarse, np.zeros_like(self.coarse)])
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
        self._fitting: dict[str, asyncio.Task[None]] = {}

    def loaded(self, team_id: str) -> bool:
        """Whether the workspace's vectors are in memory; if not, start loading them."""
        if team_id in self._loaded:
            return True
        self.warm_in_background(team_id)
        return False

    async def nearest(
        self, session: AsyncSession, team_id: str, query: np.ndarray, count: int
    ) -> list[tuple[int, float]] | None:
        """The `count` request ids nearest `query`, with their cosines; None while still loading."""
        workspace = self._loaded.get(team_id)
        if workspace is None:
            self.warm_in_background(team_id)
            return None
        workspace.add(await list_vectors_after(session, team_id, workspace.last_id - LATE_COMMITS))
        if workspace.axes is None and workspace.size >= COARSE_FROM:
            self._fit_in_background(team_id, workspace)
        return workspace.nearest(query, count)

    def _fit_in_background(self, team_id: str, workspace: _Workspace) -> None:
        """A workspace grown past COARSE_FROM since it was loaded: fit its axes on a thread."""
        if team_id in self._fitting:
            return

        async def fit() -> None:
            workspace.use(*await asyncio.to_thread(workspace.fit))

        task = asyncio.get_running_loop().create_task(fit())
        self._fitting[team_id] = task
        task.add_done_callback(lambda _: self._fitting.pop(team_id, None))

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
        if workspace.size >= COARSE_FROM:
            workspace.use(*await asyncio.to_thread(workspace.fit))
        self._loaded.setdefault(team_id, workspace)
        log.info("similar requests: %d vectors loaded for %s", workspace.size, team_id)

    async def stop(self) -> None:
        """Cancel loads and fits still running."""
        tasks = [*self._warming.values(), *self._fitting.values()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
