"""Go / no-go: a poll in the launch's thread for its deciders; the result is recorded and posted."""

from __future__ import annotations

import json

from bot.services.launches import gonogo
from bot.views import ids
from storage.models import GoNoGo
from tests.harness import ALICE, BOB, CAROL, Harness
from tests.launch_steps import (
    LAUNCHES,
    TEAM,
    audit_actions,
    checklist,
    click,
    create_launch,
    get_launch,
    groups,
    in_days,
    items_of,
    launch_said,
    message,
    no_go_form,
    said,
    say_no_go,
    submit_no_go,
    text_of,
    thread,
    ticked_in,
    vote,
)
from tests.test_launch_dates import move_date
from tests.test_triage import dm_text, dms_to


def polls(pmbot: Harness, launch_ref: str, launch: object) -> list[dict[str, object]]:
    return [
        m for m in thread(pmbot, launch) if str(m.get("text", "")).startswith(f"Go / no-go for {launch_ref}")
    ]


def has_buttons(found: dict[str, object]) -> bool:
    return any(block["type"] == "actions" for block in found["blocks"])  # type: ignore[index,union-attr]


async def test_every_decider_answering_records_the_result_and_posts_it(pmbot: Harness) -> None:
    launch = await create_launch(pmbot, deciders=[BOB, CAROL])
    assert await launch_said(pmbot, "gonogo LCH-1") == "Go / no-go poll 1 for LCH-1 is open in its thread."
    [poll] = polls(pmbot, "LCH-1", launch)
    assert has_buttons(poll) and "waiting for <@U_BOB> <@U_CAROL>" in text_of(poll)

    assert await vote(pmbot, ids.LAUNCH_GO, launch, 1, user=BOB) == "Noted; waiting for 1 more decider."
    await pmbot.settled()
    assert "<@U_BOB> go · waiting for <@U_CAROL>" in text_of(polls(pmbot, "LCH-1", launch)[0])
    assert await say_no_go(pmbot, launch, 1, user=CAROL, why="Legal") == "Everyone answered: no-go."
    await pmbot.settled()

    decided = await get_launch(pmbot, launch.number)
    assert decided.gonogo_decision == GoNoGo.NO_GO and decided.gonogo_decided_at is not None
    [poll] = polls(pmbot, "LCH-1", launch)
    assert not has_buttons(poll) and "Result: *NO-GO*" in text_of(poll)
    assert poll["text"] == "Go / no-go for LCH-1 (poll 1): no-go"
    assert "<@U_BOB> go, <@U_CAROL> no-go (“Legal”)" in text_of(poll)
    # The updated poll is the result: it is not posted a second time in the thread.
    assert [m for m in thread(pmbot, launch) if "NO-GO" in text_of(m)] == [poll]
    assert "*NO-GO*" in text_of(message(pmbot, LAUNCHES, launch.parent_ts or ""))
    assert await audit_actions(pmbot, launch.number) == [
        "created",
        "gonogo_opened",
        "gonogo_go",
        "gonogo_no_go",
        "gonogo_decided",
        "item_ticked",
    ]  # fmt: skip  (a no-go is decided too: the checklist's "Go / no-go decided" is ticked)


async def test_only_deciders_answer_once_and_the_owner_may_close_early(pmbot: Harness) -> None:
    launch = await create_launch(pmbot, deciders=[BOB, CAROL])
    opened = await pmbot.services.launches.open_gonogo(TEAM, launch.number, None)
    again = await pmbot.services.launches.open_gonogo(TEAM, launch.number, None)
    assert opened.opened and not again.opened, "the schedule opens one poll however often it runs"
    await pmbot.settled()
    assert len(polls(pmbot, "LCH-1", launch)) == 1

    assert "deciders" in await vote(pmbot, ids.LAUNCH_GO, launch, 1, user=ALICE)
    assert await vote(pmbot, ids.LAUNCH_GO, launch, 1, user=BOB) == "Noted; waiting for 1 more decider."
    # A no-go is refused in the form it opens (said once, where the person looks).
    assert "You already answered LCH-1's poll." in json.dumps(await no_go_form(pmbot, launch, 1, user=BOB))
    assert "owner and admins" in await vote(pmbot, ids.LAUNCH_CLOSE_GONOGO, launch, 1, user=CAROL)
    assert await vote(pmbot, ids.LAUNCH_CLOSE_GONOGO, launch, 1, user=ALICE) == "Closed: go."
    await pmbot.settled()

    assert (await get_launch(pmbot, launch.number)).gonogo_decision == GoNoGo.GO
    late = json.dumps(await no_go_form(pmbot, launch, 1, user=CAROL))
    assert "LCH-1's poll is closed (go); nothing changed." in late
    [result] = [m for m in thread(pmbot, launch) if "Result:" in text_of(m)]
    assert "no answer from <@U_CAROL>" in text_of(result) and result["text"].endswith(": go")

    skipped = await pmbot.services.launches.open_gonogo(TEAM, launch.number, None)
    assert not skipped.opened, "the schedule leaves a decided launch alone"
    assert "poll 2" in await launch_said(pmbot, "gonogo Checkout", user=BOB)  # a decider, by name
    assert (await get_launch(pmbot, launch.number)).gonogo_round == 2
    first, second = polls(pmbot, "LCH-1", launch)
    assert not has_buttons(first)
    assert has_buttons(second) and "(poll 2)" in text_of(second)
    stale = await vote(pmbot, ids.LAUNCH_GO, launch, 1, user=CAROL)
    assert stale == "That poll of LCH-1 was replaced by poll 2; nothing changed."


async def test_without_named_deciders_the_owner_decides(pmbot: Harness) -> None:
    launch = await create_launch(pmbot)
    assert "is open" in await launch_said(pmbot, "gonogo LCH-1", user=ALICE)
    assert await vote(pmbot, ids.LAUNCH_GO, launch, 1, user=ALICE) == "Everyone answered: go."
    await pmbot.settled()
    assert (await get_launch(pmbot, launch.number)).gonogo_decision == GoNoGo.GO
    assert "*GO*" in text_of(message(pmbot, LAUNCHES, launch.parent_ts or ""))


async def test_a_no_go_asks_why_and_the_owner_poll_result_and_parent_show_it(pmbot: Harness) -> None:
    launch = await create_launch(pmbot, deciders=[BOB, CAROL])  # Alice owns it
    await pmbot.services.launches.open_gonogo(TEAM, launch.number, None)
    form = await no_go_form(pmbot, launch, 1, user=CAROL)
    assert form["callback_id"] == ids.LAUNCH_NO_GO_MODAL
    [reason] = [b for b in form["blocks"] if b.get("block_id") == gonogo.NO_GO_REASON]
    assert not reason.get("optional") and reason["element"]["max_length"] == gonogo.NO_GO_REASON_MAX

    assert gonogo.NO_GO_REASON in (await submit_no_go(pmbot, form, "   ", user=CAROL))["errors"]
    too_long = await submit_no_go(pmbot, form, "x" * (gonogo.NO_GO_REASON_MAX + 1), user=CAROL)
    assert "under 500 characters" in too_long["errors"][gonogo.NO_GO_REASON]
    answer = await submit_no_go(pmbot, form, "Legal <!here> has not signed off", user=CAROL)
    assert answer["view"]["blocks"][0]["text"]["text"] == "Noted; waiting for 1 more decider."
    await pmbot.settled()

    why = "“Legal &lt;!here&gt; has not signed off”"
    assert f"<@U_CAROL> no-go ({why})" in text_of(polls(pmbot, "LCH-1", launch)[0])
    [dm] = [call for call in dms_to(pmbot, ALICE) if "said *no-go*" in dm_text(call)]
    assert dm_text(dm).startswith("<@U_CAROL> said *no-go* on *LCH-1") and why in dm_text(dm)
    assert await vote(pmbot, ids.LAUNCH_GO, launch, 1, user=BOB) == "Everyone answered: no-go."
    await pmbot.settled()
    parent = text_of(message(pmbot, LAUNCHES, launch.parent_ts or ""))
    assert "*NO-GO*" in parent and f"*No-go:* <@U_CAROL> {why}" in parent
    [result] = polls(pmbot, "LCH-1", launch)  # the poll shows the result: no second post
    assert "Result: *NO-GO*" in text_of(result) and f"<@U_CAROL> no-go ({why})" in text_of(result)


async def test_no_go_is_refused_before_its_form_for_someone_who_is_not_a_decider(pmbot: Harness) -> None:
    launch = await create_launch(pmbot, deciders=[BOB])
    await pmbot.services.launches.open_gonogo(TEAM, launch.number, None)

    form = await no_go_form(pmbot, launch, 1, user=CAROL)

    assert "callback_id" not in form
    assert "Only LCH-1's deciders answer its go / no-go poll: <@U_BOB>." in json.dumps(form)
    forged = await submit_no_go(
        pmbot, {"private_metadata": json.dumps({"number": 1, "round": 1})}, "No", user=CAROL
    )
    assert "Only LCH-1's deciders" in json.dumps(forged)
    assert (await get_launch(pmbot, launch.number)).gonogo_decision is None


async def test_a_no_go_before_a_slip_or_a_launch_never_reads_as_the_current_verdict(pmbot: Harness) -> None:
    launch = await create_launch(pmbot, deciders=[BOB], days=30)
    await launch_said(pmbot, "gonogo LCH-1")
    assert await say_no_go(pmbot, launch, 1, user=BOB, why="Legal") == "Everyone answered: no-go."
    await pmbot.settled()
    assert "*Go / no-go:* *NO-GO* ⛔\n" in text_of(message(pmbot, LAUNCHES, launch.parent_ts or "")) + "\n"

    pmbot.clock.advance(minutes=5)
    assert await move_date(pmbot, launch.number, in_days(pmbot, 37).isoformat()) == {}
    await pmbot.settled()
    parent = message(pmbot, LAUNCHES, launch.parent_ts or "")
    assert "*NO-GO* ⛔ at poll 1, before the slip: a new poll decides the new date" in text_of(parent)
    [mark] = [e for b in parent["blocks"] if b["type"] == "actions" for e in b["elements"]][:1]
    assert mark["confirm"]["text"]["text"].startswith("Go / no-go: NO-GO ⛔ (before the slip). ")

    await said(pmbot, await click(pmbot, ids.LAUNCH_MARK_LAUNCHED, launch, user=ALICE))
    await pmbot.settled()
    launched = text_of(message(pmbot, LAUNCHES, launch.parent_ts or ""))
    assert "Launched" in launched and "*Go / no-go:* *NO-GO* ⛔\n" not in launched + "\n"
    assert "before the slip" in launched


async def test_a_launch_made_after_a_no_go_shows_that_poll_as_past(pmbot: Harness) -> None:
    launch = await create_launch(pmbot, deciders=[BOB])
    await launch_said(pmbot, "gonogo LCH-1")
    assert await say_no_go(pmbot, launch, 1, user=BOB, why="Legal") == "Everyone answered: no-go."
    await pmbot.settled()

    await said(pmbot, await click(pmbot, ids.LAUNCH_MARK_LAUNCHED, launch, user=ALICE))
    await pmbot.settled()
    launched = text_of(message(pmbot, LAUNCHES, launch.parent_ts or ""))
    assert "*Go / no-go:* *NO-GO* ⛔ at poll 1, before it launched" in launched
    assert "*When:* launched <!date^" in launched and "(planned for <!date^" in launched, launched
    [notice] = [m for m in thread(pmbot, launch) if "is launched!" in text_of(m)]
    assert "It was planned for <!date^" in text_of(notice)
    assert "The go / no-go had said *NO-GO* ⛔; it went ahead anyway." in text_of(notice)


async def test_an_open_poll_ends_with_the_launch_and_takes_no_late_answer(pmbot: Harness) -> None:
    launch = await create_launch(pmbot, deciders=[BOB, CAROL])
    await launch_said(pmbot, "gonogo LCH-1")
    assert await vote(pmbot, ids.LAUNCH_GO, launch, 1, user=CAROL) == "Noted; waiting for 1 more decider."

    await said(pmbot, await click(pmbot, ids.LAUNCH_MARK_LAUNCHED, launch, user=ALICE))
    await pmbot.settled()
    late = await vote(pmbot, ids.LAUNCH_GO, launch, 1, user=BOB)  # days later, on the poll still in view
    await pmbot.settled()

    assert late == "LCH-1 is launched, so its go / no-go poll is over; nothing changed."
    assert (await get_launch(pmbot, launch.number)).gonogo_decision is None
    [poll] = polls(pmbot, "LCH-1", launch)
    assert not has_buttons(poll) and "Not decided: LCH-1 was launched first. The poll is over." in text_of(
        poll
    )
    parent = text_of(message(pmbot, LAUNCHES, launch.parent_ts or ""))
    assert "poll 1 not decided before it launched" in parent and "open in the thread" not in parent


def ticked_on_the_checklist(pmbot: Harness, launch: object) -> set[str]:
    shown = [group for found in checklist(pmbot, launch) for group in groups(found)]
    return {value for group in shown for value in ticked_in(group)}


async def test_a_decided_poll_ticks_the_go_no_go_item_and_a_new_poll_unticks_it(pmbot: Harness) -> None:
    launch = await create_launch(pmbot, deciders=[BOB, CAROL])
    [item] = [item for item in await items_of(pmbot, launch.number) if item.title == "Go / no-go decided"]
    assert "is open" in await launch_said(pmbot, "gonogo LCH-1")
    await vote(pmbot, ids.LAUNCH_GO, launch, 1, user=BOB)
    assert await vote(pmbot, ids.LAUNCH_GO, launch, 1, user=CAROL) == "Everyone answered: go."
    await pmbot.settled()

    [decided] = [i for i in await items_of(pmbot, launch.number) if i.id == item.id]
    assert decided.done and decided.done_by == CAROL, "the answer that decided it ticks it"
    assert str(item.id) in ticked_on_the_checklist(pmbot, launch)

    assert "poll 2" in await launch_said(pmbot, "gonogo LCH-1")  # the new poll decides again
    await pmbot.settled()
    [reopened] = [i for i in await items_of(pmbot, launch.number) if i.id == item.id]
    assert not reopened.done and str(item.id) not in ticked_on_the_checklist(pmbot, launch)
