"""The similar-requests benchmark: top-3 recall, false alarms, latency and SQL statements per suggestion.

    python -m bench.similar                 # SQLite and PostgreSQL, 1k / 5,105 (the eval set) / 10k / 100k
    python -m bench.similar --sqlite-only --sizes 5105 --misses   # the eval set, printing what it got wrong
    python -m bench.similar --budgets vectors   # sentence vectors (the `similar` extra)

For each database and size it seeds a fresh workspace with every pair's original (`similar_eval/`)
among generated unrelated titles (see bench/similar_corpus.py), and another workspace holding each
paraphrase word for word (any suggestion of one would be a workspace leak). Then, through
`SimilarRequests.find` (the code the modal, `/request <text>` and the card use), once per match
budget of `--budgets` on the same data ('none': the first version, every word OR-ed; 'vectors': the
sentence vectors of the `similar` extra, every title's vector stored as the background embedder
would, from a cache of embedded titles in bench/.sentence_vectors/):

- top-3 recall: the share of paraphrases whose original is among the suggestions shown (at most 3),
  over all pairs, the tuning half (even-numbered pairs) and the held-out half (odd-numbered);
- false alarms: the share of no-match queries for which anything at all is shown;
- latency p50 / p99 of one suggestion (read session, frequency and search statements, re-scoring),
  over every query, three passes after a warm-up; the same statements replayed bare right after
  each suggestion; the load average; and the SQL statements each suggestion ran.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.database import check_postgres_server, fresh_database
from bench.digest import Recorder, replay
from bench.similar_corpus import no_match_queries, pairs
from bench.similar_seed import OTHER_TEAM, TEAM, seed
from bot.clock import SystemClock
from bot.config import normalise_database_url
from bot.services.requests.similar import MATCH_BUDGET, SimilarRequests
from bot.services.requests.vector_search import STAND_OUT
from storage.db import Database
from storage.migrate import upgrade_to_head
from storage.writer import Writer

EVAL_SIZE = 5105  # every pair's original and 5,000 unrelated titles
SIZES = (1000, EVAL_SIZE, 10000, 100000)
PASSES = 3
POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
VECTORS = "vectors"


@dataclass(frozen=True)
class Rule:
    """A swept relevance floor and, for vectors, margin over the crowd (None: the mode's own)."""

    floor: float | None = None
    stand_out: float = STAND_OUT


@dataclass
class Result:
    database: str
    size: int
    budget: int | str | None  # a match budget, None (every word) or "vectors"
    hits: list[bool]  # by pair index: even pairs are the tuning half, odd ones held out
    false_alarms: float
    p50_ms: float
    p99_ms: float
    bare_p50_ms: float
    bare_p99_ms: float
    statements: set[int]
    leaks: int
    seed_s: float
    load: float

    @property
    def recall(self) -> float:
        return _share(self.hits)


async def run_size(
    kind: str,
    url: str,
    size: int,
    budgets: list[int | str | None],
    show_misses: bool,
    quality_only: bool = False,
) -> list[Result]:
    """Seed one fresh database of `size` requests and measure it with each match budget."""
    db = Database(normalise_database_url(url))
    results = []
    try:
        await upgrade_to_head(db)
        started = time.perf_counter()
        seeded = await seed(db, size, datetime.now(UTC))
        seed_s = time.perf_counter() - started
        for budget in budgets:
            similar = await _similar(db, budget)
            hits, leaks = await _recall(similar, seeded.originals, show_misses)
            false_alarms = await _false_alarms(similar, show_misses)
            load = os.getloadavg()[0]
            latency = (0.0, 0.0, 0.0, 0.0, set()) if quality_only else await _latency(db, similar)
            results.append(
                Result(kind, seeded.total, budget, hits, false_alarms, *latency, leaks, seed_s, load)
            )
            if similar.vectors is not None:
                await similar.vectors.stop()
    finally:
        await db.dispose()
    return results


async def _similar(db: Database, budget: int | str | None) -> SimilarRequests:
    """The service as measured: by words within `budget`, or by sentence vectors, stored and loaded."""
    if budget != VECTORS:
        return SimilarRequests(db, Writer(db), SystemClock(), match_budget=budget)  # type: ignore[arg-type]
    from bot.services.requests.sentence_model import load_encoder

    load_encoder()  # before the bench's own numpy import, so that numpy starts as in pmbot: one BLAS thread
    from bench.similar_store_vectors import store_vectors
    from bot.services.requests.vector_search import SentenceVectors

    await store_vectors(db)
    vectors = SentenceVectors(db, Writer(db), remembered=0)  # every pass embeds its queries again
    await vectors.ready()
    if vectors.embedder is not None:  # every vector is stored; its polls would count as the suggestion's
        await vectors.embedder.stop()
    started = time.perf_counter()
    await vectors.index.warm(TEAM)
    print(f"  vectors loaded in {time.perf_counter() - started:.1f} s", flush=True)
    return SimilarRequests(db, Writer(db), SystemClock(), vectors=vectors)


async def _recall(
    similar: SimilarRequests, originals: dict[int, int], show: bool, rule: Rule = Rule()
) -> tuple[list[bool], int]:
    hits, leaks = [], 0
    paraphrases = {pair.paraphrase for pair in pairs()}
    for index, pair in enumerate(pairs()):
        shown = await similar.find(TEAM, pair.paraphrase, floor=rule.floor, stand_out=rule.stand_out)
        leaks += sum(1 for s in shown if s.title in paraphrases and s.title != pair.original)
        hits.append(originals[index] in [s.number for s in shown])
        if show and not hits[-1]:
            print(f"  MISS {pair.paraphrase!r} -> want {pair.original!r}; got {[s.title for s in shown]}")
    return hits, leaks


def _share(hits: list[bool]) -> float:
    return sum(hits) / len(hits)


async def _false_alarms(similar: SimilarRequests, show: bool, rule: Rule = Rule()) -> float:
    alarms = 0
    for query in no_match_queries():
        shown = await similar.find(TEAM, query, floor=rule.floor, stand_out=rule.stand_out)
        if shown:
            alarms += 1
            if show:
                print(f"  ALARM {query!r} -> {[(s.title, s.score) for s in shown]}")
    return alarms / len(no_match_queries())


async def _latency(db: Database, similar: SimilarRequests) -> tuple[float, float, float, float, set[int]]:
    """p50/p99 of a suggestion, p50/p99 of its very statements replayed bare, and the statement counts."""
    queries = [pair.paraphrase for pair in pairs()] + no_match_queries()
    for query in queries[:20]:  # warm-up: connections, caches
        await similar.find(TEAM, query)
    timings: list[float] = []
    bare: list[float] = []
    statements: set[int] = set()
    recorder = Recorder(db)
    try:
        for _ in range(PASSES):
            for query in queries:
                recorder.seen.clear()
                started = time.perf_counter()
                await similar.find(TEAM, query)
                timings.append((time.perf_counter() - started) * 1000)
                issued = list(recorder.seen)
                statements.add(len(issued))
                bare.append(await replay(db, issued) * 1000 if issued else 0.0)
    finally:
        recorder.close()
    return (*_p50_p99(timings), *_p50_p99(bare), statements)


def _p50_p99(timings: list[float]) -> tuple[float, float]:
    timings = sorted(timings)
    return statistics.median(timings), timings[int(len(timings) * 0.99) - 1]


HEADER = (
    "| database | requests | match budget | top-3 recall: all / tuning / held-out | false alarms "
    "| p50 / p99 ms | bare SQL p50 / p99 ms | load | statements | leaks | seeding |"
)


def print_result(result: Result) -> None:
    """One line of the table."""
    statements = "/".join(str(n) for n in sorted(result.statements))
    recall = f"{result.recall:.1%} / {_share(result.hits[0::2]):.1%} / {_share(result.hits[1::2]):.1%}"
    budget = f"{result.budget:,}" if isinstance(result.budget, int) else str(result.budget or "none")
    print(
        f"| {result.database} | {result.size:,} | {budget} | {recall} | {result.false_alarms:.1%} "
        f"| {result.p50_ms:.1f} / {result.p99_ms:.1f} | {result.bare_p50_ms:.1f} / {result.bare_p99_ms:.1f} "
        f"| {result.load:.1f} | {statements} | {result.leaks} | {result.seed_s:.0f} s |",
        flush=True,
    )


async def sweep_floors(
    floors: list[float], stand_outs: list[float | None], size: int, budgets: list[int | str | None]
) -> None:
    """Recall (whole, tuning half, held-out half) and false alarms at other relevance floors and,
    for vectors, margins over the crowd (SQLite)."""
    print("| requests | match budget | floor | stand out | top-3 recall: all / tuning / held-out |", end="")
    print(" false alarms |\n| --- | --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory(prefix="pmbot-similar-") as workdir:
        db = Database(f"sqlite+aiosqlite:///{Path(workdir) / 'sweep.db'}")
        try:
            await upgrade_to_head(db)
            seeded = await seed(db, size, datetime.now(UTC))
            for budget in budgets:
                similar = await _similar(db, budget)
                for floor in floors:
                    for stand_out in stand_outs if budget == VECTORS else [None]:
                        rule = Rule(floor) if stand_out is None else Rule(floor, stand_out)
                        hits, _ = await _recall(similar, seeded.originals, False, rule)
                        alarms = await _false_alarms(similar, False, rule)
                        recall = f"{_share(hits):.1%} / {_share(hits[0::2]):.1%} / {_share(hits[1::2]):.1%}"
                        margin = "shipped" if stand_out is None else f"{stand_out:.2f}"
                        print(f"| {seeded.total:,} | {budget} | {floor:.2f} | {margin} | ", end="")
                        print(f"{recall} | {alarms:.1%} |", flush=True)
                if similar.vectors is not None:
                    await similar.vectors.stop()
        finally:
            await db.dispose()


async def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit status 1 if a target is missed or a suggestion leaked across workspaces."""
    args = _parser().parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    budgets = [_budget(budget) for budget in args.budgets.split(",")]
    if args.stand_outs and not args.floors:
        _parser().error("--stand-outs sweeps with --floors")
    if args.floors:
        floors = [float(floor) for floor in args.floors.split(",")]
        stand_outs = [float(margin) for margin in args.stand_outs.split(",")] if args.stand_outs else [None]
        await sweep_floors(floors, stand_outs, sizes[0], budgets)
        return 0
    kinds = [] if args.postgres_only else [("SQLite", None)]
    if not args.sqlite_only:
        kinds.append(("PostgreSQL", check_postgres_server(args.database_url)))
    print(f"{len(pairs())} pairs, {len(no_match_queries())} no-match queries; other workspace: {OTHER_TEAM}")
    print(HEADER)
    print("|" + " --- |" * (HEADER.count("|") - 1))
    results = []
    with tempfile.TemporaryDirectory(prefix="pmbot-similar-") as workdir:
        for kind, server in kinds:
            for size in sizes:
                folder = Path(workdir) / f"{kind}-{size}"
                folder.mkdir()
                async with fresh_database(folder, server, f"similar_{size}") as url:
                    measured = await run_size(kind, url, size, budgets, args.misses, args.quality_only)
                for result in measured:
                    print_result(result)
                shipped = VECTORS if VECTORS in budgets else MATCH_BUDGET
                results += [result for result in measured if result.budget == shipped]
    # The statements a suggestion runs depend on how many words were typed, never on the size.
    counts = {kind: {frozenset(r.statements) for r in results if r.database == kind} for kind, _ in kinds}
    constant = all(len(seen) == 1 for seen in counts.values())
    return 0 if constant and all(_met(result) for result in results) else 1


def _budget(text: str) -> int | str | None:
    if text == "none":
        return None
    return VECTORS if text == VECTORS else int(text)


def _met(result: Result) -> bool:
    quality = result.recall >= 0.85 and result.false_alarms <= 0.20
    return quality and result.p99_ms < 50 and result.leaks == 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.similar", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--database-url", default=POSTGRES, help="a PostgreSQL server on loopback")
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--postgres-only", action="store_true")
    parser.add_argument("--quality-only", action="store_true", help="recall and false alarms, no latency")
    parser.add_argument(
        "--budgets",
        default=f"none,{MATCH_BUDGET}",
        help="match budgets to compare on the same data ('none': every term goes to the database; "
        "'vectors': sentence vectors)",
    )
    parser.add_argument("--misses", action="store_true", help="print each missed pair and false alarm")
    parser.add_argument("--floors", help="only sweep these floors on the evaluation set, e.g. 0.4,0.5")
    parser.add_argument(
        "--stand-outs", help="with --floors and vectors: sweep these margins over the crowd too, e.g. 0,0.1"
    )
    return parser


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
