"""One pmbot replica delivering the outbox, run as its own OS process so a test can kill -9 it with
posts in flight. It runs until killed (or for at most --seconds)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bot.config import load_settings
from bot.runtime import build_services


class StoppedClock:
    """A clock that always says `--now`."""

    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        """The moment the test chose."""
        return self.current


async def main(arguments: argparse.Namespace) -> None:
    """Deliver until killed."""
    settings = load_settings(
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET="test-signing-secret",
        SLACK_API_URL=arguments.slack_url,
        DATABASE_URL=arguments.database_url,
        SLACK_CHANNEL_POSTS_PER_SECOND=50,
        NOTICE_GATHER_SECONDS=0,
    )
    services = build_services(settings, clock=StoppedClock(datetime.fromisoformat(arguments.now)))
    await services.start(migrate=False)
    print("delivering", flush=True)
    await asyncio.sleep(arguments.seconds)
    await services.stop()


def parse() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--slack-url", required=True)
    parser.add_argument("--now", required=True)
    parser.add_argument("--seconds", type=float, default=120)
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse()))
