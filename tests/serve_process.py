"""`pmbot` as a real OS process: its console script, a clean environment, its output awaited line by line."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx

SERVE_DEADLINE = 20.0  # seconds for a real process to start, migrate and listen


def pmbot_command() -> list[str]:
    """The installed console script, or the module if the script is missing."""
    script = shutil.which("pmbot", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "bot.cli"]


def clean_env(folder: Path, **variables: str) -> dict[str, str]:
    """Only what a process needs to run, plus `variables`; no settings leak in from outside."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(folder), **variables}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Output:
    """Collects a process's output lines; lets a test await a line."""

    def __init__(self, stream: asyncio.StreamReader) -> None:
        self.lines: list[str] = []
        self._changed = asyncio.Condition()
        self._ended = False
        self.task = asyncio.create_task(self._collect(stream))

    async def _collect(self, stream: asyncio.StreamReader) -> None:
        while line := await stream.readline():
            async with self._changed:
                self.lines.append(line.decode(errors="replace").rstrip())
                self._changed.notify_all()
        async with self._changed:
            self._ended = True
            self._changed.notify_all()

    async def wait_for(self, text: str) -> bool:
        """Await a line containing `text`; False if the output ended first."""
        async with self._changed:
            await self._changed.wait_for(lambda: self._ended or any(text in line for line in self.lines))
        return any(text in line for line in self.lines)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@contextlib.asynccontextmanager
async def serving(folder: Path, *args: str, **variables: str) -> AsyncIterator[tuple[Any, Output]]:
    """`pmbot serve args…` as a real process; killed at the end if the test did not stop it."""
    process = await asyncio.create_subprocess_exec(
        *pmbot_command(),
        "serve",
        *args,
        cwd=folder,
        env=clean_env(folder, **variables),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stderr is not None
    output = Output(process.stderr)
    try:
        yield process, output
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await output.task


async def wait_until_answering(base: str, path: str, process: Any, output: Output, status: int = 200) -> None:
    """Poll `path` with short requests until it answers `status`, for at most SERVE_DEADLINE seconds."""
    async with httpx.AsyncClient(base_url=base, timeout=1.0) as http, asyncio.timeout(SERVE_DEADLINE):
        # Uvicorn says when it listens; awaiting that line spares most of the polling.
        assert await output.wait_for("Application startup complete"), output.text
        while True:
            assert process.returncode is None, output.text
            with contextlib.suppress(httpx.TransportError):
                if (await http.get(path)).status_code == status:
                    return
            await asyncio.sleep(0.1)  # another process: nothing of ours to await


async def stopped(process: Any, output: Output, sig: int) -> int:
    """Send `sig`, await the exit and the end of the output; return the exit status."""
    process.send_signal(sig)
    async with asyncio.timeout(SERVE_DEADLINE):
        status = await process.wait()
    await output.task
    return status
