"""`pmbot playground`: pmbot's real app and the Slack stand-in, both on loopback, in one process."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import shutil
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from aiohttp import web

from bot.app import create_app
from bot.config import ConfigError, Settings, load_settings
from bot.playground import sample
from bot.playground.bridge import Bridge
from bot.playground.seed import seed
from bot.playground.server import build_app
from bot.playground.state import PlaygroundState
from bot.playground.web_api import SlackWebApi
from bot.runtime import build_services
from bot.web import EVENTS_PATH, SlackWebApp

LOOPBACK = "127.0.0.1"  # the playground has no authentication: it never listens beyond this machine
FOLDER = Path(".playground")
DATABASE_FILE = "pmbot.db"
STATE_FILE = "slack.json"
WORKSPACE_URL = f"https://{sample.TEAM_DOMAIN}.slack.com/"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Options:
    """What the command line asked for."""

    port: int = 3000
    reset: bool = False
    empty: bool = False
    folder: Path = FOLDER
    intro: str | None = None  # the line printed once the page is ready (make run says why it is here)


def page_url(port: int) -> str:
    """Where the page is."""
    return f"http://{LOOPBACK}:{port}/"


def run(options: Options) -> int:
    """Run until interrupted; return the exit status."""
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(options))
    return 0


async def serve(options: Options) -> None:
    """Start the stand-in and pmbot, seed a fresh folder, serve until interrupted, stop both."""
    started = time.monotonic()
    if options.reset and options.folder.exists():
        shutil.rmtree(options.folder)
    options.folder.mkdir(parents=True, exist_ok=True)
    fresh = not (options.folder / DATABASE_FILE).exists()
    pmbot_socket = _loopback_socket()
    settings = _settings(options, pmbot_socket.getsockname()[1])
    state = PlaygroundState.load(options.folder / STATE_FILE)
    bridge = Bridge(
        SlackWebApi(state, workspace_url=WORKSPACE_URL),
        events_url=f"http://{LOOPBACK}:{pmbot_socket.getsockname()[1]}{EVENTS_PATH}",
        signing_secret=settings.SLACK_SIGNING_SECRET,
        response_base=f"{page_url(options.port)}response/",
    )
    runner = web.AppRunner(build_app(bridge), access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    try:
        await web.TCPSite(runner, LOOPBACK, options.port).start()
    except OSError as error:
        await runner.cleanup()
        raise ConfigError(f"{LOOPBACK}:{options.port} is not free ({error.strerror}): try --port") from None
    services = build_services(settings)
    server = uvicorn.Server(
        uvicorn.Config(SlackWebApp(create_app(services), services), lifespan="on", log_level="warning")
    )
    serving = asyncio.create_task(server.serve(sockets=[pmbot_socket]))
    try:
        await _until_started(server, serving)
        if fresh and not options.empty:
            await seed(services)
        seconds = time.monotonic() - started
        print(options.intro or f"pmbot playground: {page_url(options.port)} (ready in {seconds:.1f} s)")
        sys.stdout.flush()
        await serving
    finally:
        server.should_exit = True
        await asyncio.gather(serving, return_exceptions=True)
        await bridge.aclose()
        await runner.cleanup()


async def _until_started(server: uvicorn.Server, serving: asyncio.Task[None]) -> None:
    while not server.started:
        if serving.done():
            serving.result()
            raise SystemExit("pmbot did not start (see above)")
        await asyncio.sleep(0.02)


def _loopback_socket() -> socket.socket:
    """A listening socket on a free loopback port for pmbot's own HTTP endpoint."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((LOOPBACK, 0))
    return sock


PLAYGROUND_GATHER_SECONDS = 0


def _settings(options: Options, pmbot_port: int) -> Settings:
    """pmbot's settings for the playground: the stand-in's URL and token, a fresh signing secret."""
    database = (options.folder / DATABASE_FILE).resolve()
    return load_settings(
        SLACK_BOT_TOKEN=sample.BOT_TOKEN,
        SLACK_SIGNING_SECRET=secrets.token_hex(16),
        SLACK_APP_TOKEN=None,
        SLACK_API_URL=f"{page_url(options.port)}api/",
        DATABASE_URL=f"sqlite+aiosqlite:///{database}",
        HOST=LOOPBACK,
        PORT=pmbot_port,
        # One person plays everyone: a DM waiting 90 s for more news would look like none came.
        NOTICE_GATHER_SECONDS=PLAYGROUND_GATHER_SECONDS,
    )
