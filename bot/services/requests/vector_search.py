"""Similar requests by sentence vectors (the `similar` extra): the nearest titles by meaning.

The typed text is embedded (~10 ms, on a thread), compared with every vector of the workspace in
memory, and the nearest candidates are read in one statement (open or lately closed, never
duplicates). Each is scored `COSINE_SHARE` x cosine + the rest x the lexical relevance score; the
best three are shown if they reach `FLOOR` and stand `STAND_OUT` above the crowd (the mean score
of the 21st to 30th nearest): in a large workspace many titles share a phrase with what is typed,
and a real match stands out of them where a near miss does not. Blend, floor and margin were
chosen on the evaluation set's tuning half (bench/README.md, fourth and sixth passes). Until the
encoder and the workspace's vectors are loaded, `find` says None and the caller searches
lexically.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.services.requests.embedder import Embedder
from bot.services.requests.recent_vectors import REMEMBERED, EncoderClosed, RecentVectors
from bot.services.requests.relevance import score
from bot.services.requests.sentence_model import load_encoder
from bot.services.requests.wording import Concept
from storage.db import Database
from storage.search.queries import Candidate
from storage.search.vectors import get_candidates
from storage.writer import Writer

if TYPE_CHECKING:  # numpy's modules: imported only when the extra is installed and turned on
    from bot.services.requests.vector_index import VectorIndex

log = logging.getLogger(__name__)
COSINE_SHARE = 0.7
FLOOR = 0.45
NEAREST = 30  # read from the database; closed long ago and duplicates are dropped there
CROWD_FROM = 20  # the candidates from the 21st on are the crowd a suggestion must stand out of
STAND_OUT = 0.10
SURE = 0.75  # shown whatever the crowd (no title without a match scored this high in the evaluation)


@dataclass(frozen=True)
class Scored:
    """A candidate and its blended score."""

    score: float
    candidate: Candidate


class SentenceVectors:
    """The encoder, the background embedder and the in-memory index, started and stopped together."""

    def __init__(self, db: Database, writer: Writer, *, remembered: int = REMEMBERED) -> None:
        from bot.services.requests.vector_index import VectorIndex  # needs numpy: only built with the extra

        self._db = db
        self._writer = writer
        self._remembered = remembered  # texts whose vectors are kept (0: the benchmark, every query embedded)
        self.index: VectorIndex = VectorIndex(db)
        self.embedder: Embedder | None = None
        self._encoder: RecentVectors | None = None
        self._loading: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Load the encoder on a thread, then start embedding; suggestions are lexical meanwhile."""
        self._loading = asyncio.create_task(self.ready(), name="pmbot-encoder-load")

    async def ready(self) -> None:
        """Wait until the encoder is loaded and the embedder runs."""
        if self._encoder is None:
            loaded = await asyncio.to_thread(load_encoder)  # cached: a second caller gets the same
            if self._encoder is None and loaded is not None:  # start() and ready() may both be here
                self._encoder = RecentVectors(loaded, self._remembered)
        if self._encoder is not None and self.embedder is None:
            self.embedder = Embedder(self._db, self._writer, self._encoder)
            self.embedder.start()

    @property
    def embedded(self) -> int:
        """How many texts the encoder was given since start (its memory spares the rest)."""
        return 0 if self._encoder is None else self._encoder.embedded

    def would_wait(self, typed: str) -> bool:
        """Searching for `typed` now would wait behind the encoder's queue (under load)."""
        return self._encoder is not None and self._encoder.would_wait(typed)

    def wake(self) -> None:
        """A commit: maybe a request to embed."""
        if self.embedder is not None:
            self.embedder.wake()

    async def stop(self) -> None:
        """Stop loading, embedding and warming."""
        if self._loading is not None:
            self._loading.cancel()
            await asyncio.gather(self._loading, return_exceptions=True)
        if self.embedder is not None:
            await self.embedder.stop()
        if self._encoder is not None:
            self._encoder.close()
        await self.index.stop()

    async def find(
        self,
        team_id: str,
        typed: str,
        wanted: list[Concept],
        *,
        closed_since: datetime,
        exclude_number: int | None,
        before_number: int | None,
    ) -> list[Scored] | None:
        """Candidates near `typed` with their blended scores, best first; None when not ready."""
        if self._encoder is None or not self.index.loaded(team_id):
            return None  # not worth embedding the query: there is nothing to compare it with yet
        try:
            [query] = await self._encoder.embed([typed])
        except EncoderClosed:
            return None  # stopping: the words answer
        async with self._db.read() as session:
            nearest = await self.index.nearest(session, team_id, query, NEAREST)
            if nearest is None:
                return None
            cosine = dict(nearest)
            found = await get_candidates(
                session,
                team_id,
                list(cosine),
                closed_since=closed_since,
                exclude_number=exclude_number,
                before_number=before_number,
            )
        scored = [Scored(_blend(cosine[at], wanted, candidate), candidate) for at, candidate in found.items()]
        return sorted(scored, key=lambda item: -item.score)


def _blend(cosine: float, wanted: list[Concept], candidate: Candidate) -> float:
    return COSINE_SHARE * cosine + (1 - COSINE_SHARE) * score(wanted, candidate.title, candidate.description)
