"""Steps the digest scheduling scenarios share: subscribe through the modal, run `/digest`, read the
claims and posts, and run pmbot replicas as separate OS processes."""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from bot.services import outbox_kinds
from bot.services.digests import service as form
from bot.views import ids
from storage.models import ALL_SECTIONS, DigestSubscription, OutboxJob, ScheduledRun
from tests.fakes import Call, FakeSlack, payloads
from tests.harness import ALICE, Harness, as_a_person

REPLICA = Path(__file__).parent / "processes" / "digest_replica.py"
BERLIN, NEW_YORK = "Europe/Berlin", "America/New_York"
MONDAY = 0

_names = itertools.count(1)


def utc(*parts: int) -> datetime:
    """An aware UTC datetime."""
    return datetime(*parts, tzinfo=UTC)


def subscription_values(
    *,
    day: int = MONDAY,
    at: str | None = "09:00",
    zone: str = BERLIN,
    sections: list[str] | None = None,
    skip_quiet: bool = False,
) -> dict[str, Any]:
    """The subscribe modal's state as Slack reports it."""
    chosen = list(ALL_SECTIONS) if sections is None else sections
    return {
        form.WEEKDAY: {ids.VALUE: payloads.static_select(str(day))},
        form.TIME: {ids.VALUE: {"type": "timepicker", "selected_time": at}},
        form.TIMEZONE: {ids.TIMEZONE_PICKER: payloads.external_select(zone, zone.replace("_", " "))},
        form.SECTIONS: {ids.VALUE: payloads.checkboxes(chosen)},
        form.SKIP_QUIET: {ids.VALUE: payloads.checkboxes(["skip"] if skip_quiet else [])},
    }


async def submit_subscription(
    pmbot: Harness, channel: str, *, user: str = ALICE, **choices: Any
) -> httpx.Response:
    """Submit the subscribe modal for `channel`."""
    metadata = json.dumps({"channel": channel})
    return await pmbot.submit(
        ids.DIGEST_MODAL, subscription_values(**choices), user=user, private_metadata=metadata
    )


async def subscribe(pmbot: Harness, channel: str, *, user: str = ALICE, **choices: Any) -> None:
    """Subscribe `channel` through the modal; the submission must be accepted."""
    response = await as_a_person(lambda: submit_subscription(pmbot, channel, user=user, **choices))
    assert response.status_code == 200 and response.text in ("", "{}"), response.text


async def digest(
    pmbot: Harness, typed: str, *, channel: str, user: str = ALICE
) -> tuple[httpx.Response, str]:
    """Run `/digest <typed>` in `channel`; returns the ack and the name of its response_url."""
    name = f"digest-{next(_names)}"
    response = await pmbot.command(
        typed,
        user=user,
        command="/digest",
        channel_id=channel,
        response_url=pmbot.fake.response_url(name),
    )
    assert response.status_code == 200, response.text
    return response, name


async def said(pmbot: Harness, name: str) -> dict[str, Any]:
    """What pmbot posted to the response_url `name`."""
    [call] = await pmbot.fake.wait_for("response_url", where=lambda call: call.params["name"] == name)
    return call.params


def posts_in(fake: FakeSlack, channel: str) -> list[Call]:
    """The messages that reached `channel`."""
    return [
        call
        for call in fake.calls_to("chat.postMessage")
        if call.params.get("channel") == channel and not call.failed
    ]


async def runs(pmbot: Harness) -> list[ScheduledRun]:
    """Every scheduled run, oldest first."""
    async with pmbot.services.db.read() as session:
        return list((await session.execute(select(ScheduledRun).order_by(ScheduledRun.due_at))).scalars())


async def digest_jobs(pmbot: Harness) -> list[OutboxJob]:
    """Every POST_DIGEST outbox job, oldest first."""
    query = select(OutboxJob).where(OutboxJob.kind == outbox_kinds.POST_DIGEST).order_by(OutboxJob.id)
    async with pmbot.services.db.read() as session:
        return list((await session.execute(query)).scalars())


async def subscription_of(pmbot: Harness, channel: str) -> DigestSubscription | None:
    """The channel's subscription as stored."""
    query = select(DigestSubscription).where(DigestSubscription.channel_id == channel)
    async with pmbot.services.db.read() as session:
        return (await session.execute(query)).scalar_one_or_none()


async def sweep_at(pmbot: Harness, moment: datetime) -> int:
    """Move the clock, run the scheduler's sweep, and wait for the outbox to drain.

    Deliveries under way finish first: moving the clock past their lease would hand them to
    another worker, as a replica that stalled for longer than the lease would.
    """
    await pmbot.settled()
    pmbot.clock.current = moment
    claimed = await pmbot.services.scheduler.sweep()
    await pmbot.settled()
    return claimed


async def run_replica(
    database_url: str, slack_url: str, now: datetime, *, crash_after_claim: bool = False
) -> tuple[int, str]:
    """Run tests/processes/digest_replica.py as its own OS process; returns its exit status and output."""
    process = await start_replica(database_url, slack_url, now, crash_after_claim=crash_after_claim)
    return await finish(process)


async def start_replica(
    database_url: str, slack_url: str, now: datetime, *, crash_after_claim: bool = False
) -> asyncio.subprocess.Process:
    """Start one replica process (the caller awaits `finish`)."""
    args = [str(REPLICA), "--database-url", database_url, "--slack-url", slack_url, "--now", now.isoformat()]
    if crash_after_claim:
        args.append("--crash-after-claim")
    return await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        cwd=str(REPLICA.parent.parent.parent),
    )


async def finish(process: asyncio.subprocess.Process) -> tuple[int, str]:
    """Wait for a replica to exit; its status and everything it printed."""
    output, _ = await asyncio.wait_for(process.communicate(), timeout=90)
    return process.returncode or 0, output.decode(errors="replace")
