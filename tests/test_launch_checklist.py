"""Launch checklists in Slack: the parent and its thread, Slack's limits at 30 items, ticks from several
people at once, the permission rule, and names that must not ping."""

from __future__ import annotations

import asyncio

from bot.views import ids
from storage.models import LaunchStatus
from tests.harness import ADMIN, ALICE, BOB, CAROL, Harness
from tests.home_steps import open_home
from tests.launch_steps import (
    LAUNCHES,
    audit_actions,
    checklist,
    click,
    create_launch,
    find_group,
    get_launch,
    groups,
    in_days,
    items_of,
    launch_values,
    message,
    said,
    save_template,
    submit_launch,
    text_of,
    thread,
    tick,
    tick_request,
    until_done,
)
from tests.slack_limits import OPTION_TEXT, problems_in_message

CHECKBOX_OPTIONS = 10  # Slack's limit for one checkboxes element


def within_limits(found: dict[str, object]) -> None:
    """Every Slack limit, checkboxes included."""
    assert problems_in_message(found) == [], problems_in_message(found)
    for group in groups(found):
        boxes = next(e for e in group["elements"] if e["type"] == "checkboxes")
        assert 1 <= len(boxes["options"]) <= CHECKBOX_OPTIONS
        for option in boxes["options"]:
            assert len(option["text"]["text"]) <= OPTION_TEXT
            assert len(option["description"]["text"]) <= OPTION_TEXT


def mrkdwn_texts(node: object) -> list[str]:
    """Every mrkdwn text in blocks (plain_text is never parsed for mentions)."""
    if isinstance(node, list):
        return [text for child in node for text in mrkdwn_texts(child)]
    if not isinstance(node, dict):
        return []
    own = [node["text"]] if node.get("type") == "mrkdwn" else []
    return own + [text for value in node.values() for text in mrkdwn_texts(value)]


async def test_a_new_launch_posts_its_parent_and_the_checklist_in_its_thread(pmbot: Harness) -> None:
    launch = await create_launch(pmbot, "Checkout v2", deciders=[BOB])

    parent = message(pmbot, LAUNCHES, launch.parent_ts or "")
    shown = text_of(parent)
    assert "LCH-1 · Checkout v2" in shown and "<!date^" in shown and "<@U_ALICE>" in shown
    assert "▱▱▱▱▱ 0/13" in shown and "Planned" in shown
    within_limits(parent)
    [listed] = checklist(pmbot, launch)
    within_limits(listed)
    assert "*Prepare*" in text_of(listed) and "Spec signed off" in text_of(listed)
    assert "No owner yet (qa) · due " in text_of(listed)  # a checkbox description is plain_text
    descriptions = [o["description"] for g in groups(listed) for o in g["elements"][0]["options"]]
    assert descriptions and {d["type"] for d in descriptions} == {"plain_text"}
    assert not any("<@" in d["text"] or "*" in d["text"] or "<!date" in d["text"] for d in descriptions)
    assert "u_alice · due " in text_of(listed), "an owner by name: plain_text cannot mention"
    assert launch.timezone == "Europe/Berlin", "the owner's Slack timezone"
    assert (await audit_actions(pmbot, 1)) == ["created"]
    owned = [item.title for item in await items_of(pmbot, 1) if item.owner_id == ALICE]
    assert owned == ["Go / no-go decided", "Retro held"], "items of the owner role go to the launch owner"


async def test_thirty_items_render_within_every_slack_limit_split_across_messages(pmbot: Harness) -> None:
    one_phase_each = "\n".join(
        f"-{30 - n}d [Phase {n:02d} {'x' * 20}] Item {n} {'y' * 40}"
        for n in range(30)  # the modal's 3,000
    )
    three_phases = "\n".join(f"-{30 - n}d [Step {n % 3}] Item {n} <!channel> & more @qa" for n in range(30))
    for name, lines in (("Many phases", one_phase_each), ("Three phases", three_phases)):
        response = await save_template(pmbot, name, lines, user=ADMIN)
        assert response.status_code == 200 and response.text in ("", "{}"), response.text

    spread = await create_launch(pmbot, "Spread", template="Many phases")
    dense = await create_launch(pmbot, "Dense", template="Three phases")

    spread_messages = checklist(pmbot, spread)
    assert len(spread_messages) == 2, "30 phases of one group each need 61 blocks: two messages"
    assert "part 1 of 2" in spread_messages[0]["text"]
    [dense_message] = checklist(pmbot, dense)
    assert [
        len(next(e for e in g["elements"] if e["type"] == "checkboxes")["options"])
        for g in groups(dense_message)
    ] == [10, 10, 10]
    for found in [*spread_messages, dense_message]:
        within_limits(found)
        assert not [t for t in mrkdwn_texts(found["blocks"]) if "<!channel>" in t]
    shown = [group for found in spread_messages for group in groups(found)]
    assert len(shown) == 30 and len(await items_of(pmbot, spread.number)) == 30


async def test_two_people_ticking_different_items_at_once_both_persist(pmbot: Harness) -> None:
    launch = await create_launch(pmbot, deciders=[BOB])
    first, second = (await items_of(pmbot, launch.number))[:2]
    before, _ = find_group(pmbot, launch, first.id or 0)
    seen = dict(before)  # both clients show the same, untouched message

    alice, _ = tick_request(pmbot, launch, first.id or 0, user=ALICE, seen=seen)
    bob, _ = tick_request(pmbot, launch, second.id or 0, user=BOB, seen=seen)
    answers = await asyncio.gather(pmbot.send(alice), pmbot.send(bob))
    assert [answer.status_code for answer in answers] == [200, 200]
    await until_done(pmbot, launch, {first.id or 0: True, second.id or 0: True})

    done = {item.title: item.done_by for item in await items_of(pmbot, launch.number) if item.done}
    assert done == {first.title: ALICE, second.title: BOB}
    assert "▰▱▱▱▱ 2/13" in text_of(message(pmbot, LAUNCHES, launch.parent_ts or ""))
    _, group = find_group(pmbot, launch, first.id or 0)
    boxes = next(e for e in group["elements"] if e["type"] == "checkboxes")
    assert {o["value"] for o in boxes["initial_options"]} == {str(first.id), str(second.id)}
    assert (await audit_actions(pmbot, launch.number)).count("item_ticked") == 2


async def test_someone_outside_the_launch_cannot_tick_and_their_tick_disappears(pmbot: Harness) -> None:
    launch = await create_launch(pmbot)
    item = (await items_of(pmbot, launch.number))[0]
    updates_before = len(pmbot.fake.calls_to("chat.update"))

    refusal = await said(pmbot, await tick(pmbot, launch, item.id or 0, user=CAROL, refused=True))

    assert "nothing changed" in refusal and "owner" in refusal
    assert not (await items_of(pmbot, launch.number))[0].done
    await pmbot.settled()
    [rerendered] = [
        call
        for call in pmbot.fake.calls_to("chat.update")[updates_before:]
        if call.params["text"].startswith(f"{launch.ref} checklist")
    ]
    _, group = find_group(pmbot, launch, item.id or 0)
    assert "initial_options" not in next(e for e in group["elements"] if e["type"] == "checkboxes")
    assert rerendered.params["ts"] == checklist(pmbot, launch)[0]["ts"]

    await tick(pmbot, launch, item.id or 0, user=ADMIN)  # an admin may
    assert (await items_of(pmbot, launch.number))[0].done_by == ADMIN


async def test_unticking_and_the_item_owner_ticking_their_own(pmbot: Harness) -> None:
    launch = await create_launch(pmbot)
    item = (await items_of(pmbot, launch.number))[1]
    await open_home(pmbot, CAROL)  # only a Home tab someone has opened is re-published
    response = await pmbot.submit(
        ids.LAUNCH_ITEM_MODAL,
        {"item_owner": {ids.VALUE: {"type": "users_select", "selected_user": CAROL}},
         "item_due": {ids.VALUE: {"type": "datepicker", "selected_date": item.due_date.isoformat()}}},
        user=ALICE, private_metadata=f'{{"item_id": {item.id}}}',
    )  # fmt: skip
    assert response.text in ("", "{}"), response.text
    await pmbot.settled()
    published = pmbot.fake.calls_to("views.publish")
    carols = [call for call in published if call.params["user_id"] == CAROL]
    assert len(carols) == 2, "opened, then re-published for the new owner"

    await tick(pmbot, launch, item.id or 0, user=CAROL)
    assert (await items_of(pmbot, launch.number))[1].done
    await tick(pmbot, launch, item.id or 0, user=CAROL, done=False)
    assert not (await items_of(pmbot, launch.number))[1].done
    assert "▱▱▱▱▱ 0/13" in text_of(message(pmbot, LAUNCHES, launch.parent_ts or ""))
    assert await audit_actions(pmbot, launch.number) == [
        "created",
        "item_assigned",
        "item_ticked",
        "item_unticked",
    ]


async def test_a_launch_named_channel_pings_nobody(pmbot: Harness) -> None:
    launch = await create_launch(pmbot, "<!channel> @here ship it")

    posted = [
        call for call in pmbot.fake.calls_to("chat.postMessage") if call.params.get("channel") == LAUNCHES
    ]
    assert posted
    for call in posted:
        everything = " ".join([call.params.get("text", ""), *mrkdwn_texts(call.params.get("blocks"))])
        assert "<!channel>" not in everything and "@here" not in everything
    assert "&lt;!channel&gt;" in message(pmbot, LAUNCHES, launch.parent_ts or "")["text"]
    assert (await get_launch(pmbot, launch.number)).status == LaunchStatus.PLANNED


async def test_a_channel_pmbot_cannot_post_in_is_told_to_the_creator(pmbot: Harness) -> None:
    pmbot.fake.closed_channels.add(LAUNCHES)
    response = await submit_launch(pmbot, launch_values("Quiet", in_days(pmbot, 10)))
    assert response.text in ("", "{}"), response.text

    [told] = await pmbot.fake.wait_for("chat.postMessage", where=lambda call: call.params["channel"] == ALICE)
    assert "LCH-1 is saved" in told.params["text"] and "not_in_channel" in told.params["text"]
    await pmbot.settled()
    pmbot.fake.closed_channels.discard(LAUNCHES)
    await click(pmbot, ids.LAUNCH_OPEN_GONOGO, await get_launch(pmbot, 1), user=ALICE)
    await pmbot.until(lambda: _posted(pmbot))
    pmbot.clock.advance(seconds=10)  # the poll waited a few seconds for its parent
    await pmbot.settled()
    launch = await get_launch(pmbot, 1)
    assert launch.parent_ts and len(checklist(pmbot, launch)) == 1, "the next change posts everything"
    assert [m for m in thread(pmbot, launch) if m["text"].startswith("Go / no-go for LCH-1")]


async def _posted(pmbot: Harness) -> bool:
    return (await get_launch(pmbot, 1)).parent_ts is not None
