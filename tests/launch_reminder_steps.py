"""Steps the launch-reminder scenarios share: make a launch, work its items, move the clock, read Slack."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select

from bot.services.launches.changes import ItemChange, LaunchDraft
from bot.services.launches.reminders import SOURCE_NAME
from bot.views.launches.reminders import INTROS
from storage.launches import queries
from storage.models import Launch, LaunchItem, ScheduledRun
from tests.fakes import Call
from tests.harness import ADMIN, Harness

TEAM = "T_TEST"
LAUNCH_CHANNEL = "C_LAUNCH"
TEMPLATE = "Reminders"
# One item a line: days from launch day, [phase], title, @role (see bot/services/launches/templates.py).
TEMPLATE_LINES = "\n".join(
    [
        "-7d [Prepare] Docs published @docs",
        "-3d [Get ready] QA sign-off @qa",
        "-1d [Get ready] Support briefed @support",
        "0d [Launch day] Feature flag flipped @engineering",
        "1d [After launch] Post-launch monitoring @engineering",
    ]
)


def utc(*parts: int) -> datetime:
    """A UTC instant."""
    return datetime(*parts, tzinfo=UTC)


async def new_launch(pmbot: Harness, name: str, launch_date: date, *, owner: str) -> Launch:
    """Create a launch from the small template through the launch service, as `/launch new` does."""
    launches, templates = pmbot.services.launches, pmbot.services.launch_templates
    if not any(template.name == TEMPLATE for template in await templates.all(TEAM)):
        await templates.save(TEAM, ADMIN, TEMPLATE, TEMPLATE_LINES)
    draft = LaunchDraft(
        name=name, launch_date=launch_date, channel_id=LAUNCH_CHANNEL, template_name=TEMPLATE, owner_id=owner
    )
    launch = await launches.create(TEAM, owner, draft)
    await pmbot.settled()
    return await reload(pmbot, launch.number)


async def reload(pmbot: Harness, number: int) -> Launch:
    """The launch as the database holds it now."""
    async with pmbot.services.db.read() as session:
        launch = await queries.get_launch(session, TEAM, number)
    assert launch is not None
    return launch


async def items(pmbot: Harness, launch: Launch) -> dict[str, LaunchItem]:
    """The launch's checklist items by title."""
    async with pmbot.services.db.read() as session:
        found = await queries.list_items(session, TEAM, launch.id or 0)
    return {item.title: item for item in found}


async def assign(
    pmbot: Harness, launch: Launch, title: str, owner: str | None, due: date | None = None
) -> None:
    """Give an item an owner (and a due date by hand), as the launch owner would in the thread."""
    item = (await items(pmbot, launch))[title]
    await pmbot.services.launches.update_item(
        TEAM, launch.owner_id, item.id or 0, owner, due or item.due_date
    )


async def tick(pmbot: Harness, launch: Launch, title: str) -> None:
    """Tick an item off, as its checkbox would."""
    item = (await items(pmbot, launch))[title]
    change = ItemChange(element_ids=[item.id or 0], selected_ids={item.id or 0})
    await pmbot.services.launches.tick(TEAM, launch.owner_id, launch.number, change)


async def at(pmbot: Harness, moment: datetime) -> None:
    """Move the clock to `moment`, sweep the launch reminders as the scheduler would, let the outbox drain."""
    pmbot.clock.current = moment
    await pmbot.services.scheduler.run_due([SOURCE_NAME])
    await pmbot.settled()


def blocks_text(call: Call) -> str:
    """Every text of a posted message (fallback and blocks) as one string."""
    return str(call.params.get("text", "")) + json.dumps(call.params.get("blocks", ""), ensure_ascii=False)


def dms(pmbot: Harness, user: str) -> list[Call]:
    """The morning DMs `user` got."""
    return [
        call
        for call in pmbot.fake.calls_to("chat.postMessage")
        if call.params.get("channel") == user and "launch checklist" in blocks_text(call)
    ]


def reminders(pmbot: Harness, launch: Launch) -> list[Call]:
    """The reminder posts in the launch's thread (not the checklist or notices)."""
    return [
        call
        for call in pmbot.fake.calls_to("chat.postMessage")
        if call.params.get("channel") == launch.channel_id
        and call.params.get("thread_ts") == launch.parent_ts
        and f"*{launch.ref}*" in blocks_text(call)
        and any(marker in blocks_text(call) for marker in REMINDER_MARKERS)
    ]


REMINDER_MARKERS = tuple(INTROS.values())


async def runs(pmbot: Harness, job_prefix: str) -> list[ScheduledRun]:
    """The scheduled runs of jobs starting with `job_prefix`, oldest first."""
    async with pmbot.services.db.read() as session:
        found = await session.execute(
            select(ScheduledRun).where(ScheduledRun.job.startswith(job_prefix)).order_by(ScheduledRun.id)
        )
        return list(found.scalars())


def section_texts(call: Call) -> list[str]:
    """The mrkdwn of each section of a posted message."""
    blocks: list[dict[str, Any]] = call.params.get("blocks") or []
    return [block["text"]["text"] for block in blocks if block.get("type") == "section"]
