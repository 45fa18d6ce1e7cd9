"""FakeSlack in a process of its own, so the benchmark's Slack stand-in shares no loop with the load.

Run as `python -m bench.fake_slack_server --max-seconds N`. It prints one JSON line
(`{"base_url": ..., "control_url": ...}`) once both servers listen, then serves until its
standard input closes, SIGTERM/SIGINT arrives, or `--max-seconds` pass, whichever comes first.

The control server answers `GET /cards?channel=C`: every `chat.postMessage` to channel C as
`[ref, received_at]` pairs (the ref parsed from the card's fallback text, `REQ-12: ...`), plus
the count of each Web API method called, so the benchmark can tell which acked filings got a card.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import signal
import sys
from collections import Counter

from aiohttp import web

from tests.fakes import FakeSlack

CARD_REF = re.compile(r"^REQ-(\d+):")


def _cards_handler(fake: FakeSlack):
    async def cards(request: web.Request) -> web.Response:
        channel = request.query.get("channel", "")
        posted = []
        for call in fake.calls:
            if call.method != "chat.postMessage" or call.params.get("channel") != channel:
                continue
            match = CARD_REF.match(str(call.params.get("text", "")))
            if match and not call.failed:
                posted.append([int(match.group(1)), call.at])
        methods = Counter(call.method for call in fake.calls)
        return web.json_response({"cards": posted, "methods": dict(methods)})

    return cards


async def _serve_control(fake: FakeSlack) -> tuple[web.AppRunner, str]:
    app = web.Application()
    app.router.add_get("/cards", _cards_handler(fake))
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    return runner, f"http://{host}:{port}"


async def _stdin_closed() -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while await reader.read(4096):
        pass


async def main(max_seconds: float) -> None:
    """Serve the fake and its control endpoint until told to stop (or the time limit passes)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    fake = FakeSlack()
    await fake.start()
    control, control_url = await _serve_control(fake)
    print(json.dumps({"base_url": fake.base_url, "control_url": control_url}), flush=True)
    watcher = asyncio.create_task(_stdin_closed())
    watcher.add_done_callback(lambda _task: stop.set())
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(max_seconds):
            await stop.wait()
    watcher.cancel()
    await control.cleanup()
    await fake.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-seconds", type=float, default=3600.0)
    asyncio.run(main(parser.parse_args().max_seconds))
