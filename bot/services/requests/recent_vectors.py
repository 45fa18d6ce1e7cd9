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


class RecentVectors:
    """`embed` on one thread of its own, remembering the last `remembered` texts' vectors.

    One thread: on a busy host several embeddings at once only share the same cores, each taking
    longer, at more CPU in all (bench/README.md, the filing's cost with vectors).
    """

    def __init__(self, encoder: SentenceEncoder, remembered: int = REMEMBERED) -> None:
        self._encoder = encoder
        self._remembered = remembered
        self._known: OrderedDict[str, np.ndarray] = OrderedDict()
        self._under_way: dict[str, asyncio.Future[np.ndarray]] = {}
        self.embedded = 0  # texts the encoder was given: what the memory did not spare
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pmbot-encoder")

    async def embed(self, texts: list[str]) -> list[np.ndarray]:
        """One unit vector per text, in order; only texts neither known nor under way are embedded."""
        new = [text for text in dict.fromkeys(texts) if not (text in self._known or text in self._under_way)]
        if new:
            self._start(new)
        found = {text: self._recall(text) for text in texts if text in self._known}
        waiting = {text: self._under_way[text] for text in texts if text not in found}  # before any await
        for text, future in waiting.items():
            # Shielded: a caller that gives up must not cancel what others wait for.
            found[text] = await asyncio.shield(future)
        return [found[text] for text in texts]

    @property
    def busy(self) -> bool:
        """Some embedding is under way or waiting for the thread."""
        return bool(self._under_way)

    def close(self) -> None:
        """Drop embeddings not started; the one under way finishes on its thread."""
        self._thread.shutdown(wait=False, cancel_futures=True)

    def _start(self, texts: list[str]) -> None:
        loop = asyncio.get_running_loop()
        for text in texts:
            self._under_way[text] = loop.create_future()
        self.embedded += len(texts)
        batch = loop.run_in_executor(self._thread, self._encoder.encode, texts)
        batch.add_done_callback(lambda done: self._settle(texts, done))

    def _settle(self, texts: list[str], batch: asyncio.Future[np.ndarray]) -> None:
        failed = batch.cancelled() or batch.exception() is not None
        for index, text in enumerate(texts):
            waiting = self._under_way.pop(text)
            if batch.cancelled():
                waiting.cancel()
            elif failed:
                waiting.set_exception(batch.exception())  # type: ignore[arg-type]
                waiting.add_done_callback(_seen)
            else:
                vector = batch.result()[index]
                self._remember(text, vector)
                waiting.set_result(vector)

    def _recall(self, text: str) -> np.ndarray:
        self._known.move_to_end(text)
        return self._known[text]

    def _remember(self, text: str, vector: np.ndarray) -> None:
        self._known[text] = vector
        self._known.move_to_end(text)
        while len(self._known) > self._remembered:
            self._known.popitem(last=False)


def _seen(future: asyncio.Future[np.ndarray]) -> None:
    """Mark a failure as retrieved when nobody waited for it (asyncio would log it as lost)."""
    if not future.cancelled():
        future.exception()
