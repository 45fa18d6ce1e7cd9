"""Every checklist item state, every item move, every role: what the checklist offers, whether the
item's modal opens for that person, and the server's answer to their click or submission.

The expectations are written out here by hand, not read from the transition table. Each state is
built once (a launch of 20 items, one per role and move, seeded through the services); the clicks
and submissions go over HTTP.
"""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from typing import Any

import pytest

from bot.services.launches import changes as fields
from bot.services.launches.changes import ItemChange, LaunchDraft
from bot.views import ids
from storage.models import Launch, LaunchItem
from tests.fakes import payloads
from tests.harness import ADMIN, ALICE, BOB, CAROL, DAVE, SECRET, Harness
from tests.launch_steps import LAUNCHES, TEAM, find_group, get_launch, items_of, said, tick_request

ITEM_OWNER, LAUNCH_OWNER, DECIDER, BYSTANDER = DAVE, ALICE, BOB, CAROL
NEW_OWNER = CAROL  # a reassignment gives the item to her
ROLES = {
    "item_owner": ITEM_OWNER,
    "launch_owner": LAUNCH_OWNER,
    "decider": DECIDER,
    "admin": ADMIN,
    "bystander": BYSTANDER,
}
MOVES = ["tick", "untick", "reassign", "redate"]
WORKERS = {"item_owner", "launch_owner", "decider", "admin"}
EXPECTED: dict[str, dict[str, set[str]]] = {  # state -> move -> the roles that may make it
    "open": {"tick": WORKERS, "untick": set(), "reassign": WORKERS, "redate": WORKERS},
    "done": {"tick": set(), "untick": WORKERS, "reassign": set(), "redate": set()},
    "closed": {move: set() for move in MOVES},  # the launch was cancelled
}
TEMPLATE = "\n".join(f"-{n + 1}d Item {n:02d}" for n in range(len(ROLES) * len(MOVES)))


async def launch_in(pmbot: Harness, state: str) -> tuple[Launch, list[LaunchItem]]:
    """A launch of 20 items, each owned by Dave, in `state`, seeded through the services."""
    await pmbot.services.launch_templates.save(TEAM, ADMIN, "Twenty", TEMPLATE)
    draft = LaunchDraft(
        name="Items",
        launch_date=pmbot.services.clock.now().date() + timedelta(days=40),
        channel_id=LAUNCHES,
        template_name="Twenty",
        owner_id=LAUNCH_OWNER,
        decider_ids=[DECIDER],
    )
    launches = pmbot.services.launches
    launch = await launches.create(TEAM, LAUNCH_OWNER, draft)
    await pmbot.settled()
    for item in await items_of(pmbot, launch.number):
        await launches.update_item(TEAM, LAUNCH_OWNER, item.id or 0, ITEM_OWNER, item.due_date)
        if state != "open":
            change = ItemChange(element_ids=[item.id or 0], selected_ids={item.id or 0})
            await launches.tick(TEAM, LAUNCH_OWNER, launch.number, change)
    if state == "closed":
        await launches.cancel(TEAM, LAUNCH_OWNER, launch.number)
    await pmbot.settled()
    return await get_launch(pmbot, launch.number), await items_of(pmbot, launch.number)


def on_menu(pmbot: Harness, launch: Launch, item: LaunchItem) -> bool:
    """Whether the checklist's "Assign or re-date…" menu lists the item."""
    _, group = find_group(pmbot, launch, item.id or 0)
    menus = [e for e in group["elements"] if e["action_id"] == ids.LAUNCH_ITEM_MENU]
    return any(o["value"] == str(item.id) for menu in menus for o in menu["options"])


async def menu_opens(pmbot: Harness, launch: Launch, item: LaunchItem, user: str) -> bool:
    """Pick the item in the menu as `user`: True if the item's form opened, False if told why not."""
    found, group = find_group(pmbot, launch, item.id or 0)
    updates = len(pmbot.fake.calls_to("views.update"))
    response = await pmbot.send(
        payloads.block_action(
            SECRET, action_id=ids.LAUNCH_ITEM_MENU, block_id=group["block_id"], selected_option=str(item.id),
            user_id=user, channel_id=launch.channel_id, message=found,
            response_url=pmbot.fake.response_url(f"menu-{user}-{item.id}"),
        )
    )  # fmt: skip
    assert response.status_code == 200, response.text
    view = (await pmbot.fake.wait_for("views.update", count=updates + 1))[-1].params["view"]
    return view.get("callback_id") == ids.LAUNCH_ITEM_MODAL


def stale_copy(pmbot: Harness, launch: Launch, item: LaunchItem, *, ticked: bool) -> dict[str, Any]:
    """The item's message as a client that missed the last change shows it."""
    found, group = find_group(pmbot, launch, item.id or 0)
    seen = copy.deepcopy(found)
    for block in seen["blocks"]:
        if block.get("block_id") != group["block_id"]:
            continue
        boxes = next(e for e in block["elements"] if e["type"] == "checkboxes")
        others = [o for o in boxes.get("initial_options") or [] if o["value"] != str(item.id)]
        mine = [o for o in boxes["options"] if o["value"] == str(item.id)] if ticked else []
        boxes["initial_options"] = others + mine
    return seen


async def make(pmbot: Harness, launch: Launch, item: LaunchItem, move: str, user: str, *, may: bool) -> str:
    """Make the move over HTTP (a tick of a done item, or an untick of an open one, from a message
    that missed the change); returns "" once stored when the person `may`, else what pmbot answered."""
    if move in ("tick", "untick"):
        done = move == "tick"
        seen = stale_copy(pmbot, launch, item, ticked=not done) if item.done == done else None
        request, name = tick_request(pmbot, launch, item.id or 0, user=user, done=done, seen=seen)
        assert (await pmbot.send(request)).status_code == 200
        if may:
            await pmbot.until(lambda: _done_is(pmbot, launch, item, done))
            return ""
        return await said(pmbot, name)
    owner = NEW_OWNER if move == "reassign" else item.owner_id
    due = item.due_date + timedelta(days=1 if move == "redate" else 0)
    values = {
        fields.ITEM_OWNER: {ids.VALUE: payloads.users_select(owner)},
        fields.ITEM_DUE: {ids.VALUE: payloads.datepicker(due.isoformat())},
    }
    metadata = json.dumps({"item_id": item.id})
    response = await pmbot.submit(ids.LAUNCH_ITEM_MODAL, values, user=user, private_metadata=metadata)
    return "" if response.text in ("", "{}") else json.dumps(response.json()["errors"])


async def _done_is(pmbot: Harness, launch: Launch, item: LaunchItem, done: bool) -> bool:
    return {i.id: i.done for i in await items_of(pmbot, launch.number)}[item.id] == done


PLAIN_PEOPLE = ("@u_dave", "@u_alice", "@u_bob")  # the fake's display names of Dave, Alice and Bob


@pytest.mark.parametrize("state", list(EXPECTED))
async def test_every_item_state_move_and_role(pmbot: Harness, state: str) -> None:
    launch, items = await launch_in(pmbot, state)
    cases = [(role, move) for role in ROLES for move in MOVES]
    for (role, move), item in zip(cases, items, strict=True):
        user = ROLES[role]
        offered = bool(EXPECTED[state]["reassign"] | EXPECTED[state]["redate"])
        assert on_menu(pmbot, launch, item) == offered, (state, item.title)
        if move in ("reassign", "redate") and offered:
            assert await menu_opens(pmbot, launch, item, user) == (role in EXPECTED[state][move]), role

        may = role in EXPECTED[state][move]
        answer = await make(pmbot, launch, item, move, user, may=may)
        await pmbot.settled()

        if may:
            assert answer == "", (state, role, move, answer)
            continue
        if EXPECTED[state][move]:  # the move exists from this state, but not for this person: who can
            # A tick is answered in mrkdwn (mentions); a modal's inline error is plain text (names).
            people = ("<@U_DAVE>", "<@U_ALICE>", "<@U_BOB>") if move in ("tick", "untick") else PLAIN_PEOPLE
            assert "Only the item's owner {}, LCH-1's owner {}".format(*people[:2]) in answer, answer
            assert f"deciders {people[2]} and admins" in answer and "pmbot admins" in answer, answer
        else:  # the move does not exist from this state: what happened instead
            assert "nothing changed" in answer.lower() and "Only" not in answer, (state, role, move, answer)
        [now] = [i for i in await items_of(pmbot, launch.number) if i.id == item.id]
        assert (now.done, now.owner_id, now.due_date) == (item.done, item.owner_id, item.due_date), role


async def test_a_click_on_an_item_someone_ticked_meanwhile_says_who(pmbot: Harness) -> None:
    launch, items = await launch_in(pmbot, "open")
    first = items[0]
    seen = find_group(pmbot, launch, first.id or 0)[0]  # Bob's client still shows it open
    change = ItemChange(element_ids=[first.id or 0], selected_ids={first.id or 0})
    await pmbot.services.launches.tick(TEAM, ITEM_OWNER, launch.number, change)
    await pmbot.settled()

    request, name = tick_request(pmbot, launch, first.id or 0, user=DECIDER, seen=seen)
    await pmbot.send(request)

    told = await said(pmbot, name)
    assert told.endswith(f"“{first.title}” was already ticked done by <@{DAVE}>; nothing changed."), told
    assert (await items_of(pmbot, launch.number))[0].done_by == DAVE
