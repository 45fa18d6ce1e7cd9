"""The filing benchmark's printed report."""

from __future__ import annotations

import math
import os
import platform
import signal
import time
from importlib.metadata import version
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bench.filing import Phase

TARGET_RATIO = 0.35
SHOWN_PROBLEMS = 5


def header(
    *, seconds: float, concurrency: list[int], database: str, warmup: int, workers: int, pacing: str
) -> str:
    """What ran, where, and how busy the machine was when it started."""
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    return "\n".join(
        [
            f"pmbot filing benchmark, {time.strftime('%Y-%m-%d %H:%M:%S %Z')}",
            f"host: {os.cpu_count()} CPUs, load average {load} at start; Python {platform.python_version()}, "
            f"uvicorn {version('uvicorn')}, slack-bolt {version('slack-bolt')}, "
            f"slack-sdk {version('slack-sdk')}",
            f"database: {database}",
            "intake channel: written with storage.workspaces.set_intake_channel before each pmbot "
            "server starts",
            "load: signed `/request <text>` POSTs to /slack/events over keep-alive HTTP/1.1, one in "
            f"flight per "
            f"connection; {warmup} warm-up requests, then {seconds:g} s at each of "
            f"{', '.join(map(str, concurrency))} connections",
            f"each run: {workers} fresh uvicorn server process(es) per app (the connections spread over "
            "them), a fresh FakeSlack process, (pmbot) a fresh database",
            f"pmbot's pacing of Slack calls: {pacing} (the fake Slack takes any pace)",
            "",
        ]
    )


def render(phases: list[Phase]) -> tuple[str, bool]:
    """The report, and whether nothing was lost and no server logged an error."""
    lines = [_acks_table(phases), "", _filings_table(phases), "", *_verdicts(phases)]
    problems = [phase for phase in phases if phase.problems or not _clean_exit(phase)]
    lost = sum(len(phase.lost) for phase in phases if phase.app == "pmbot")
    return "\n".join(lines), lost == 0 and not problems


def _acks_table(phases: list[Phase]) -> str:
    rows = [
        f"{'':14} {'acks/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'>3 s':>5} {'not acked':>10} "
        f"{'peak RSS':>10} {'server CPU':>11} {'loadgen CPU':>12} {'fake CPU':>9} {'others CPU':>11} "
        f"{'CPU ms/ack':>11}"
    ]
    for phase in phases:
        load = phase.load
        others = max(0.0, phase.host_cpu - phase.server_cpu - load.cpu_seconds - phase.fake_cpu)
        rows.append(
            f"{phase.app:<6} @{phase.concurrency:>3} conns {load.acks_per_second:>8.1f} "
            f"{load.percentile_ms(0.5):>8.1f} {load.percentile_ms(0.99):>8.1f} {load.late_acks:>5} "
            f"{sum(load.not_acked.values()):>10} {phase.peak_rss_kib / 1024:>6.1f} MiB "
            f"{_percent(phase.server_cpu, load.elapsed):>11} {_percent(load.cpu_seconds, load.elapsed):>12} "
            f"{_percent(phase.fake_cpu, load.elapsed):>9} {_percent(others, load.elapsed):>11} "
            f"{_per_item_ms(phase.server_cpu, load.acks):>11}"
        )
    rows.append(
        "  (CPU: % of one core during the load; others = the rest of this shared machine; "
        "CPU ms/ack = server CPU per ack during the load; peak RSS = the server's VmHWM)"
    )
    for phase in phases:
        if phase.load.not_acked:
            rows.append(
                f"  {phase.app} @{phase.concurrency}: not acked {dict(phase.load.not_acked)}, "
                f"e.g. {phase.load.sample_failure!r}"
            )
    return "\n".join(rows)


def _filings_table(phases: list[Phase]) -> str:
    rows = [
        "pmbot filings, completed = stored AND its card posted to the fake "
        "(rate over the load plus the drain after it;",
        "  CPU ms/filing = server CPU from the load's start until the outbox drained, per completed filing):",
        f"{'':14} {'completed/s':>11} {'completed':>10} {'of acks':>8} {'outbox at load end':>19} "
        f"{'drain s':>8} {'lost':>5} {'dup cards':>10} {'jobs failed':>12} {'CPU ms/filing':>14}",
    ]
    for phase in phases:
        if phase.app != "pmbot":
            continue
        rows.append(
            f"pmbot  @{phase.concurrency:>3} conns {phase.completed_per_second:>11.1f} {phase.completed:>10} "
            f"{phase.load.acks:>8} {phase.pending_at_load_end:>19} {phase.drain_seconds:>8.1f} "
            f"{len(phase.lost):>5} {phase.duplicate_cards:>10} {phase.outbox_failed:>12} "
            f"{_per_item_ms(phase.server_cpu_to_drain, phase.completed):>14}"
        )
    return "\n".join(rows)


def _verdicts(phases: list[Phase]) -> list[str]:
    lines = [f"ratio, pmbot completed filings/s / bare acks/s (target >= {TARGET_RATIO}):"]
    bare = {phase.concurrency: phase for phase in phases if phase.app == "bare"}
    for phase in phases:
        if phase.app != "pmbot" or phase.concurrency not in bare:
            continue
        baseline = bare[phase.concurrency].load.acks_per_second
        ratio = phase.completed_per_second / baseline if baseline else math.nan
        verdict = "meets the target" if ratio >= TARGET_RATIO else "BELOW the target"
        lines.append(
            f"  @{phase.concurrency:>3} conns: {ratio:.3f} ({phase.completed_per_second:.1f} / "
            f"{baseline:.1f})  {verdict}"
        )
    lost = [(phase.concurrency, phase.lost) for phase in phases if phase.app == "pmbot"]
    total = sum(len(refs) for _, refs in lost)
    detail = "; ".join(f"@{c}: {len(refs)}" + (f" e.g. REQ-{refs[0]}" if refs else "") for c, refs in lost)
    lines.append(f"lost (acked, but never stored or its card never reached the fake): {total} ({detail})")
    duplicate_acks = sum(phase.duplicate_acks for phase in phases)
    if duplicate_acks:
        lines.append(f"the same REQ number acked twice: {duplicate_acks}")
    lines += _log_verdicts(phases)
    return lines


def _log_verdicts(phases: list[Phase]) -> list[str]:
    lines = []
    for phase in phases:
        exit_note = "" if _clean_exit(phase) else f", exit code {phase.exit_code}"
        lines.append(
            f"server log ERROR/CRITICAL/Traceback lines, {phase.app} @{phase.concurrency}: "
            f"{len(phase.problems) or 'none'}{exit_note}"
        )
        lines += [f"    {line[:300]}" for line in phase.problems[:SHOWN_PROBLEMS]]
    return lines


def _clean_exit(phase: Phase) -> bool:
    return phase.exit_code in (0, -signal.SIGTERM)  # uvicorn re-raises the SIGTERM it handled


def _per_item_ms(cpu_seconds: float, count: int) -> str:
    return f"{1000 * cpu_seconds / count:.2f}" if count else "-"


def _percent(cpu_seconds: float, elapsed: float) -> str:
    return f"{100 * cpu_seconds / elapsed:.0f}%" if elapsed else "-"
