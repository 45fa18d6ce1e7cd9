"""One pmbot replica for the exactly-once tests, run as its own OS process.

It builds pmbot's services against `--database-url` and the fake Slack at `--slack-url`, with the
clock stopped at `--now`, runs the scheduler's sweep, waits until no outbox job is left, and exits.
With `--crash-after-claim` it claims the due digests and leases their outbox jobs the way the
outbox worker does, then dies with os._exit before posting anything, as a killed replica would.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bot.config import load_settings
from bot.runtime import Services, build_services
from storage import outbox

LEASE = timedelta(seconds=60)  # the outbox worker's lease
DRAIN_SECONDS = 60
LOOK_AGAIN_SECONDS = 0.1  # another process's commit does not wake this one: look again this often


class StoppedClock:
    """A clock that always says `--now`."""

    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        """The moment the test chose."""
        return self.current


async def drained(services: Services) -> None:
    """Wait until no outbox job waits to reach Slack, whichever replica delivers it."""
    committed = asyncio.Event()
    services.writer.on_commit(committed.set)
    async with asyncio.timeout(DRAIN_SECONDS):
        while True:
            committed.clear()
            async with services.db.read() as session:
                if await outbox.count_unfinished(session) == 0 and not services.outbox.busy:
                    return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(committed.wait(), LOOK_AGAIN_SECONDS)


async def crash_after_claim(services: Services, now: datetime) -> None:
    """Claim, lease the outbox jobs, and die before posting."""
    services.writer.start()
    claimed = await services.scheduler.run_due()
    leased = await services.writer.run(
        lambda session: outbox.claim_due(session, now=now, limit=100, lease_for=LEASE)
    )
    print(json.dumps({"claimed": claimed, "leased": [job.kind for job in leased]}), flush=True)
    os._exit(17)


async def main(arguments: argparse.Namespace) -> None:
    """Run one replica's sweep to the end."""
    now = datetime.fromisoformat(arguments.now)
    settings = load_settings(
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET="test-signing-secret",
        SLACK_API_URL=arguments.slack_url,
        DATABASE_URL=arguments.database_url,
    )
    services = build_services(settings, clock=StoppedClock(now))
    if arguments.crash_after_claim:
        await crash_after_claim(services, now)
    await services.start(migrate=False)
    try:
        claimed = await services.scheduler.sweep()
        await drained(services)
    finally:
        await services.stop()
    print(json.dumps({"claimed_by_explicit_sweep": claimed}), flush=True)


def parse() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--slack-url", required=True)
    parser.add_argument("--now", required=True)
    parser.add_argument("--crash-after-claim", action="store_true")
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse()))
