"""Steps the launch scenarios share: plan a launch through the modal, read its thread as Slack holds it,
tick items the way a person's client reports it, click the launch's buttons."""

from __future__ import annotations

import itertools
import json
from datetime import date, timedelta
from typing import Any

import httpx
from sqlalchemy import select

from bot.services.launches import changes as fields
from bot.services.launches import gonogo, templates
from bot.services.launches.templates import STANDARD
from bot.views import ids
from storage import audit
from storage.launches import queries
from storage.models import Launch, LaunchItem
from tests.fakes import payloads
from tests.harness import ALICE, SECRET, Harness, as_a_person

TEAM = "T_TEST"
LAUNCHES = "C_LAUNCHES"

_clicks = itertools.count(1)


SEEN_OVERDUE = json.dumps({"accept_overdue": True})


def in_days(pmbot: Harness, days: int) -> date:
    """A day `days` from today (UTC; the fixtures' owners are within a day of it)."""
    return pmbot.clock.now().date() + timedelta(days=days)


def launch_values(
    name: str | None,
    day: date | str | None,
    *,
    channel: str | None = LAUNCHES,
    owner: str | None = ALICE,
    deciders: list[str] | None = None,
    template: str = STANDARD,
    at: str | None = None,
) -> dict[str, Any]:
    """The /launch new modal's state as Slack reports it."""
    return {
        fields.NAME: {ids.VALUE: payloads.plain_text(name)},
        fields.DATE: {ids.VALUE: payloads.datepicker(str(day) if day else None)},
        fields.TIME: {ids.VALUE: {"type": "timepicker", "selected_time": at}},
        fields.CHANNEL: {ids.VALUE: payloads.conversations_select(channel)},
        fields.OWNER: {ids.VALUE: payloads.users_select(owner)},
        fields.DECIDERS: {ids.VALUE: payloads.multi_users_select(deciders or [])},
        fields.TEMPLATE: {ids.VALUE: payloads.static_select(template)},
    }


async def submit_launch(pmbot: Harness, values: dict[str, Any], *, user: str = ALICE) -> httpx.Response:
    """Submit the /launch new modal, as after its overdue-items warning (if any) was seen: scenarios
    plan launches days ahead; tests/test_launch_holes.py covers the warning itself."""
    return await pmbot.submit(ids.LAUNCH_MODAL, values, user=user, private_metadata=SEEN_OVERDUE)


async def create_launch(
    pmbot: Harness, name: str = "Checkout v2", *, days: int = 30, **options: Any
) -> Launch:
    """Plan a launch through the modal and wait until its parent and checklist are posted."""
    values = launch_values(name, in_days(pmbot, days), **options)
    response = await as_a_person(lambda: submit_launch(pmbot, values))
    assert response.status_code == 200 and response.text in ("", "{}"), response.text
    await pmbot.settled()
    async with pmbot.services.db.read() as session:
        found = (await session.execute(select(Launch).order_by(Launch.id.desc()).limit(1))).scalar_one()
    assert found.parent_ts, "the parent message was posted"
    return found


async def get_launch(pmbot: Harness, number: int) -> Launch:
    async with pmbot.services.db.read() as session:
        launch = await queries.get_launch(session, TEAM, number)
    assert launch is not None
    return launch


async def items_of(pmbot: Harness, number: int) -> list[LaunchItem]:
    launch = await get_launch(pmbot, number)
    async with pmbot.services.db.read() as session:
        return await queries.list_items(session, TEAM, launch.id or 0)


async def audit_actions(pmbot: Harness, number: int) -> list[str]:
    launch = await get_launch(pmbot, number)
    async with pmbot.services.db.read() as session:
        entries = await audit.list_changes(session, team_id=TEAM, entity="launch", entity_id=launch.id or 0)
    return [entry.action for entry in entries]


def message(pmbot: Harness, channel: str, ts: str) -> dict[str, Any]:
    """A message as Slack holds it now (after every update)."""
    return pmbot.fake.messages[(channel, ts)]


def thread(pmbot: Harness, launch: Launch) -> list[dict[str, Any]]:
    """Every message pmbot keeps in the launch's thread, oldest first, as Slack holds them now."""
    replies = [
        found
        for (channel, _), found in pmbot.fake.messages.items()
        if channel == launch.channel_id and found.get("thread_ts") == launch.parent_ts
    ]
    return sorted(replies, key=lambda found: float(found["ts"]))


def checklist(pmbot: Harness, launch: Launch) -> list[dict[str, Any]]:
    """The thread's checklist messages."""
    return [m for m in thread(pmbot, launch) if m.get("text", "").startswith(f"{launch.ref} checklist")]


def groups(found: dict[str, Any]) -> list[dict[str, Any]]:
    """The checkbox groups (actions blocks) of a checklist message."""
    return [b for b in found.get("blocks", []) if b.get("block_id", "").startswith(ids.LAUNCH_ITEMS_PREFIX)]


def ticked_in(group: dict[str, Any]) -> set[str]:
    """The item ids a group shows ticked."""
    boxes = next(e for e in group["elements"] if e["type"] == "checkboxes")
    return {option["value"] for option in boxes.get("initial_options") or []}


def find_group(pmbot: Harness, launch: Launch, item_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """(message, group) showing the item now."""
    for found in checklist(pmbot, launch):
        for group in groups(found):
            boxes = next(e for e in group["elements"] if e["type"] == "checkboxes")
            if str(item_id) in {option["value"] for option in boxes["options"]}:
                return found, group
    raise AssertionError(f"item {item_id} is in no checklist message")


def tick_request(
    pmbot: Harness,
    launch: Launch,
    item_id: int,
    *,
    user: str,
    done: bool = True,
    seen: dict[str, Any] | None = None,
) -> tuple[payloads.SignedRequest, str]:
    """The block_actions a person's click sends: everything their message showed ticked, plus (or minus)
    the item. `seen` is the message as their client showed it (default: as Slack holds it now)."""
    current, group = find_group(pmbot, launch, item_id)
    shown = seen or current
    group = next(g for g in groups(shown) if g["block_id"] == group["block_id"])
    selected = ticked_in(group) | {str(item_id)} if done else ticked_in(group) - {str(item_id)}
    name = f"tick-{user}-{next(_clicks)}"
    request = payloads.block_action(
        SECRET,
        action_id=ids.LAUNCH_TICK,
        block_id=group["block_id"],
        selected_options=sorted(selected),
        user_id=user,
        channel_id=launch.channel_id,
        message=shown,
        response_url=pmbot.fake.response_url(name),
    )
    return request, name


async def tick(
    pmbot: Harness, launch: Launch, item_id: int, *, user: str, done: bool = True, refused: bool = False
) -> str:
    """Tick (or untick) an item as `user` and wait until it is stored (or refused); returns the click's
    response_url name."""
    request, name = tick_request(pmbot, launch, item_id, user=user, done=done)
    response = await pmbot.send(request)
    assert response.status_code == 200, response.text
    if not refused:
        await until_done(pmbot, launch, {item_id: done})
    await pmbot.settled()
    return name


async def until_done(pmbot: Harness, launch: Launch, wanted: dict[int, bool]) -> None:
    """Wait until the items' done flags are as wanted, then until the outbox is empty."""

    async def stored() -> bool:
        items = {item.id: item.done for item in await items_of(pmbot, launch.number)}
        return all(items.get(item_id) == done for item_id, done in wanted.items())

    await pmbot.until(stored)
    await pmbot.settled()


async def click(pmbot: Harness, action_id: str, launch: Launch, *, user: str) -> str:
    """Click a button of the launch's parent message; returns the click's response_url name."""
    name = f"{action_id}-{user}-{next(_clicks)}"
    response = await pmbot.send(
        payloads.block_action(
            SECRET,
            action_id=action_id,
            block_id=f"{ids.LAUNCH_BLOCK_PREFIX}{launch.number}",
            value=str(launch.number),
            user_id=user,
            channel_id=launch.channel_id,
            response_url=pmbot.fake.response_url(name),
        )
    )
    assert response.status_code == 200, response.text
    return name


async def vote(pmbot: Harness, action_id: str, launch: Launch, round_: int, *, user: str) -> str:
    """Click Go, No-go or Close poll on a round's poll; returns what pmbot told the clicker."""
    name = f"{action_id}-{user}-{next(_clicks)}"
    response = await pmbot.send(
        payloads.block_action(
            SECRET,
            action_id=action_id,
            block_id=f"{ids.GONOGO_BLOCK_PREFIX}{launch.number}:{round_}",
            value=action_id,
            user_id=user,
            channel_id=launch.channel_id,
            response_url=pmbot.fake.response_url(name),
        )
    )
    assert response.status_code == 200, response.text
    return await said(pmbot, name)


async def said(pmbot: Harness, name: str) -> str:
    """The ephemeral text pmbot posted to the response_url `name`."""
    [answer] = await pmbot.fake.wait_for("response_url", where=lambda call: call.params["name"] == name)
    assert answer.params.get("response_type") == "ephemeral", answer.params
    return answer.params["text"]


async def launch_command(pmbot: Harness, typed: str, *, user: str = ALICE, name: str = "") -> httpx.Response:
    """Run `/launch <typed>` (its response_url is named `name`)."""
    return await pmbot.send(
        payloads.slash_command(
            SECRET, command="/launch", text=typed, user_id=user, channel_id=LAUNCHES,
            response_url=pmbot.fake.response_url(name or f"launch-{next(_clicks)}"),
        )
    )  # fmt: skip


async def launch_said(pmbot: Harness, typed: str, *, user: str = ALICE) -> str:
    """Run `/launch <typed>` that answers later, through its response_url; returns what pmbot said."""
    name = f"launch-{user}-{next(_clicks)}"
    response = await launch_command(pmbot, typed, user=user, name=name)
    assert response.status_code == 200, response.text
    answer = await said(pmbot, name)
    await pmbot.settled()
    return answer


async def save_template(pmbot: Harness, name: str, lines: str, *, user: str) -> httpx.Response:
    """Submit the template modal."""
    values = {
        templates.TEMPLATE_NAME: {ids.VALUE: payloads.plain_text(name)},
        templates.TEMPLATE_ITEMS: {ids.VALUE: payloads.plain_text(lines)},
    }
    return await pmbot.submit(ids.LAUNCH_TEMPLATE_MODAL, values, user=user)


def text_of(found: dict[str, Any]) -> str:
    """Everything a message shows: text, section and context texts, checkbox options and descriptions."""
    parts = [found.get("text", "")]
    for block in found.get("blocks", []):
        parts.append((block.get("text") or {}).get("text", ""))
        for element in block.get("elements", []):
            if element.get("type") in ("mrkdwn", "plain_text"):
                parts.append(element.get("text", ""))
            for option in element.get("options") or []:
                parts += [option["text"]["text"], (option.get("description") or {}).get("text", "")]
    return "\n".join(part for part in parts if part)


async def no_go_form(pmbot: Harness, launch: Launch, round_: int, *, user: str) -> dict[str, Any]:
    """Click No-go on a round's poll; returns the view pmbot filled the opened modal with."""
    updates = len(pmbot.fake.calls_to("views.update"))
    await pmbot.send(
        payloads.block_action(
            SECRET,
            action_id=ids.LAUNCH_NO_GO,
            block_id=f"{ids.GONOGO_BLOCK_PREFIX}{launch.number}:{round_}",
            value=ids.LAUNCH_NO_GO,
            user_id=user,
            channel_id=launch.channel_id,
            response_url=pmbot.fake.response_url(f"no-go-{user}-{next(_clicks)}"),
        )
    )
    return (await pmbot.fake.wait_for("views.update", count=updates + 1))[-1].params["view"]


async def submit_no_go(pmbot: Harness, form: dict[str, Any], why: str, *, user: str) -> dict[str, Any]:
    """Submit the no-go modal with its reason; returns pmbot's answer (errors, or the updated view)."""
    values = {gonogo.NO_GO_REASON: {ids.VALUE: payloads.plain_text(why)}}
    response = await pmbot.submit(
        ids.LAUNCH_NO_GO_MODAL, values, user=user, private_metadata=form["private_metadata"]
    )
    assert response.status_code == 200, response.text
    return response.json()


async def say_no_go(pmbot: Harness, launch: Launch, round_: int, *, user: str, why: str) -> str:
    """A decider's no-go with its reason, through the modal; returns what the modal then said."""
    answer = await submit_no_go(pmbot, await no_go_form(pmbot, launch, round_, user=user), why, user=user)
    return str(answer["view"]["blocks"][0]["text"]["text"])
