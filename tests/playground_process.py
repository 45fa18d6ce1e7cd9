"""`pmbot playground` as a separate process on a free port, and the headless Chromium that drives it."""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Browser, Playwright
from playwright.sync_api import Error as PlaywrightError

CHROMIUM = "/usr/bin/chromium"  # Debian's package; nothing is downloaded at run time
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
READY_LINE = "pmbot playground: "
# Chromium starts in about 2 s here, far longer on a starved machine; Playwright's own wait is
# 180 s, which made a browser that would never start cost three minutes before saying so.
LAUNCH_TIMEOUT_MS = 60_000


class ChromiumDidNotStart(RuntimeError):
    """The browser the playground's tests drive could not be started: says why, in one line."""


def launch_chromium(
    driver: Playwright, executable: str = CHROMIUM, *, timeout_ms: float = LAUNCH_TIMEOUT_MS
) -> Browser:
    """Headless Chromium, or ChromiumDidNotStart within `timeout_ms` saying what it printed."""
    if not Path(executable).exists():
        raise ChromiumDidNotStart(f"{executable} is missing: `apt-get install -y chromium` (.ci/run does it)")
    try:
        return driver.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, timeout=timeout_ms)
    except PlaywrightError as error:
        said = _browser_errors(error.message) or "nothing"
        raise ChromiumDidNotStart(
            f"{executable} did not start within {timeout_ms / 1000:.0f} s; it printed: {said}"
        ) from None


def _browser_errors(log: str) -> str:
    """What the browser wrote to stderr, from Playwright's launch log (`[pid=N][err] ...` lines)."""
    lines = [line.partition("[err] ")[2] for line in log.splitlines() if line.startswith("[pid=")]
    return " / ".join(dict.fromkeys(line.strip() for line in lines if line.strip()))


@dataclass
class Playground:
    """A running playground: its page's URL, and when its process was started."""

    url: str
    process: subprocess.Popen[str]
    started_at: float
    ready_after: float
    cpu_until_ready: float
    output: list[str]


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _environment() -> dict[str, str]:
    """The environment without Slack settings: the playground needs none."""
    kept = {key: value for key, value in os.environ.items() if not key.startswith(("SLACK_", "DATABASE_URL"))}
    return {**kept, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}


@contextmanager
def playground(folder: Path, *args: str, timeout: float = 30.0) -> Iterator[Playground]:
    """Start `pmbot playground` in `folder`, wait for its ready line, stop it afterwards."""
    port = free_port()
    command = [sys.executable, "-m", "bot.cli", "playground", "--port", str(port), *args]
    with running_until_ready(folder, command, port, READY_LINE, timeout=timeout) as started:
        yield started


@contextmanager
def running_until_ready(
    folder: Path, command: list[str], port: int, ready_line: str, *, timeout: float = 30.0
) -> Iterator[Playground]:
    """Run `command` in `folder` without Slack settings until it prints `ready_line`; stop it after."""
    started = time.monotonic()
    env = {**_environment(), "PORT": str(port)}
    process = subprocess.Popen(
        command, cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines: queue.Queue[str | None] = queue.Queue()
    output: list[str] = []

    def read() -> None:  # always reading, so a full pipe never blocks the playground
        for line in process.stdout or []:
            output.append(line)
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    try:
        ready_after = _wait_for_ready(lines, ready_line, started + timeout, output) - started
        cpu = cpu_seconds(process.pid)
        yield Playground(f"http://127.0.0.1:{port}/", process, started, ready_after, cpu, output)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the process has used: unlike wall time, not stretched by a busy machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _wait_for_ready(
    lines: queue.Queue[str | None], ready_line: str, deadline: float, output: list[str]
) -> float:
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = lines.get(timeout=left)
        except queue.Empty:
            break
        if line is None:
            break
        if line.startswith(ready_line):
            return time.monotonic()
    raise AssertionError(f"the playground did not say it was ready; it printed: {''.join(output)!r}")
