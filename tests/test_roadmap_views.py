"""What people read and type: `/roadmap` and its subcommands, the shared snapshot, the propose
modal's inline errors, and the type-ahead of items and requests — all within Slack's limits."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Coroutine
from typing import Any, TypeVar

from sqlalchemy import update

from bot.services.roadmap import proposals as form
from bot.views import ids
from storage.models import RoadmapItem
from tests.fakes import payloads
from tests.harness import ADMIN, ALICE, BOB, CAROL, DAVE, SECRET, Harness, opened_metadata
from tests.roadmap_steps import (
    answer,
    change,
    propose,
    propose_add,
    set_policy,
    submit_change,
    vote,
)
from tests.slack_limits import problems_in_message, problems_in_options, problems_in_view

T = TypeVar("T")

PRODUCT = "C_PRODUCT"
LONG = "with a title long enough to need cutting down in every select option Slack shows " * 2


async def roadmap(pmbot: Harness, text: str = "", *, user: str = ALICE) -> dict[str, Any]:
    """Run `/roadmap <text>`; return the ephemeral answer, checked against Slack's limits."""
    response = await pmbot.command(text, user=user, command="/roadmap", channel_id=PRODUCT)
    assert response.status_code == 200, response.text
    body = response.json() if response.text else {}
    assert problems_in_message(body) == [], text
    return body


def texts(body: dict[str, Any]) -> str:
    """Every text of the blocks, joined by lines."""
    parts = []
    for block in body.get("blocks", []):
        parts.append((block.get("text") or {}).get("text", ""))
        parts += [e["text"] for e in block.get("elements", []) if isinstance(e.get("text"), str)]
    return "\n".join(part for part in parts if part)


def action_ids(body: dict[str, Any]) -> list[str]:
    return [
        e["action_id"] for block in body["blocks"] if block["type"] == "actions" for e in block["elements"]
    ]


async def suggest(pmbot: Harness, action_id: str, block_id: str, typed: str) -> list[dict[str, Any]]:
    """The options a type-ahead in the propose modal offers for what was typed."""
    response = await pmbot.send(
        payloads.block_suggestion(
            SECRET,
            action_id=action_id,
            block_id=block_id,
            value=typed,
            view={"callback_id": ids.PROPOSE_MODAL},
        )
    )
    assert response.status_code == 200, response.text
    options = response.json()["options"]
    assert problems_in_options(options) == [], typed
    return options


async def a_few_at_a_time(work: list[Coroutine[Any, Any, T]], size: int = 10) -> list[T]:
    """Seed data concurrently, but no more at once than a person's clicks: each must be acked in 3 s."""
    done: list[T] = []
    for start in range(0, len(work), size):
        done += await asyncio.gather(*work[start : start + size])
    return done


async def add_items(pmbot: Harness, titles: list[str]) -> None:
    """Put items on the roadmap, a workspace admin approving (nobody is named)."""
    await set_policy(pmbot, [], required=1, channels=False)
    await a_few_at_a_time(
        [propose_add(pmbot, t, horizon=("now", "next", "later")[n % 3]) for n, t in enumerate(titles)]
    )
    said = await a_few_at_a_time([vote(pmbot, ids.APPROVE, n, ADMIN) for n in range(1, len(titles) + 1)])
    assert all(s.startswith("Approved: CHG-") for s in said), said
    await pmbot.settled()


async def test_type_ahead_of_items_and_requests_stays_within_slacks_option_limits(pmbot: Harness) -> None:
    await pmbot.set_intake()
    await add_items(pmbot, [f"Item {n:03d} {LONG}"[: form.TITLE_MAX] for n in range(101)])
    await a_few_at_a_time([pmbot.file(f"Request {n:03d} {LONG}"[:150]) for n in range(101)])

    for action_id, block_id, prefix in (
        (ids.ITEM_PICKER, form.ITEM, "RM"),
        (ids.REQUEST_PICKER, form.LINKED, "REQ"),
    ):
        everything = await suggest(pmbot, action_id, block_id, "")
        assert len(everything) == 100
        assert [o["value"] for o in everything] == [str(n) for n in range(101, 1, -1)]
        assert all(len(o["text"]["text"]) <= 75 for o in everything)
        assert everything[0]["text"]["text"].startswith(f"{prefix}-101 ")
        [by_ref] = await suggest(pmbot, action_id, block_id, f"{prefix}-7")
        assert by_ref["value"] == "7" and by_ref["text"]["text"].startswith(f"{prefix}-7 ")
        [by_words] = await suggest(pmbot, action_id, block_id, " 042 WITH a title")
        assert " 042 " in by_words["text"]["text"]
        assert await suggest(pmbot, action_id, block_id, "nothing like this") == []

    body = await roadmap(pmbot)
    assert len(body["blocks"]) <= 50 and "…and 22 more" in texts(body)


async def test_the_roadmap_by_horizon_and_a_snapshot_shared_in_the_channel(pmbot: Harness) -> None:
    await pmbot.set_intake()
    wanted = await pmbot.file("Work offline on planes", user=BOB)
    for user in (ALICE, CAROL):
        await pmbot.click(ids.UPVOTE, wanted, user=user)
        await answer(pmbot, f"{ids.UPVOTE}-{user}")
    await set_policy(pmbot, [ADMIN, DAVE], required=1)
    await propose(pmbot, "add", title="Global search", horizon="now", target_date="2031-01-15", owner=CAROL)
    await propose(pmbot, "add", title="Offline <mode>", horizon="next", linked=[wanted])
    await propose(pmbot, "add", title="Kanban", horizon="later")
    await propose(pmbot, "add", title="Fax support", horizon="later")
    for number in range(1, 5):
        await vote(pmbot, ids.APPROVE, number, ADMIN)
    await propose(pmbot, "drop", item=4)
    await vote(pmbot, ids.APPROVE, 5, ADMIN)
    await pmbot.settled()

    body = await roadmap(pmbot)
    shown = texts(body)
    for line in ("*Now* (1)", "*Next* (1)", "*Later* (1)", "*RM-1* Global search · Planned · <@U_CAROL>"):
        assert line in shown
    assert "target <!date^" in shown and "*RM-2* Offline &lt;mode&gt;" in shown
    assert "demand 2 (+1s on 1 request)" in shown and "Fax support" not in shown
    assert action_ids(body) == [ids.SHARE_ROADMAP, ids.OPEN_PROPOSE_MODAL]
    assert "*Shipped*" not in shown

    async with pmbot.services.db.transaction() as session:  # a launch shipped it
        await session.execute(update(RoadmapItem).where(RoadmapItem.number == 3).values(status="shipped"))
    after_shipping = texts(await roadmap(pmbot))
    assert "*Later* (0)" in after_shipping and "*Shipped* (1)\n*RM-3* Kanban · Shipped" in after_shipping

    share = payloads.block_action(
        SECRET, action_id=ids.SHARE_ROADMAP, value="share", user_id=BOB, channel_id=PRODUCT,
        message={"blocks": body["blocks"]}, response_url=pmbot.fake.response_url("share"),
    )  # fmt: skip
    assert (await pmbot.send(share)).status_code == 200
    [snapshot] = await pmbot.fake.wait_for(
        "chat.postMessage", where=lambda call: call.params["channel"] == PRODUCT
    )
    assert problems_in_message(snapshot.params) == []
    assert "Snapshot shared by <@U_BOB>" in texts(snapshot.params) and "Global search" in texts(
        snapshot.params
    )
    assert action_ids(snapshot.params) == [], "a snapshot in the channel has no buttons"

    pmbot.fake.fail_next("chat.postMessage", error="not_in_channel")
    again = payloads.block_action(
        SECRET, action_id=ids.SHARE_ROADMAP, value="share", user_id=BOB, channel_id="C_SECRET",
        response_url=pmbot.fake.response_url("share-again"),
    )  # fmt: skip
    await pmbot.send(again)
    assert "/invite @pmbot" in await answer(pmbot, "share-again")


async def test_one_item_with_its_history_and_what_matches_nothing(pmbot: Harness) -> None:
    await set_policy(pmbot, [BOB, DAVE], required=1)
    await pmbot.set_intake()
    wanted = await pmbot.file("Find old tickets")
    await propose(pmbot, "add", title="Global search", description="Across <all> projects", horizon="next")
    await vote(pmbot, ids.APPROVE, 1, BOB)
    await propose(pmbot, "move", item=1, horizon="now", linked=[wanted], rationale="Top of the survey")
    await vote(pmbot, ids.APPROVE, 2, BOB)
    await pmbot.settled()

    for typed in ("RM-1", "rm1", "global SEARCH"):
        body = await roadmap(pmbot, typed)
        assert body["blocks"][0]["text"]["text"] == "RM-1 · Global search", typed
    shown = texts(body)
    assert "Across &lt;all&gt; projects" in shown and f"REQ-{wanted} Find old tickets" in shown
    bob = f"<@{BOB}>"
    assert f"Added to the roadmap: Horizon: Next; Status: Planned via CHG-1 (approved by {bob})" in shown
    assert f"Moved: Horizon: Next → Now via CHG-2 (approved by {bob}) — “Top of the survey”" in shown
    assert "horizon:" not in shown and "owner_id" not in shown
    request_history = texts((await pmbot.command(f"REQ-{wanted}")).json())
    via = f"via CHG-2 (approved by {bob})"
    planned = f"Plan changed: Status: New → Planned {via} — REQ-{wanted} is now planned"
    assert planned in request_history, "pmbot's own note is said once, bare, without the change again"
    assert request_history.count("CHG-2") == 1 and "“REQ-" not in request_history

    missing = texts(await roadmap(pmbot, "RM-99"))
    assert "No roadmap item matches “RM-99”." in missing and "`/roadmap pending`" in missing


async def test_pending_proposals_with_their_age_and_whose_vote_is_missing(pmbot: Harness) -> None:
    await set_policy(pmbot, [BOB, CAROL, ADMIN], required=2)
    assert "Nothing waits for a decision." in texts(await roadmap(pmbot, "pending"))
    await propose_add(pmbot, "Global search")
    await vote(pmbot, ids.APPROVE, 1, BOB)
    pmbot.clock.advance(days=3, hours=1)
    await propose_add(pmbot, "Offline mode", user=BOB)
    pmbot.clock.advance(minutes=1)
    await propose_add(pmbot, "Kanban", user=CAROL)
    comment = {ids.COMMENT: {ids.VALUE: payloads.plain_text("Which board?")}}
    await pmbot.submit(ids.CHANGES_MODAL, comment, user=ADMIN, private_metadata='{"number": 3}')
    await pmbot.settled()

    shown = texts(await roadmap(pmbot, "pending", user=CAROL))
    first, second, third = shown.split("\n*CHG-")[1:]
    assert first.startswith("1* Add “Global search”") and "3 days old · 1 of 2 approvals" in first
    assert "can still vote: <@U_ADMIN> <@U_CAROL>" in first
    assert "0 days old · 0 of 2 approvals · can still vote: <@U_ADMIN> <@U_CAROL>" in second, (
        "the proposer never votes"
    )
    assert "waits for the proposer's changes" in third


async def test_many_pending_proposals_stay_within_fifty_blocks(pmbot: Harness) -> None:
    await set_policy(pmbot, [], required=1, channels=False)
    await a_few_at_a_time([propose_add(pmbot, f"Idea {n} {LONG}"[:150]) for n in range(55)])
    body = await roadmap(pmbot, "pending")
    assert len(body["blocks"]) <= 50 and "any workspace admin" in texts(body)


async def test_help_lists_every_subcommand(pmbot: Harness) -> None:
    shown = texts(await roadmap(pmbot, "help"))
    for usage in (
        "`/roadmap`",
        "`/roadmap RM-4`",
        "`/roadmap propose`",
        "`/roadmap pending`",
        "`/roadmap help`",
    ):
        assert usage in shown


async def test_help_shows_the_admins_lines_only_to_an_admin(pmbot: Harness) -> None:
    to_alice = texts(await roadmap(pmbot, "help", user=ALICE))
    assert "`/roadmap propose`" in to_alice and "`/roadmap help`" in to_alice
    assert "`/roadmap settings`" not in to_alice and "(admins)" not in to_alice

    to_admin = texts(await roadmap(pmbot, "help", user=ADMIN))
    assert "`/roadmap settings` — approvers, quorum, expiry and channels (admins)" in to_admin


async def open_propose_modal(pmbot: Harness, via_button: bool) -> dict[str, Any]:
    before = len(pmbot.fake.calls_to("views.open"))
    if via_button:
        await pmbot.send(payloads.block_action(SECRET, action_id=ids.OPEN_PROPOSE_MODAL, value="propose"))
    else:
        await roadmap(pmbot, "propose")
    opened = await pmbot.fake.wait_for("views.open", count=before + 1)
    view = opened[-1].params["view"]
    assert view["callback_id"] == ids.PROPOSE_MODAL and problems_in_view(view) == []
    assert json.loads(opened_metadata(view)) == {"number": None}
    return view


async def test_the_propose_modal_names_each_missing_field_inline(pmbot: Harness) -> None:
    await set_policy(pmbot, [BOB, DAVE], required=1)
    view = await open_propose_modal(pmbot, via_button=False)
    assert view == await open_propose_modal(pmbot, via_button=True)
    block_ids = {block.get("block_id") for block in view["blocks"]}
    await propose(pmbot, "add", title="Global search", horizon="next")
    await vote(pmbot, ids.APPROVE, 1, BOB)

    no_item, no_why = "Pick the roadmap item to change.", "Say why the roadmap should change."
    no_where = "Pick the new horizon or a new target date."
    cases = [
        (change("add", horizon="next"), {form.TITLE: "A new item needs a title."}),
        (change("add", title="Search", rationale=None), {form.RATIONALE: no_why}),
        (change("move", horizon="later"), {form.ITEM: no_item}),
        (change("move", item=1), {form.HORIZON: no_where}),
        (change("move", item=9, horizon="now"), {form.ITEM: "There is no RM-9."}),
        (change("rescope", item=1), {form.DESCRIPTION: "Give the new title or description."}),
        (change("drop"), {form.ITEM: no_item}),
        (change("add", title="Search", linked=[99]), {form.LINKED: "There is no REQ-99."}),
        (change("move", rationale=" "), {form.ITEM: no_item, form.HORIZON: no_where, form.RATIONALE: no_why}),
    ]
    for values, expected in cases:
        response = await submit_change(pmbot, values)
        assert response.json() == {"response_action": "errors", "errors": expected}
        assert set(expected) <= block_ids, "errors are keyed by the modal's block ids"
    assert "Nothing waits for a decision." in texts(await roadmap(pmbot, "pending"))
