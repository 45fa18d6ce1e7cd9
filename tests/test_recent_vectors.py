"""The encoder's memory: one embedding per text however many ask, failures and closing passed on
to every waiter, nothing left under way (a stand-in encoder: these are about the waiting, not the
vectors)."""

from __future__ import annotations

import asyncio
import threading

import pytest

from bot.services.requests.recent_vectors import QUEUED_AT_MOST, EncoderClosed, RecentVectors

np = pytest.importorskip("numpy")


class Encoder:
    """Gives each text a vector from its length; can be held until released, or made to fail."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []
        self.release = threading.Event()
        self.release.set()
        self.failure: Exception | None = None

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        self.release.wait(10)
        if self.failure is not None:
            raise self.failure
        return np.array([[float(len(text)), 1.0] for text in texts], dtype=np.float32)


async def test_a_text_asked_for_at_once_and_again_later_is_embedded_once() -> None:
    encoder = Encoder()
    vectors = RecentVectors(encoder)  # type: ignore[arg-type]

    first, second = await asyncio.gather(vectors.embed(["export csv"]), vectors.embed(["export csv"]))
    [again] = await vectors.embed(["export csv"])

    assert encoder.calls == [["export csv"]] and vectors.embedded == 1
    assert first[0][0] == second[0][0] == again[0] == 10.0
    with pytest.raises(ValueError):
        again[0] = 0.0  # shared with every caller: read-only
    vectors.close()


async def test_a_failed_embedding_reaches_every_waiter_and_the_next_call_tries_again() -> None:
    encoder = Encoder()
    encoder.failure = RuntimeError("out of memory")
    vectors = RecentVectors(encoder)  # type: ignore[arg-type]

    results = await asyncio.gather(vectors.embed(["a b"]), vectors.embed(["a b"]), return_exceptions=True)

    assert [str(result) for result in results] == ["out of memory", "out of memory"]
    assert not vectors.would_wait("x") and encoder.calls == [["a b"]]
    encoder.failure = None
    [vector] = await vectors.embed(["a b"])
    assert vector[0] == 3.0 and len(encoder.calls) == 2
    vectors.close()


async def test_closing_fails_queued_waiters_and_later_calls_with_encoder_closed() -> None:
    encoder = Encoder()
    encoder.release.clear()  # the first batch holds the thread
    vectors = RecentVectors(encoder)  # type: ignore[arg-type]
    under_way = asyncio.ensure_future(vectors.embed(["first"]))
    queued = asyncio.ensure_future(vectors.embed(["second"]))
    await asyncio.sleep(0)

    vectors.close()
    encoder.release.set()

    [first] = await under_way  # the batch under way finishes
    assert first[0] == 5.0
    with pytest.raises(EncoderClosed):
        await queued
    with pytest.raises(EncoderClosed):
        await vectors.embed(["third"])
    assert not vectors.would_wait("fourth")


async def test_a_new_text_would_wait_behind_a_queue_but_not_for_one_it_shares() -> None:
    encoder = Encoder()
    encoder.release.clear()
    vectors = RecentVectors(encoder)  # type: ignore[arg-type]
    queued = [asyncio.ensure_future(vectors.embed([f"title {n}"])) for n in range(QUEUED_AT_MOST + 1)]
    await asyncio.sleep(0)

    assert vectors.would_wait("a new title")
    assert not vectors.would_wait("title 0")  # under way already: it shares that embedding

    encoder.release.set()
    await asyncio.gather(*queued)
    assert not vectors.would_wait("a new title")
    vectors.close()
