"""The baseline: a bare Bolt app whose `/request` listener only acks, served like `pmbot serve`.

Run as `python -m bench.bare_app`. It reads the same variables as pmbot (SLACK_BOT_TOKEN,
SLACK_SIGNING_SECRET, SLACK_API_URL, HOST, PORT, LOG_LEVEL), configures logging as `pmbot serve`
does, and runs uvicorn with the same options. Bolt checks the signature itself (pmbot switches
Bolt's check off and does the same HMAC in bot/web.py), and Bolt's single-team authorization calls
`auth.test` once on the fake, as it does in pmbot.
"""

from __future__ import annotations

import logging
import os

import uvicorn
from slack_bolt.adapter.asgi.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient


def build() -> AsyncSlackRequestHandler:
    """The ASGI app: Bolt's own adapter, `/request` acked with an empty 200."""
    client = AsyncWebClient(
        token=os.environ["SLACK_BOT_TOKEN"],
        base_url=os.environ["SLACK_API_URL"],
        timeout=10,
        retry_handlers=[],
    )
    app = AsyncApp(
        client=client,
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        logger=logging.getLogger("slack_bolt"),
    )

    @app.command("/request")
    async def ack_only(ack: AsyncAck) -> None:
        await ack()

    return AsyncSlackRequestHandler(app)


def main() -> None:
    """Serve on HOST:PORT until SIGINT/SIGTERM."""
    level = os.environ.get("LOG_LEVEL", "INFO").upper()
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if level != "DEBUG":  # as bot.cli does
        logging.getLogger("slack_bolt").setLevel(logging.WARNING)
        logging.getLogger("slack_sdk").setLevel(logging.WARNING)
    config = uvicorn.Config(
        build(),
        host=os.environ.get("HOST", "127.0.0.1"),
        port=int(os.environ["PORT"]),
        log_level=level.lower(),
        lifespan="on",
    )
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
