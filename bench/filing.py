"""The filing benchmark: how fast pmbot files `/request <text>` against a bare Bolt app, and loses none.

    python -m bench.filing                  # 20 and 100 connections, 30 s each, SQLite
    python -m bench.filing --quick          # 5 s each, a smoke run
    python -m bench.filing --database-url postgresql://postgres@127.0.0.1:5432/postgres

For each concurrency it runs the bare app, then pmbot, each in a fresh uvicorn process of its own
with a fresh fake Slack process (and, for pmbot, a fresh database whose intake channel is set
through `storage.workspaces.set_intake_channel` before the server starts). See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import re
import shlex
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from bench.database import Reader, check_postgres_server, fresh_database, prepare
from bench.loadgen import LoadResult, Target, run_load
from bench.processes import (
    FakeSlackChild,
    ServerGroup,
    child_env,
    host_busy_cpu_seconds,
    pmbot_command,
    start_fake_slack,
    start_group,
)
from bench.report import header, render
from tests.fakes import TEAM_ID

LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
SECRET = "bench-signing-secret"
# Every card goes to one intake channel: at Slack's pace (1 a second) the benchmark would measure
# the pacer. The fake Slack takes any pace, so pacing is opened right up (and printed).
PACING = {"SLACK_CHANNEL_POSTS_PER_SECOND": "1000", "SLACK_WORKSPACE_RATE_FACTOR": "1000"}
BOT_TOKEN = "xoxb-bench-token"
INTAKE = "C_BENCH_INTAKE"
WARMUP_REQUESTS = 10
QUIET_SECONDS = 5.0  # the outbox is empty and no card arrived for this long: nothing more will come
POLL_SECONDS = 0.25
_FILED = re.compile(rb"Filed as \*REQ-(\d+)\*")


def pmbot_ack(body: bytes) -> int | None:
    """pmbot's ack names the request: "Filed as *REQ-12*"."""
    match = _FILED.search(body)
    return int(match.group(1)) if match else None


def bare_ack(_body: bytes) -> int | None:
    """The bare app's ack is any 200."""
    return 0


@dataclass
class Phase:
    """One server under one load."""

    app: str
    concurrency: int
    load: LoadResult
    peak_rss_kib: int
    server_cpu: float  # during the load
    fake_cpu: float
    host_cpu: float  # every process on the machine, during the load
    problems: list[str]
    exit_code: int | None = None
    # pmbot only
    completed: int = 0
    window: float = 0.0
    drain_seconds: float = 0.0
    pending_at_load_end: int = 0
    outbox_failed: int = 0
    lost: list[int] = field(default_factory=list)
    warmup_refs: list[int] = field(default_factory=list)
    server_cpu_at_start: float = 0.0
    server_cpu_to_drain: float = 0.0  # from the load's start until the outbox drained
    duplicate_cards: int = 0
    duplicate_acks: int = 0

    @property
    def completed_per_second(self) -> float:
        """Filings stored and carded, over the load plus however long the cards took to arrive."""
        return self.completed / self.window if self.window else math.nan


async def run_bare(concurrency: int, options: argparse.Namespace, workdir: Path) -> Phase:
    """The baseline: the bare Bolt app (in `--workers` processes) under the load."""
    fake = start_fake_slack(workdir, options.seconds + options.drain_timeout + 300)
    try:
        servers = start_group(
            "bare",
            [sys.executable, "-m", "bench.bare_app"],
            lambda port: _server_env(fake, port, options.log_level),
            workdir,
            options.workers,
        )
        try:
            phase = await _load(servers, fake, concurrency, options.seconds, bare_ack, "bare")
            phase.peak_rss_kib = servers.peak_rss_kib()
        finally:
            phase_exit = servers.stop()
        phase.exit_code, phase.problems = phase_exit, servers.log_problems()
        return phase
    finally:
        fake.stop()


async def run_pmbot(concurrency: int, options: argparse.Namespace, workdir: Path) -> Phase:
    """pmbot (in `--workers` processes) under the load, then until its outbox drains; then count
    what was lost."""
    fake = start_fake_slack(workdir, options.seconds + options.drain_timeout + 300)
    try:
        async with fresh_database(workdir, options.database_url, f"c{concurrency}") as url:
            await prepare(url, TEAM_ID, INTAKE)
            command = shlex.split(options.pmbot_command) if options.pmbot_command else pmbot_command()
            servers = start_group(
                "pmbot",
                command,
                lambda port: _server_env(fake, port, options.log_level, DATABASE_URL=url),
                workdir,
                options.workers,
            )
            reader = Reader(url)
            try:
                phase = await _load(servers, fake, concurrency, options.seconds, pmbot_ack, "pmbot")
                await _settle(phase, fake, reader, options.drain_timeout)
                phase.server_cpu_to_drain = servers.cpu_seconds() - phase.server_cpu_at_start
                phase.peak_rss_kib = servers.peak_rss_kib()
            finally:
                await reader.close()
                phase_exit = servers.stop()
        phase.exit_code, phase.problems = phase_exit, servers.log_problems()
        return phase
    finally:
        fake.stop()


def _server_env(fake: FakeSlackChild, port: int, log_level: str, **extra: str) -> dict[str, str]:
    return child_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=fake.base_url,
        HOST="127.0.0.1",
        PORT=str(port),
        LOG_LEVEL=log_level,
        **PACING,
        **extra,
    )


async def _load(
    server: ServerGroup, fake: FakeSlackChild, concurrency: int, seconds: float, parse, app: str
) -> Phase:
    await server.wait_until_listening()
    response_url = fake.base_url.replace("/api/", "/response/bench")
    target = Target(tuple(server.ports), SECRET, response_url=response_url)
    warmup = await run_load(
        target, parse, concurrency=1, seconds=60, max_requests_per_connection=WARMUP_REQUESTS
    )
    if warmup.acks != WARMUP_REQUESTS:
        raise RuntimeError(
            f"{app} did not ack the warm-up requests ({dict(warmup.not_acked)}, "
            f"{warmup.sample_failure!r}):\n{server.log_tail()}"
        )
    server_before, fake_before, host_before = (
        server.cpu_seconds(),
        fake.cpu_seconds(),
        host_busy_cpu_seconds(),
    )
    load = await run_load(target, parse, concurrency=concurrency, seconds=seconds)
    host_cpu = host_busy_cpu_seconds() - host_before
    phase = Phase(
        app=app,
        concurrency=concurrency,
        load=load,
        peak_rss_kib=0,
        server_cpu=server.cpu_seconds() - server_before,
        fake_cpu=fake.cpu_seconds() - fake_before,
        host_cpu=host_cpu,
        server_cpu_at_start=server_before,
        problems=[],
        warmup_refs=warmup.refs,
    )
    return phase


async def _settle(phase: Phase, fake: FakeSlackChild, reader: Reader, limit_seconds: float) -> None:
    """Wait until every acked filing has its card (or nothing more comes), then compare."""
    phase.pending_at_load_end, _ = await reader.outbox_counts()
    acked = set(phase.warmup_refs) | set(phase.load.refs)
    cards, posts, phase.drain_seconds = await _wait_for_cards(fake, reader, acked, limit_seconds)
    stored = await reader.stored_numbers(TEAM_ID)
    _, phase.outbox_failed = await reader.outbox_counts()
    phase.lost = sorted(ref for ref in acked if ref not in stored or ref not in cards)
    phase.duplicate_cards = posts - len(cards)
    phase.duplicate_acks = len(phase.load.refs) - len(set(phase.load.refs))
    done = [cards[ref] for ref in set(phase.load.refs) if ref in stored and ref in cards]
    phase.completed = len(done)
    last = max(done, default=phase.load.started_wall) - phase.load.started_wall
    phase.window = max(phase.load.elapsed, last)


async def _wait_for_cards(
    fake: FakeSlackChild, reader: Reader, expected: set[int], limit_seconds: float
) -> tuple[dict[int, float], int, float]:
    """The first card of each request ({ref: received at}), how many posts in all, and the wait."""
    started = time.monotonic()
    last_change, seen = started, -1
    polls = int(limit_seconds / POLL_SECONDS) + 1  # each poll sleeps POLL_SECONDS: at most ~limit_seconds
    async with aiohttp.ClientSession() as http:
        for poll in range(polls + 1):
            async with http.get(f"{fake.control_url}/cards", params={"channel": INTAKE}) as answer:
                posted = (await answer.json())["cards"]
            cards: dict[int, float] = {}
            for ref, at in posted:
                cards.setdefault(ref, at)
            now = time.monotonic()
            if len(posted) != seen:
                seen, last_change = len(posted), now
            if expected <= cards.keys() or poll == polls or now - started > limit_seconds:
                break
            pending, _ = await reader.outbox_counts()
            if pending == 0 and now - last_change > QUIET_SECONDS:
                break
            await asyncio.sleep(POLL_SECONDS)
    return cards, len(posted), time.monotonic() - started


async def run(options: argparse.Namespace) -> int:
    """Every phase, bare app first at each concurrency, then the report; 0 if nothing was lost."""
    database = (
        f"PostgreSQL at {options.database_url} (a database created and dropped per pmbot run)"
        if options.database_url
        else "SQLite, a fresh file per pmbot run"
    )
    print(
        header(
            seconds=options.seconds,
            concurrency=options.concurrency,
            database=database,
            warmup=WARMUP_REQUESTS,
            workers=options.workers,
            pacing=", ".join(f"{name}={value}" for name, value in PACING.items()),
        ),
        flush=True,
    )
    phases: list[Phase] = []
    runners = [
        runner for runner in (run_bare, run_pmbot) if runner.__name__.removeprefix("run_") in options.apps
    ]
    for concurrency in options.concurrency:
        for runner in runners:
            workdir = Path(tempfile.mkdtemp(prefix=f"pmbot-bench-{runner.__name__}-{concurrency}-"))
            try:
                phase = await runner(concurrency, options, workdir)
            finally:
                if options.keep_logs:
                    print(f"  logs kept in {workdir}", file=sys.stderr)
                else:
                    shutil.rmtree(workdir, ignore_errors=True)
            print(_progress(phase), file=sys.stderr, flush=True)
            phases.append(phase)
    report, clean = render(phases)
    print(report, flush=True)
    return 0 if clean else 1


def _progress(phase: Phase) -> str:
    line = f"  done: {phase.app} @{phase.concurrency}: {phase.load.acks_per_second:.1f} acks/s"
    if phase.app == "pmbot":
        line += f", {phase.completed_per_second:.1f} filings/s, lost {len(phase.lost)}"
    return line


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.filing", description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, help="load duration per run (default 30; 5 with --quick)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 5 s per load")
    parser.add_argument(
        "--concurrency",
        type=lambda text: [int(part) for part in text.split(",")],
        default=[20, 100],
        help="comma-separated connection counts (default 20,100)",
    )
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL server on loopback, e.g. postgresql://postgres@127.0.0.1:5432/postgres; the bench "
        "creates and drops a database of its own there (default: SQLite in a temp dir)",
    )
    parser.add_argument(
        "--postgres",
        action="store_true",
        help=f"PostgreSQL at {LOCAL_POSTGRES} (short for --database-url with it)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server processes per app (default 1): N `pmbot serve` against a bare app in N processes, "
        "the connections spread over them; more than one needs PostgreSQL (SQLite takes one process)",
    )
    parser.add_argument(
        "--apps",
        type=lambda text: text.split(","),
        default=["bare", "pmbot"],
        help="which servers to run (default bare,pmbot; the ratio needs both)",
    )
    parser.add_argument(
        "--pmbot-command",
        help="run this instead of `pmbot serve` (same environment), to measure a variant of pmbot",
    )
    parser.add_argument("--drain-timeout", type=float, help="longest wait for the outbox after the load (s)")
    parser.add_argument("--log-level", default="INFO", help="the servers' LOG_LEVEL (default INFO)")
    parser.add_argument("--keep-logs", action="store_true", help="keep each run's temp dir (server logs, db)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse the options and run the benchmark."""
    options = _parser().parse_args(argv)
    if options.seconds is None:
        options.seconds = 5.0 if options.quick else 30.0
    if options.drain_timeout is None:
        options.drain_timeout = 60.0 if options.quick else 180.0
    if options.postgres:
        options.database_url = options.database_url or LOCAL_POSTGRES
    if options.workers > 1 and not options.database_url:
        raise SystemExit("--workers above 1 needs PostgreSQL (--postgres): SQLite takes one pmbot process")
    if options.database_url:
        check_postgres_server(options.database_url)
    return asyncio.run(run(options))


if __name__ == "__main__":
    sys.exit(main())
