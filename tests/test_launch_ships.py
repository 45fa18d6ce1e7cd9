"""Launching closes the loop: the roadmap items it ships become shipped, the requests they answer
become done, and their requesters and followers are told, once. Before, the confirm said only
"will show as launched" and nothing else changed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.services.launches import changes as fields
from bot.views import ids
from storage.models import ItemStatus, Launch, RequestStatus
from tests.harness import ADMIN, ALICE, BOB, CAROL, Harness
from tests.launch_steps import (
    LAUNCHES,
    click,
    get_launch,
    in_days,
    launch_values,
    message,
    said,
    submit_launch,
)
from tests.roadmap_steps import get_item, get_request, propose_add, set_policy, vote
from tests.test_launch_roadmap import picked, suggest
from tests.test_triage import dm_text, dms_to


@pytest.fixture
async def planned(pmbot: Harness) -> Harness:
    """REQ-1 (Alice's, Bob follows) planned as RM-1, and LCH-1 (Carol's) shipping RM-1."""
    await pmbot.set_intake(triagers=[CAROL])
    await pmbot.file("Find old messages faster", user=ALICE)
    await pmbot.click(ids.FOLLOW, 1, user=BOB)
    await set_policy(pmbot, [], required=1, channels=False)
    await propose_add(pmbot, "Message search", linked=[1])
    assert (await vote(pmbot, ids.APPROVE, 1, ADMIN)).startswith("Approved: CHG-")
    await pmbot.settled()
    assert (await get_request(pmbot, 1)).status == RequestStatus.PLANNED
    values = launch_values("Search launch", in_days(pmbot, 20), owner=CAROL)
    values[fields.ROADMAP_ITEMS] = {ids.ITEM_PICKER: picked(await suggest(pmbot, "RM-1"))}
    response = await submit_launch(pmbot, values, user=CAROL)
    assert response.status_code == 200 and response.text in ("", "{}"), response.text
    await pmbot.settled()
    return pmbot


async def the_launch(pmbot: Harness) -> Launch:
    async with pmbot.services.db.read() as session:
        return (await session.execute(select(Launch))).scalar_one()


def shipped_dms(pmbot: Harness, user: str) -> list[str]:
    return [dm_text(call) for call in dms_to(pmbot, user) if "shipped in LCH-1" in call.params["text"]]


async def test_the_confirm_names_the_go_no_go_result_the_open_items_and_what_ships(planned: Harness) -> None:
    launch = await the_launch(planned)
    parent = message(planned, LAUNCHES, launch.parent_ts or "")
    [mark] = [e for b in parent["blocks"] if b["type"] == "actions" for e in b["elements"]][:1]

    confirm = mark["confirm"]["text"]["text"]

    assert mark["action_id"] == ids.LAUNCH_MARK_LAUNCHED
    assert confirm.startswith("Go / no-go: no poll. ")
    assert "checklist items still open" in confirm and "of 0" not in confirm
    assert "RM-1 will show as shipped and the requests they answer as done" in confirm


async def test_launching_ships_the_item_closes_the_request_and_tells_its_people_once(
    planned: Harness,
) -> None:
    launch = await the_launch(planned)

    answer = await said(planned, await click(planned, ids.LAUNCH_MARK_LAUNCHED, launch, user=CAROL))
    await planned.settled()

    assert answer.startswith("LCH-1 is marked launched")
    assert (await get_item(planned, 1)).status == ItemStatus.SHIPPED
    assert (await get_request(planned, 1)).status == RequestStatus.DONE
    [to_alice], [to_bob] = shipped_dms(planned, ALICE), shipped_dms(planned, BOB)
    assert "REQ-1 shipped in LCH-1 🎉" in to_alice and "you asked for it" in to_alice
    assert "REQ-1 shipped in LCH-1 🎉" in to_bob and "you follow it" in to_bob

    again = await said(planned, await click(planned, ids.LAUNCH_MARK_LAUNCHED, launch, user=CAROL))
    await planned.settled()

    assert "already launched" in again
    assert len(shipped_dms(planned, ALICE)) == 1 and len(shipped_dms(planned, BOB)) == 1
    assert (await get_launch(planned, 1)).status == "launched"
