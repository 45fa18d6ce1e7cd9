"""The digest benchmark: build and render one weekly digest at 1k, 10k and 100k requests, counting SQL.

    python -m bench.digest                # SQLite, a fresh file per size, 15 timed builds a size
    python -m bench.digest --postgres     # also PostgreSQL at 127.0.0.1:5432 (skipped if it does not answer)
    python -m bench.digest --sizes 1000,10000 --runs 5 --explain

For each size it seeds a fresh database (bench/digest_seed.py: a year of requests, roadmap changes
and launches in proportion), then times `DigestContentService.build` for the last week and
`digest_message` + `to_dict()` + JSON (what chat.postMessage sends), counts the SQL statements with
a `before_cursor_execute` listener, and in the same run replays exactly the statements the build
issued (same SQL text, same parameters) on a bare connection: the floor under any digest. The
statement count must not change with the size, and 100k must build in under 10x the 1k time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import event, text

from bench.database import fresh_database
from bench.digest_seed import NOW, seed_team
from bot.config import normalise_database_url
from bot.services.digests.content import DigestContentService, DigestWindow
from bot.views.common import as_dicts
from bot.views.digests.message import digest_message
from storage.db import Database
from storage.migrate import upgrade_to_head

POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
# Proposed, not in the migrations: without it the triage list reads every request's audit entries.
TEAM = "T_BENCH"
WARM_UP = 3


class BenchUrls:
    """The workspace URL without Slack: no network in the measurement."""

    async def url(self, team_id: str) -> str | None:
        return "https://acme.slack.com/"


@dataclass
class Row:
    requests: int
    seed_s: float
    statements: list[int]
    build_ms: float
    render_ms: float
    bare_ms: float
    bare_statements: int
    blocks: int
    payload_kib: float
    totals: dict[str, int]

    @property
    def digest_ms(self) -> float:
        return self.build_ms + self.render_ms


class Recorder:
    """Every statement the read engine runs, with its parameters, while listening."""

    def __init__(self, db: Database) -> None:
        self.seen: list[tuple[str, Any]] = []
        self._engine = db.read_engine.sync_engine
        event.listen(self._engine, "before_cursor_execute", self._record)

    def _record(self, _conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        self.seen.append((statement, parameters))

    def close(self) -> None:
        event.remove(self._engine, "before_cursor_execute", self._record)


async def measure(db: Database, requests: int, seed_s: float, runs: int, explain: bool) -> Row:
    """Time `runs` builds after warm-up, each followed by a replay of its statements on a bare connection."""
    service = DigestContentService(db, _Clock(), workspace_urls=BenchUrls())
    window = DigestWindow(TEAM, NOW - timedelta(days=7), NOW)
    recorder = Recorder(db)
    build_t, render_t, bare_t, counts = [], [], [], []
    try:
        for run in range(runs + WARM_UP):
            recorder.seen.clear()
            started = time.perf_counter()
            digest = await service.build(window)
            built = time.perf_counter()
            _, blocks = digest_message(digest)
            payload = json.dumps(as_dicts(blocks))
            done = time.perf_counter()
            issued = list(recorder.seen)
            bare = await replay(db, issued)
            if run >= WARM_UP:  # the first builds warm the pool, caches and statement cache
                build_t.append(built - started)
                render_t.append(done - built)
                bare_t.append(bare)
                counts.append(len(issued))
    finally:
        recorder.close()
    if explain:
        await print_plans(db, issued)
    totals = {str(which): listed.total for which, listed in digest.lists.items()}
    selects = [statement for statement, _ in issued if statement != "BEGIN"]
    return Row(
        requests, seed_s, sorted(set(counts)), _ms(build_t), _ms(render_t), _ms(bare_t), len(selects),
        len(blocks), len(payload) / 1024, totals,
    )  # fmt: skip


async def replay(db: Database, issued: list[tuple[str, Any]]) -> float:
    """Run the same statements with the same parameters on a bare connection, rows fetched as tuples."""
    started = time.perf_counter()
    async with db.read_engine.connect() as connection:
        for statement, parameters in issued:
            if statement != "BEGIN":  # the connection begins its own transaction, as the session did
                (await connection.exec_driver_sql(statement, parameters)).all()
    return time.perf_counter() - started


async def print_plans(db: Database, issued: list[tuple[str, Any]]) -> None:
    """Each statement's time (one run) and plan (EXPLAIN QUERY PLAN on SQLite, EXPLAIN on PostgreSQL)."""
    prefix = "EXPLAIN QUERY PLAN " if db.is_sqlite else "EXPLAIN "
    async with db.read_engine.connect() as connection:
        for statement, parameters in issued:
            if statement == "BEGIN":
                continue
            started = time.perf_counter()
            (await connection.exec_driver_sql(statement, parameters)).all()
            took = (time.perf_counter() - started) * 1000
            print(f"\n{took:.2f} ms: " + " ".join(statement.split())[:150] + " ...")
            for row in (await connection.exec_driver_sql(prefix + statement, parameters)).all():
                print("    " + " | ".join(str(cell) for cell in row))


class _Clock:
    def now(self) -> Any:
        return NOW


def _ms(seconds: list[float]) -> float:
    return statistics.median(seconds) * 1000


def report(rows: list[Row], database: str, runs: int) -> bool:
    """Print the table; True if the statement count was the same at every size and 100k < 10x 1k."""
    print(f"\nWeekly digest build: {database}, median of {runs} builds per size (after {WARM_UP} warm-up)")
    print(
        f"{'requests':>9}{'seed s':>8}{'SQL':>6}{'build ms':>10}{'render ms':>11}{'digest ms':>11}"
        f"{'bare SQL ms':>13}{'ratio':>7}{'vs first':>10}{'blocks':>8}{'KiB':>6}"
    )
    first = rows[0].digest_ms
    for row in rows:
        shown = "/".join(str(n) for n in row.statements)
        print(
            f"{row.requests:>9,}{row.seed_s:>8.1f}{shown:>6}{row.build_ms:>10.2f}{row.render_ms:>11.2f}"
            f"{row.digest_ms:>11.2f}{row.bare_ms:>13.2f}{row.digest_ms / row.bare_ms:>7.2f}"
            f"{row.digest_ms / first:>9.1f}x{row.blocks:>8}{row.payload_kib:>6.1f}"
        )
    for row in rows:
        print(
            f"  in the window at {row.requests:,}: " + ", ".join(f"{k} {v:,}" for k, v in row.totals.items())
        )
    counts = {count for row in rows for count in row.statements}
    fixed = len(counts) == 1
    growth = rows[-1].digest_ms / first
    print(
        f"bare baseline: the build's own {rows[0].bare_statements} SELECTs replayed (ratio = digest / bare)"
    )
    print(f"statement count the same at every size: {'yes' if fixed else 'NO'} ({sorted(counts)})")
    print(f"largest size / first size: {growth:.1f}x ({'under' if growth < 10 else 'NOT under'} 10x)")
    return fixed and growth < 10


async def run_on(server: str | None, sizes: list[int], options: argparse.Namespace) -> bool:
    """Seed and measure every size in a database of its own; print the table."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="pmbot-bench-digest-") as workdir:
        for size in sizes:
            folder = Path(workdir) / str(size)
            folder.mkdir()
            async with fresh_database(folder, server, f"digest{size}") as url:
                db = Database(normalise_database_url(url))
                try:
                    await upgrade_to_head(db)
                    started = time.perf_counter()
                    await seed_team(db, TEAM, size)
                    seeded = time.perf_counter() - started
                    if not db.is_sqlite:  # statistics, as autovacuum would gather on a live database
                        async with db.transaction() as session:
                            await session.execute(text("ANALYZE"))
                    explain = options.explain and size == sizes[-1]
                    rows.append(await measure(db, size, seeded, options.runs, explain))
                finally:
                    await db.dispose()
    kind = "PostgreSQL" if server else "SQLite (WAL file)"
    return report(rows, kind, options.runs)


async def postgres_answers() -> bool:
    """True when PostgreSQL accepts a connection at 127.0.0.1:5432."""
    try:
        connection = await asyncpg.connect(POSTGRES, timeout=3)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return False
    await connection.close()
    return True


async def run(options: argparse.Namespace) -> int:
    sizes = [int(size) for size in options.sizes.split(",")]
    ok = True if options.postgres_only else await run_on(None, sizes, options)
    if options.postgres or options.postgres_only:
        if await postgres_answers():
            ok = await run_on(POSTGRES, sizes, options) and ok
        else:
            print("\nPostgreSQL does not answer at 127.0.0.1:5432: skipped")
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.digest", description=__doc__.split("\n")[0])
    parser.add_argument("--postgres", action="store_true", help="also run on PostgreSQL at 127.0.0.1:5432")
    parser.add_argument(
        "--sizes", default="1000,10000,100000", help="requests per database (default 1k,10k,100k)"
    )
    parser.add_argument("--runs", type=int, default=15, help="timed builds per size (default 15)")
    parser.add_argument("--postgres-only", action="store_true", help="run on PostgreSQL only")
    parser.add_argument(
        "--explain", action="store_true", help="print each statement's plan at the largest size"
    )
    return asyncio.run(run(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
