"""The sentence encoder behind a memory of the texts it embedded last.

A quick filing embeds its title to search before it is stored; the background embedder then
embeds the same title to store its vector, and the card searches with it again when the first
search ran out of time. Each embedding is ~20 ms of CPU. Remembering the last texts' vectors, and
sharing one embedding among callers that ask for the same text at once, makes it one: a search
that gives up still leaves its vector for the next caller, since the thread finishes anyway.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy's modules: imported only when the extra is installed
    import numpy as np

    from bot.services.requests.sentence_vectors import SentenceEncoder

REMEMBERED = 2048  # texts (1.5 kB of vector each)
# Texts queued or under way beyond which a new one "would wait". None: with quick filings' searches
# let in behind up to 20 texts (0.3-0.4 s of work), 223 of 500 filings at 100 connections were
# answered "under way", against none (bench/README.md).
QUEUED_AT_MOST = 0


class EncoderClosed(Exception):
    """The encoder was closed (pmbot is stopping): the caller searches by words."""


class RecentVectors:
    """`embed` on one thread of its own, remembering the last `remembered` texts' vectors.

    One thread: on a busy host several embeddings at once only share the same cores, each taking
    longer, at more CPU in all (bench/README.md, the filing with sentence vectors).
    """

    def __init__(self, encoder: SentenceEncoder, remembered: int = REMEMBERED) -> None:
        self._encoder = encoder
        self._remembered = remembered
        self._known: OrderedDict[str, np.ndarray] = OrderedDict()
        self._under_way: dict[str, asyncio.Future[np.ndarray]] = {}
        self.embedded = 0  # texts the encoder was given: what the memory did not spare
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pmbot-encoder")
        self._closed = False

    async def embed(self, texts: list[str]) -> list[np.ndarray]:
        """One unit vector per text, in order (read-only); only texts neither known nor under way
        are embedded. Raises EncoderClosed once closed."""
        if self._closed:
            raise EncoderClosed
        new = [text for text in dict.fromkeys(texts) if not (text in self._known or text in self._under_way)]
        if new:
            self._start(new)
        found = {text: self._recall(text) for text in texts if text in self._known}
        waiting = {text: self._under_way[text] for text in texts if text not in found}  # before any await
        for text, future in waiting.items():
            # Shielded: a caller that gives up must not cancel what others wait for.
            found[text] = await asyncio.shield(future)
        return [found[text] for text in texts]

    def would_wait(self, text: str) -> bool:
        """Embedding `text` now would wait behind more than QUEUED_AT_MOST others."""
        if text in self._known or text in self._under_way:
            return False
        return len(self._under_way) > QUEUED_AT_MOST

    def close(self) -> None:
        """Take no more work; what is queued fails with EncoderClosed, the batch under way finishes."""
        self._closed = True
        self._thread.shutdown(wait=False, cancel_futures=True)

    def _start(self, texts: list[str]) -> None:
        loop = asyncio.get_running_loop()
        batch = loop.run_in_executor(self._thread, self._encoder.encode, texts)  # raises once shut down
        for text in texts:
            self._under_way[text] = loop.create_future()
        self.embedded += len(texts)
        batch.add_done_callback(lambda done: self._settle(texts, done))

    def _settle(self, texts: list[str], batch: asyncio.Future[np.ndarray]) -> None:
        waiting = [self._under_way.pop(text) for text in texts]  # first: none may stay under way
        outcome = _outcome(batch, len(texts))
        for text, future, vector in zip(texts, waiting, outcome, strict=True):
            if isinstance(vector, BaseException):
                future.set_exception(vector)
                future.add_done_callback(_seen)
            else:
                self._remember(text, vector)
                future.set_result(vector)

    def _recall(self, text: str) -> np.ndarray:
        self._known.move_to_end(text)
        return self._known[text]

    def _remember(self, text: str, vector: np.ndarray) -> None:
        self._known[text] = vector
        self._known.move_to_end(text)
        while len(self._known) > self._remembered:
            self._known.popitem(last=False)


def _outcome(batch: asyncio.Future[np.ndarray], count: int) -> list[np.ndarray | BaseException]:
    """Each text's vector (a read-only copy, so one caller cannot change another's), or the error."""
    if batch.cancelled():
        return [EncoderClosed() for _ in range(count)]  # dropped from the queue by close()
    error = batch.exception()
    if error is not None:
        return [error] * count
    vectors = batch.result()
    if len(vectors) != count:
        return [RuntimeError(f"the encoder returned {len(vectors)} vectors for {count} texts")] * count
    copies = [vector.copy() for vector in vectors]
    for copy in copies:
        copy.setflags(write=False)
    return copies


def _seen(future: asyncio.Future[np.ndarray]) -> None:
    """Mark a failure as retrieved when nobody waited for it (asyncio would log it as lost)."""
    if not future.cancelled():
        future.exception()
