"""The vector index's projected scan against the exact one, on the evaluation queries (no database).

    python -m bench.similar_coarse [--size 100000]

The workspace's titles as `bench.similar` seeds them (cached vectors, bench/.sentence_vectors/),
the 205 queries embedded once; for each, the 30 nearest by the exact scan and by the projected
scan + exact re-ranking: how many of the 30 agree, whether the first 3 agree, and p50 / p99 of
each scan (the query's embedding excluded).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

from bench.similar_corpus import no_match_queries, pairs, unrelated_titles
from bench.similar_vectors import cached_vectors, encoder
from bot.services.requests.vector_index import _Workspace
from storage.search.vectors import StoredVector

NEAREST = 30


def _workspace(vectors: np.ndarray) -> _Workspace:
    workspace = _Workspace()
    workspace.add(
        [StoredVector(at + 1, at + 1, row.astype("<f4").tobytes()) for at, row in enumerate(vectors)]
    )
    return workspace


def _timed(scan: _Workspace, queries: np.ndarray) -> tuple[list[list[int]], list[float]]:
    found, timings = [], []
    for _ in range(3):
        for query in queries:
            started = time.perf_counter()
            nearest = scan.nearest(query, NEAREST)
            timings.append((time.perf_counter() - started) * 1000)
            found.append([at for at, _ in nearest])
    return found[: len(queries)], sorted(timings)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.similar_coarse")
    parser.add_argument("--size", type=int, default=100_000)
    args = parser.parse_args()
    titles = [pair.original for pair in pairs()] + unrelated_titles(args.size - len(pairs()))
    vectors = cached_vectors(titles)
    exact, coarse = _workspace(vectors), _workspace(vectors)
    started = time.perf_counter()
    coarse.use(*coarse.fit())
    print(f"{len(titles):,} vectors; axes fitted and rows projected in {time.perf_counter() - started:.2f} s")
    queries = encoder().encode([pair.paraphrase for pair in pairs()] + no_match_queries())
    exact_found, exact_t = _timed(exact, queries)
    coarse_found, coarse_t = _timed(coarse, queries)
    same_30 = [len(set(a) & set(b)) for a, b in zip(exact_found, coarse_found, strict=True)]
    same_3 = sum(a[:3] == b[:3] for a, b in zip(exact_found, coarse_found, strict=True))
    print(f"load {os.getloadavg()[0]:.1f}")
    print(
        f"of the exact 30 nearest, the projected scan finds: mean {statistics.mean(same_30):.2f}, "
        f"min {min(same_30)}"
    )
    print(f"queries whose first 3 are the same, in order: {same_3} of {len(queries)}")
    for name, timings in (("exact", exact_t), ("projected", coarse_t)):
        p99 = timings[int(len(timings) * 0.99) - 1]
        print(f"{name} scan: p50 {statistics.median(timings):.1f} ms, p99 {p99:.1f} ms")


if __name__ == "__main__":
    main()
