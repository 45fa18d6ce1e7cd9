"""A small closed-loop HTTP/1.1 load generator: N keep-alive connections, one request in flight each.

Written on bare asyncio streams (no HTTP client library) so that it costs the load-generating
process little per request; the benchmark reports this process's CPU time next to the server's so
a reader can see which side was saturated.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from tests.fakes import payloads

REQUEST_TIMEOUT_SECONDS = 10.0
SLACK_ACK_DEADLINE_SECONDS = 3.0  # Slack shows `operation_timeout` for a slash command acked later
_CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:[ \t]*(\d+)", re.IGNORECASE)
_CONNECTION_CLOSE = re.compile(rb"\r\nconnection:[ \t]*close", re.IGNORECASE)
_RECONNECT_PAUSE_SECONDS = 0.05

# Reads an ack body; returns the REQ number it names (pmbot), 0 for an ack without one (bare app),
# or None when the answer is not an ack.
AckParser = Callable[[bytes], int | None]


@dataclass
class LoadResult:
    """What one load run saw."""

    concurrency: int
    started_wall: float = 0.0  # time.time(), comparable with FakeSlack's call timestamps
    elapsed: float = 0.0
    cpu_seconds: float = 0.0  # this process's CPU time during the run
    latencies: list[float] = field(default_factory=list)  # seconds, of acks only
    refs: list[int] = field(default_factory=list)  # REQ numbers named in acks
    not_acked: Counter[str] = field(default_factory=Counter)  # answers that were not acks, by kind
    sample_failure: str = ""

    @property
    def acks(self) -> int:
        """Requests answered with an ack."""
        return len(self.latencies)

    @property
    def acks_per_second(self) -> float:
        """Acks over the run's wall time."""
        return self.acks / self.elapsed if self.elapsed else 0.0

    @property
    def late_acks(self) -> int:
        """Acks that came after Slack's 3 seconds."""
        return sum(1 for latency in self.latencies if latency > SLACK_ACK_DEADLINE_SECONDS)

    def percentile_ms(self, fraction: float) -> float:
        """Ack latency at `fraction` (0.5, 0.99), nearest rank, in milliseconds."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        rank = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
        return ordered[rank] * 1000

    def record(self, status: int, body: bytes, latency: float, parse: AckParser) -> None:
        """Count one answer."""
        ref = parse(body) if status == 200 else None
        if ref is None:
            self.not_acked[f"HTTP {status}"] += 1
            self.sample_failure = self.sample_failure or body[:200].decode("utf-8", "replace")
            return
        self.latencies.append(latency)
        if ref:
            self.refs.append(ref)


@dataclass(frozen=True)
class Target:
    """Where to send `/request <text>` and how to sign it; connection i goes to ports[i % N]."""

    ports: tuple[int, ...]
    secret: str
    response_url: str
    users: int = 50

    def port_of(self, connection: int) -> int:
        """The server port this connection talks to (several server processes share the load)."""
        return self.ports[connection % len(self.ports)]

    def request(self, connection: int, serial: int) -> bytes:
        """One signed `/request <text>` POST, unique text per request, as raw HTTP/1.1 bytes."""
        signed = payloads.slash_command(
            self.secret,
            text=f"Speed up the export page for big teams ({connection}-{serial})",
            user_id=f"U_BENCH{(connection * 7919 + serial) % self.users:03d}",
            response_url=self.response_url,
        )
        head = [f"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1:{self.port_of(connection)}\r\n"]
        head += [f"{name}: {value}\r\n" for name, value in signed.headers.items()]
        head.append(f"Content-Length: {len(signed.body)}\r\n\r\n")
        return "".join(head).encode("latin-1") + signed.body


async def run_load(
    target: Target,
    parse: AckParser,
    *,
    concurrency: int,
    seconds: float,
    max_requests_per_connection: int | None = None,
) -> LoadResult:
    """Keep `concurrency` connections busy for `seconds` (each stops sending at the deadline)."""
    result = LoadResult(concurrency=concurrency, started_wall=time.time())
    cpu_before, started = time.process_time(), time.perf_counter()
    deadline = time.monotonic() + seconds
    await asyncio.gather(
        *(
            _connection(target, parse, result, number, deadline, max_requests_per_connection)
            for number in range(concurrency)
        )
    )
    result.elapsed = time.perf_counter() - started
    result.cpu_seconds = time.process_time() - cpu_before
    return result


async def _connection(
    target: Target,
    parse: AckParser,
    result: LoadResult,
    number: int,
    deadline: float,
    max_requests: int | None,
) -> None:
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    serial = 0
    while time.monotonic() < deadline and (max_requests is None or serial < max_requests):
        try:
            if writer is None:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection("127.0.0.1", target.port_of(number)), REQUEST_TIMEOUT_SECONDS
                )
            raw = target.request(number, serial)
            serial += 1
            started = time.perf_counter()
            async with asyncio.timeout(REQUEST_TIMEOUT_SECONDS):
                writer.write(raw)
                status, body, close = await _read_response(reader)  # type: ignore[arg-type]
            result.record(status, body, time.perf_counter() - started, parse)
        except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError) as error:
            result.not_acked[type(error).__name__] += 1
            close = True
            await asyncio.sleep(_RECONNECT_PAUSE_SECONDS)
        if close and writer is not None:
            writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 "):
        raise ValueError("not an HTTP/1.1 response")
    length = _CONTENT_LENGTH.search(head)
    if length is None:
        raise ValueError("response without Content-Length")
    body = await reader.readexactly(int(length.group(1)))
    return int(head[9:12]), body, bool(_CONNECTION_CLOSE.search(head))
