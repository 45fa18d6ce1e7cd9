"""The Home tab benchmark: build and render one person's home at growing list sizes, counting SQL.

    python -m bench.home                  # SQLite in a temp dir, 30 timed builds a size
    python -m bench.home --database-url postgresql://postgres@127.0.0.1:5432/postgres

For each size it seeds one workspace where the person asked for N requests, follows N requests of
others, has N pending proposals waiting for their vote, owns N checklist items due within a week and
sees N upcoming launches (with others' requests, done or later items and past, cancelled or distant
launches as noise), then
times `HomeService.queue` + `home_view(...).to_dict()` + JSON encoding (what views.publish sends),
counts the SQL statements with a `before_cursor_execute` listener, and compares with the bare
SELECTs the home needs (same WHERE, ORDER BY, LIMIT and totals, no ORM, no rendering), timed in
the same run on the same engine. The statement count must not change with the size.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, text

from bench.database import check_postgres_server, fresh_database
from bench.home_seed import ME, OPEN, seed_team
from bot.clock import SystemClock
from bot.config import normalise_database_url
from bot.services.home.service import HomeService
from bot.services.settings.permissions import Permissions
from bot.views.home.tab import home_view
from storage.db import Database
from storage.migrate import upgrade_to_head

SIZES = {f"{n:,} per list": (n, n, n, n, n) for n in (10, 100, 1000)}
# Issue 6: 1,000 requests, 100 followed, 50 pending votes, 200 checklist items (and 20 launches).
ISSUE_MIX = ("issue mix 1000/100/50/200/20", (1000, 100, 50, 200, 20))


class BenchDirectory:
    """The person is a workspace admin; no user groups. No Slack in the measurement."""

    async def is_workspace_admin(self, team_id: str, user_id: str) -> bool:
        return user_id == ME

    async def usergroup_member_ids(self, team_id: str, group_id: str) -> list[str]:
        return []

    async def timezone(self, team_id: str, user_id: str) -> str:
        return "UTC"


@dataclass
class Row:
    label: str
    statements: list[int]
    queue_ms: float
    render_ms: float
    total_ms: float
    bare_ms: float
    bare_statements: int
    blocks: int
    payload_kib: float


async def measure(db: Database, home: HomeService, team_id: str, label: str, runs: int) -> Row:
    """Time `runs` builds (after warm-up), and as many bare baselines, interleaved."""
    counted: list[str] = []
    engine = db.read_engine.sync_engine

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        counted.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        queue_t, render_t, total_t, bare_t, statements, bare_statements = [], [], [], [], [], 0
        for run in range(runs + 3):
            counted.clear()
            started = time.perf_counter()
            queue = await home.queue(team_id, ME)
            built = time.perf_counter()
            view = home_view(queue).to_dict()
            payload = json.dumps(view)
            done = time.perf_counter()
            statements.append(len(counted))
            counted.clear()
            bare = await time_it(lambda: bare_selects(db, team_id))
            bare_statements = len(counted)
            if run >= 3:  # the first builds warm the pool, caches and statement cache
                queue_t.append(built - started)
                render_t.append(done - built)
                total_t.append(done - started)
                bare_t.append(bare)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return Row(
        label,
        sorted(set(statements[3:])),
        _ms(queue_t),
        _ms(render_t),
        _ms(total_t),
        _ms(bare_t),
        bare_statements,
        len(view["blocks"]),
        len(payload) / 1024,
    )


async def time_it(work: Callable[[], Awaitable[None]]) -> float:
    started = time.perf_counter()
    await work()
    return time.perf_counter() - started


async def bare_selects(db: Database, team_id: str) -> None:
    """The SELECTs the home needs, as text, rows fetched as tuples: the floor under any home."""
    now = datetime.now(UTC)
    today = now.date()
    params = {
        "team": team_id,
        "me": ME,
        "now": now,
        "shown": 8,
        "due_by": today + timedelta(days=7),
        "until": today + timedelta(days=30),
    }
    async with db.read() as session:
        for statement in BARE_SQL:
            (await session.execute(text(statement), params)).all()


BARE_SQL = [
    "SELECT intake_channel_id FROM workspace WHERE team_id = :team",
    "SELECT role, user_id FROM workspace_member WHERE team_id = :team ORDER BY user_id",
    "SELECT * FROM approval_policy WHERE team_id = :team",
    "SELECT r.id, r.number, r.title, r.status, r.updated_at, r.needed_by, count(*) OVER () FROM request r"
    f" WHERE r.team_id = :team AND r.status IN ({OPEN}) AND (r.requester_id = :me OR r.filed_by_id = :me)"
    " ORDER BY r.updated_at DESC, r.number DESC LIMIT :shown",
    "SELECT r.id, r.number, r.title, r.status, r.updated_at, r.requester_id, count(*) OVER ()"
    " FROM request r JOIN request_follower f ON f.request_id = r.id"
    f" WHERE f.team_id = :team AND f.user_id = :me AND r.team_id = :team AND r.status IN ({OPEN})"
    " AND r.requester_id != :me AND r.filed_by_id != :me"
    " ORDER BY r.updated_at DESC, r.number DESC LIMIT :shown",
    "SELECT p.id, p.number, p.kind, p.changes, p.proposer_id, p.expires_at, i.number, i.title,"
    " count(*) OVER () FROM proposal p LEFT JOIN roadmap_item i ON i.id = p.item_id"
    " WHERE p.team_id = :team AND p.status = 'pending' AND p.expires_at > :now AND p.proposer_id != :me"
    " AND NOT EXISTS (SELECT 1 FROM proposal_vote v WHERE v.proposal_id = p.id"
    " AND v.approver_id = :me AND v.revision = p.revision)"
    " ORDER BY p.expires_at, p.number LIMIT :shown",
    "SELECT i.id, i.title, i.due_date, l.number, l.name, l.launch_date, count(*) OVER ()"
    " FROM launch_item i JOIN launch l ON l.id = i.launch_id"
    " WHERE i.team_id = :team AND i.owner_id = :me AND NOT i.done AND i.due_date <= :due_by"
    " AND l.team_id = :team AND l.status IN ('planned', 'slipped')"
    " ORDER BY i.due_date, l.number, i.position LIMIT :shown",
    "SELECT l.id, l.number, l.name, l.launch_date, l.status, l.owner_id,"
    " (SELECT sum(CASE WHEN i.done THEN 1 ELSE 0 END) FROM launch_item i"
    " WHERE i.team_id = :team AND i.launch_id = l.id),"
    " (SELECT count(*) FROM launch_item i WHERE i.team_id = :team AND i.launch_id = l.id),"
    " count(*) OVER () FROM launch l"
    " WHERE l.team_id = :team AND l.status IN ('planned', 'slipped') AND l.launch_date <= :until"
    " ORDER BY l.launch_date, l.number LIMIT :shown",
    "SELECT r.id, r.number, r.title, r.requester_id, r.created_at, count(*) OVER () FROM request r"
    " WHERE r.team_id = :team AND r.status = 'new' ORDER BY r.created_at, r.number LIMIT :shown",
    "SELECT r.id, r.number, r.title, r.status, r.updated_at, r.requester_id, count(*) OVER () FROM request r"
    f" WHERE r.team_id = :team AND r.assignee_id = :me AND r.status IN ({OPEN})"
    " ORDER BY r.updated_at DESC, r.number DESC LIMIT :shown",
    "SELECT p.id, p.number, p.kind, p.changes, p.revision, p.expires_at, i.number, i.title,"
    " count(*) OVER () FROM proposal p LEFT JOIN roadmap_item i ON i.id = p.item_id"
    " WHERE p.team_id = :team AND p.proposer_id = :me AND p.status = 'pending'"
    " ORDER BY p.expires_at, p.number LIMIT :shown",
    "SELECT v.proposal_id, v.approver_id, v.revision FROM proposal_vote v WHERE v.team_id = :team"
    " AND v.proposal_id IN (SELECT p.id FROM proposal p WHERE p.team_id = :team AND p.proposer_id = :me"
    " AND p.status = 'pending' ORDER BY p.expires_at, p.number LIMIT :shown)",
]


async def analyze(db: Database) -> None:
    """Give PostgreSQL's planner statistics, as autovacuum would on a live database: without them
    it takes the freshly seeded tables for one-row tables and nests loops over thousands of rows."""
    async with db.transaction() as session:
        await session.execute(text("ANALYZE"))


def _ms(seconds: list[float]) -> float:
    return statistics.median(seconds) * 1000


def report(rows: list[Row], database: str, runs: int) -> bool:
    """Print the table; True if the statement count was the same at every size."""
    print(f"Home tab build: {database}, median of {runs} builds per size (after 3 warm-up builds)")
    print(
        f"{'lists (each of 5, or the mix)':<30}{'SQL':>5}{'queue ms':>10}{'render ms':>11}{'total ms':>10}"
        f"{'bare SQL ms':>13}{'ratio':>7}{'blocks':>8}{'KiB':>7}"
    )
    for row in rows:
        shown = "/".join(str(n) for n in row.statements)
        print(
            f"{row.label:<30}{shown:>5}{row.queue_ms:>10.2f}{row.render_ms:>11.2f}{row.total_ms:>10.2f}"
            f"{row.bare_ms:>13.2f}{row.total_ms / row.bare_ms:>7.1f}{row.blocks:>8}{row.payload_kib:>7.1f}"
        )
    counts = {count for row in rows for count in row.statements}
    bare = rows[0].bare_statements
    print(f"bare baseline: the same {bare} statements as text SQL (ratio = total / bare SQL)")
    fixed = len(counts) == 1
    print(f"statement count the same at every size: {'yes' if fixed else 'NO'} ({sorted(counts)})")
    return fixed


async def run(options: argparse.Namespace) -> int:
    server = check_postgres_server(options.database_url) if options.database_url else None
    with tempfile.TemporaryDirectory(prefix="pmbot-bench-home-") as workdir:
        async with fresh_database(Path(workdir), server, "home") as url:
            db = Database(normalise_database_url(url))
            try:
                await upgrade_to_head(db)
                cases = [*SIZES.items(), ISSUE_MIX]
                for n, (_label, sizes) in enumerate(cases):
                    await seed_team(db, f"T_BENCH_{n}", *sizes)
                if server:
                    await analyze(db)
                directory = BenchDirectory()
                home = HomeService(db, Permissions(db, directory), SystemClock(), directory)
                rows = [
                    await measure(db, home, f"T_BENCH_{n}", label, options.runs)
                    for n, (label, _sizes) in enumerate(cases)
                ]
            finally:
                await db.dispose()
    kind = "PostgreSQL" if server else "SQLite (WAL file)"
    return 0 if report(rows, kind, options.runs) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.home", description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="a PostgreSQL server on loopback (default: SQLite)")
    parser.add_argument("--runs", type=int, default=30, help="timed builds per size (default 30)")
    return asyncio.run(run(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
