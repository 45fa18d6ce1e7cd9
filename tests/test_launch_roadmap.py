"""Launches linked to the roadmap items they ship: picked by type-ahead in `/launch new`, stored with the
launch, shown on its parent message, in `/launch LCH-n` and in `/roadmap RM-n`."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.launches import changes as fields
from bot.services.launches.links import LINKED_ITEMS_MAX
from bot.services.launches.reads import launch_view
from bot.services.roadmap.reads import ItemView
from bot.services.roadmap.service import RoadmapService
from bot.services.writes import write
from bot.views import ids
from bot.views.roadmap.overview import item_blocks
from storage import audit
from storage.db import Database
from storage.models import Launch, LaunchRoadmapItem, LaunchStatus, RoadmapItem
from tests.fakes import payloads
from tests.harness import ADMIN, ALICE, SECRET, Harness, as_a_person, ephemeral_text
from tests.launch_steps import (
    LAUNCHES,
    TEAM,
    get_launch,
    in_days,
    items_of,
    launch_command,
    launch_values,
    message,
    submit_launch,
    text_of,
    tick,
)
from tests.roadmap_steps import propose, propose_add, set_policy, vote
from tests.slack_limits import problems_in_message, problems_in_options

PRODUCT = "C_PRODUCT"


async def add_items(pmbot: Harness, titles: list[str]) -> None:
    """Put items on the roadmap one by one (RM-1, RM-2, … in order), an admin approving each."""
    await set_policy(pmbot, [], required=1, channels=False)
    for number, title in enumerate(titles, start=1):
        await propose_add(pmbot, title)
        assert (await vote(pmbot, ids.APPROVE, number, ADMIN)).startswith("Approved: CHG-")
    await pmbot.settled()


async def suggest(pmbot: Harness, typed: str) -> list[dict[str, Any]]:
    """The options the modal's roadmap type-ahead offers for what was typed (its options listener)."""
    response = await pmbot.send(
        payloads.block_suggestion(
            SECRET,
            action_id=ids.ITEM_PICKER,
            block_id=fields.ROADMAP_ITEMS,
            value=typed,
            view={"callback_id": ids.LAUNCH_MODAL},
        )
    )
    assert response.status_code == 200, response.text
    options = response.json()["options"]
    assert problems_in_options(options) == [], typed
    return options


def picked(options: list[dict[str, Any]]) -> dict[str, Any]:
    """The multi_external_select's state once these offered options are picked, as Slack echoes them."""
    echoed = [{"text": {**option["text"], "emoji": True}, "value": option["value"]} for option in options]
    return payloads.multi_external_select(echoed)


async def submit_linked(
    pmbot: Harness, name: str, options: list[dict[str, Any]], *, day: date | None = None
) -> httpx.Response:
    """Submit the /launch new modal with these roadmap items picked."""
    values = launch_values(name, day or in_days(pmbot, 30))
    values[fields.ROADMAP_ITEMS] = {ids.ITEM_PICKER: picked(options)}
    return await submit_launch(pmbot, values)


async def create_linked(pmbot: Harness, name: str, options: list[dict[str, Any]]) -> Launch:
    """Plan a launch linked to these items and wait until its messages are posted."""
    response = await as_a_person(lambda: submit_linked(pmbot, name, options))
    assert response.status_code == 200 and response.text in ("", "{}"), response.text
    await pmbot.settled()
    async with pmbot.services.db.read() as session:
        launch = (await session.execute(select(Launch).order_by(Launch.id.desc()).limit(1))).scalar_one()
    assert launch.parent_ts and launch.name == name
    return launch


def offered(*numbers: int) -> list[dict[str, Any]]:
    """Options as the type-ahead offers them, for values typed by hand (unknown or forged ones)."""
    return [payloads.option(str(number), f"RM-{number}") for number in numbers]


async def links(pmbot: Harness) -> list[LaunchRoadmapItem]:
    async with pmbot.services.db.read() as session:
        return list((await session.execute(select(LaunchRoadmapItem))).scalars())


async def roadmap_said(pmbot: Harness, typed: str) -> dict[str, Any]:
    """`/roadmap <typed>`'s ephemeral answer, checked against Slack's limits."""
    response = await pmbot.command(typed, command="/roadmap", channel_id=PRODUCT)
    assert response.status_code == 200, response.text
    body = response.json()
    assert problems_in_message(body) == [], typed
    return body


def mrkdwn_texts(body: dict[str, Any]) -> list[str]:
    """Every mrkdwn text of the blocks (plain_text, as in headers, never notifies anyone)."""
    found = []
    for block in body.get("blocks", []):
        for text in [block.get("text") or {}, *block.get("elements", [])]:
            if text.get("type") == "mrkdwn":
                found.append(text["text"])
    return found


def parent_of(pmbot: Harness, launch: Launch) -> dict[str, Any]:
    """The launch's parent message as Slack holds it now, checked against Slack's limits."""
    found = message(pmbot, launch.channel_id, launch.parent_ts or "")
    assert problems_in_message(found) == []
    return found


async def test_a_launch_linked_to_two_items_through_the_modal_shows_them_everywhere(pmbot: Harness) -> None:
    await add_items(pmbot, ["Global search", "<!channel> Dark mode & more", "Offline mode"])
    await launch_command(pmbot, "new")
    [update] = await pmbot.fake.wait_for("views.update")
    [field] = [b for b in update.params["view"]["blocks"] if b.get("block_id") == fields.ROADMAP_ITEMS]
    assert field["optional"] and field["element"]["type"] == "multi_external_select"
    assert field["element"]["action_id"] == ids.ITEM_PICKER
    assert field["element"]["max_selected_items"] == LINKED_ITEMS_MAX

    assert [o["value"] for o in await suggest(pmbot, "")] == ["3", "2", "1"]
    [search] = await suggest(pmbot, "global")
    [dark] = await suggest(pmbot, "RM-2")
    assert search["text"]["text"] == "RM-1 Global search"
    launch = await create_linked(pmbot, "Checkout v2", [search, dark])

    assert {(link.item_id, link.team_id) for link in await links(pmbot)} == {(1, TEAM), (2, TEAM)}
    async with pmbot.services.db.read() as session:
        entries = await audit.list_changes(session, team_id=TEAM, entity="launch", entity_id=launch.id or 0)
    assert [(e.action, (e.after or {}).get("roadmap_items")) for e in entries] == [
        ("created", ["RM-1", "RM-2"])
    ]

    ships = "*Ships:* RM-1 Global search, RM-2 &lt;!channel&gt; Dark mode &amp; more"
    parent = parent_of(pmbot, launch)
    assert ships in text_of(parent)
    assert "<!channel>" not in json.dumps(parent)
    assert all(b["text"].get("verbatim") for b in parent["blocks"] if b["type"] == "section")
    assert ships in ephemeral_text(await launch_command(pmbot, "LCH-1"))

    await tick(pmbot, launch, (await items_of(pmbot, 1))[0].id or 0, user=ALICE)
    assert ships in text_of(parent_of(pmbot, launch)) and "1/13" in text_of(parent_of(pmbot, launch))

    for typed in ("RM-1", "RM-2"):
        shown = json.dumps(await roadmap_said(pmbot, typed), ensure_ascii=False)
        assert "Launches that ship it:" in shown and "LCH-1 · Checkout v2 · <!date^" in shown
        assert not [t for t in mrkdwn_texts(await roadmap_said(pmbot, typed)) if "<!channel>" in t]
    assert "Launches that ship it" not in json.dumps(await roadmap_said(pmbot, "RM-3"))


async def add_foreign_item(pmbot: Harness, number: int) -> None:
    """A roadmap item of another workspace (rows of other teams share the tables)."""

    async def store(session: AsyncSession) -> None:
        session.add(RoadmapItem(team_id="T_OTHER", number=number, title="Another workspace's item"))

    await write(pmbot.services.writer, store)


async def test_an_unknown_foreign_forged_or_dropped_item_is_an_inline_error_and_nothing_is_stored(
    pmbot: Harness,
) -> None:
    await add_items(pmbot, ["Global search", "Dark mode"])
    await add_foreign_item(pmbot, 3)

    async def refused(options: list[dict[str, Any]]) -> str:
        response = await submit_linked(pmbot, "Checkout v2", options)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["response_action"] == "errors" and list(body["errors"]) == [fields.ROADMAP_ITEMS], body
        return body["errors"][fields.ROADMAP_ITEMS]

    assert await refused(offered(1, 3)) == "There is no RM-3 in this workspace's roadmap."
    assert await refused(offered(9, 1, 12)) == "There is no RM-9 or RM-12 in this workspace's roadmap."
    assert await refused([payloads.option("RM-1")]) == "Pick roadmap items from the list."
    assert await refused([payloads.option("99999999999")]) == "Pick roadmap items from the list."
    assert await refused(offered(*range(1, LINKED_ITEMS_MAX + 2))) == "Link at most 20 roadmap items."
    await propose(pmbot, "drop", item=2)
    assert (await vote(pmbot, ids.APPROVE, 3, ADMIN)).startswith("Approved: CHG-3")
    assert await refused(offered(1, 2)) == "RM-2 was dropped from the roadmap; pick another."

    await pmbot.settled()
    async with pmbot.services.db.read() as session:
        assert (await session.execute(select(Launch))).first() is None
    assert await links(pmbot) == []
    assert not [c for c in pmbot.fake.calls_to("chat.postMessage") if c.params.get("channel") == LAUNCHES]


@pytest.fixture
async def counted(pmbot: Harness) -> AsyncIterator[tuple[Database, list[str]]]:
    """A database handle of its own, so only the statements of the reads under test are counted."""
    db = Database(pmbot.services.settings.DATABASE_URL)
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(db.read_engine.sync_engine, "before_cursor_execute", count)
    yield db, statements
    await db.dispose()


async def test_many_items_are_capped_and_reads_cost_the_same_whatever_the_links(
    pmbot: Harness, counted: tuple[Database, list[str]]
) -> None:
    titles = [f"Item {n} <b>" + "x" * 140 for n in range(1, 8)]
    await add_items(pmbot, [title[:150] for title in titles])
    everything = await suggest(pmbot, "")
    many = await create_linked(pmbot, "Big release", everything)
    one = await create_linked(pmbot, "Small release", await suggest(pmbot, "RM-7"))

    shown = text_of(parent_of(pmbot, many))
    assert "RM-1 Item 1 &lt;b&gt;" in shown and "RM-5 Item 5" in shown and "RM-6" not in shown
    assert "and 2 more" in shown and "…" in shown
    assert "and" not in text_of(parent_of(pmbot, one)).split("*Ships:*")[1].split("\n")[0]

    db, statements = counted
    reads: list[int] = []
    for launch in (many, one):
        async with db.read() as session:
            statements.clear()
            view = await launch_view(session, launch, pmbot.clock.now())
            reads.append(len(statements))
        assert len(view.roadmap_items) == (7 if launch is many else 1)
    roadmap = RoadmapService(db, pmbot.services.writer, pmbot.services.permissions, pmbot.clock)
    for typed in ("RM-7", "RM-1"):  # two launches ship RM-7, one RM-1
        statements.clear()
        await roadmap.item(TEAM, typed)
        reads.append(len(statements))
    assert reads[0] == reads[1] and reads[2] == reads[3], reads


def test_an_item_shipped_by_many_launches_lists_the_soonest_and_counts_the_rest() -> None:
    item = RoadmapItem(id=1, team_id=TEAM, number=4, title="Global search")
    launches = [
        Launch(team_id=TEAM, number=n, name=f"Launch {n} <!here>", launch_date=date(2027, 1, n),
               channel_id=LAUNCHES, owner_id=ALICE, template_name="Standard launch", created_by=ALICE,
               status=LaunchStatus.PLANNED)
        for n in range(1, 8)
    ]  # fmt: skip
    body = {"blocks": [b.to_dict() for b in item_blocks(ItemView(item, [], 0, launches), [])]}
    assert problems_in_message(body) == []
    shown = json.dumps(body, ensure_ascii=False)
    assert "LCH-5 · Launch 5 &lt;!here&gt;" in shown and "LCH-6" not in shown and "…and 2 more" in shown
    assert "<!here>" not in shown


async def test_a_launch_without_items_says_nothing_of_the_roadmap(pmbot: Harness) -> None:
    launch = await create_linked(pmbot, "Quiet launch", [])
    assert "Ships" not in text_of(parent_of(pmbot, launch))
    assert await links(pmbot) == []
    assert (await get_launch(pmbot, 1)).name == "Quiet launch"
