"""The benchmark's child processes (the server under test, the fake Slack) and what /proc says of them."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
STARTUP_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 20.0
# Variables pmbot (or the bare app) reads: never inherited from the caller's environment.
SERVER_VARIABLES = (
    "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL", "DATABASE_URL",
    "HOST", "PORT", "LOG_LEVEL", "SLACK_CHANNEL_POSTS_PER_SECOND", "SLACK_WORKSPACE_RATE_FACTOR",
)  # fmt: skip
_LOG_PROBLEM = re.compile(r"\b(ERROR|CRITICAL)\b|Traceback")


def host_busy_cpu_seconds() -> float:
    """CPU time all processes on the machine used so far (every CPU, not idle nor iowait)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / CLOCK_TICKS


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def child_env(**variables: str) -> dict[str, str]:
    """The environment of a child: ours without pmbot's settings, plus `variables`; repo importable."""
    env = {name: value for name, value in os.environ.items() if name not in SERVER_VARIABLES}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.update(variables)
    return env


def pmbot_command() -> list[str]:
    """`pmbot serve` from this interpreter's environment (the console script, else `-m bot.cli`)."""
    script = Path(sys.executable).with_name("pmbot")
    return [str(script), "serve"] if script.exists() else [sys.executable, "-m", "bot.cli", "serve"]


@dataclass
class Child:
    """A process this benchmark started; it stops only this one, by its pid."""

    name: str
    process: subprocess.Popen[bytes]
    log_path: Path | None = None

    @property
    def pid(self) -> int:
        """The process id."""
        return self.process.pid

    def alive(self) -> bool:
        """True until the process exits."""
        return self.process.poll() is None

    def peak_rss_kib(self) -> int:
        """VmHWM: the most resident memory the process ever had, in KiB."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
        return 0

    def cpu_seconds(self) -> float:
        """User plus system CPU time the process used so far."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    def stop(self) -> int | None:
        """SIGTERM (uvicorn shuts down gracefully, then re-raises it), then SIGKILL; the exit code."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            if not self.alive():
                break
            self.process.send_signal(sig)
            try:
                self.process.wait(STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                continue
        if self.process.stdin is not None:
            self.process.stdin.close()
        return self.process.poll()

    def log_problems(self) -> list[str]:
        """Lines of the log naming ERROR, CRITICAL or a Traceback."""
        if self.log_path is None or not self.log_path.exists():
            return []
        with self.log_path.open(encoding="utf-8", errors="replace") as log:
            return [line.rstrip() for line in log if _LOG_PROBLEM.search(line)]

    def log_tail(self, lines: int = 20) -> str:
        """The end of the log, to explain a failed start."""
        if self.log_path is None or not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


@dataclass
class FakeSlackChild(Child):
    """The fake Slack Web API in its own process."""

    base_url: str = ""
    control_url: str = ""


def start_fake_slack(workdir: Path, max_seconds: float) -> FakeSlackChild:
    """Start `bench.fake_slack_server` and read the URLs it prints."""
    log_path = workdir / "fake-slack.log"
    with log_path.open("wb") as log:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.fake_slack_server", "--max-seconds", str(int(max_seconds))],
            cwd=workdir,
            env=child_env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
        )
    child = FakeSlackChild("fake-slack", process, log_path)
    assert process.stdout is not None
    line = process.stdout.readline()  # the child prints one line once it listens, or exits
    if not line:
        child.stop()
        raise RuntimeError(f"the fake Slack did not start:\n{child.log_tail()}")
    urls = json.loads(line)
    child.base_url, child.control_url = urls["base_url"], urls["control_url"]
    return child


def start_server(name: str, command: list[str], env: dict[str, str], workdir: Path) -> Child:
    """Start a server with its output going to `<workdir>/<name>.log`."""
    log_path = workdir / f"{name}.log"
    with log_path.open("wb") as log:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(
            command, cwd=workdir, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
        )
    return Child(name, process, log_path)


async def wait_until_listening(child: Child, port: int) -> None:
    """Return once the server accepts connections (uvicorn binds after the lifespan startup)."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if not child.alive():
            raise RuntimeError(f"{child.name} exited while starting:\n{child.log_tail()}")
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.1)
            continue
        writer.close()
        return
    raise RuntimeError(
        f"{child.name} did not listen within {STARTUP_TIMEOUT_SECONDS:.0f}s:\n{child.log_tail()}"
    )


@dataclass
class ServerGroup:
    """The server processes of one run (`--workers N`), each on its own port; read as one."""

    name: str
    servers: list[Child]
    ports: list[int]

    def cpu_seconds(self) -> float:
        """CPU time of every process of the group so far."""
        return sum(server.cpu_seconds() for server in self.servers)

    def peak_rss_kib(self) -> int:
        """The largest VmHWM of the group's processes."""
        return max(server.peak_rss_kib() for server in self.servers)

    def stop(self) -> int | None:
        """Stop every process; the first non-zero exit code (or 0)."""
        codes = [server.stop() for server in self.servers]
        return next((code for code in codes if code != 0), 0)

    def log_problems(self) -> list[str]:
        """ERROR/CRITICAL/Traceback lines of every process's log."""
        return [line for server in self.servers for line in server.log_problems()]

    def log_tail(self, lines: int = 20) -> str:
        """The end of each process's log."""
        return "\n".join(server.log_tail(lines) for server in self.servers)

    async def wait_until_listening(self) -> None:
        """Return once every process accepts connections."""
        for server, port in zip(self.servers, self.ports, strict=True):
            await wait_until_listening(server, port)


def start_group(
    name: str, command: list[str], env_for_port: Callable[[int], dict[str, str]], workdir: Path, workers: int
) -> ServerGroup:
    """Start `workers` copies of a server, each on a free port with its own log."""
    ports = [free_port() for _ in range(workers)]
    servers = [
        start_server(name if workers == 1 else f"{name}-{index}", command, env_for_port(port), workdir)
        for index, port in enumerate(ports)
    ]
    return ServerGroup(name, servers, ports)
