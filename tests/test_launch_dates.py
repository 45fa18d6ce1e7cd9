"""Launch dates: a slip moves the due dates not set by hand and is posted in the thread; bad dates are
shown inline; only the owner and admins move, launch or cancel a launch."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.services.launches import changes as fields
from bot.views import ids
from storage.models import LaunchStatus
from tests.fakes import payloads
from tests.harness import ADMIN, ALICE, BOB, Harness
from tests.launch_steps import (
    LAUNCHES,
    audit_actions,
    click,
    create_launch,
    get_launch,
    in_days,
    items_of,
    launch_values,
    message,
    said,
    submit_launch,
    text_of,
    thread,
    tick,
)


async def move_date(
    pmbot: Harness,
    number: int,
    day: str | None,
    *,
    user: str = ALICE,
    why: str | None = "Legal review is late",
) -> dict[str, str]:
    """Submit the change-date modal; returns its inline errors ({} when accepted)."""
    values = {
        fields.NEW_DATE: {ids.VALUE: payloads.datepicker(day)},
        fields.SLIP_REASON: {ids.VALUE: payloads.plain_text(why)},
    }
    metadata = json.dumps({"number": number})
    response = await pmbot.submit(ids.LAUNCH_DATE_MODAL, values, user=user, private_metadata=metadata)
    assert response.status_code == 200
    return response.json()["errors"] if response.text not in ("", "{}") else {}


async def redate_item(pmbot: Harness, item_id: int, day: str, *, user: str = ALICE) -> None:
    values = {
        fields.ITEM_OWNER: {ids.VALUE: payloads.users_select(None)},
        fields.ITEM_DUE: {ids.VALUE: payloads.datepicker(day)},
    }
    metadata = json.dumps({"item_id": item_id})
    response = await pmbot.submit(ids.LAUNCH_ITEM_MODAL, values, user=user, private_metadata=metadata)
    assert response.text in ("", "{}"), response.text


async def test_a_slip_moves_the_due_dates_not_set_by_hand_and_is_posted_in_the_thread(pmbot: Harness) -> None:
    launch = await create_launch(pmbot, days=30)
    first, second, *_ = await items_of(pmbot, launch.number)
    by_hand = in_days(pmbot, 20)
    await redate_item(pmbot, second.id or 0, by_hand.isoformat())
    await pmbot.settled()

    assert await move_date(pmbot, launch.number, in_days(pmbot, 37).isoformat()) == {}
    await pmbot.settled()

    moved = await get_launch(pmbot, launch.number)
    assert moved.launch_date == in_days(pmbot, 37) and moved.status == LaunchStatus.SLIPPED
    items = {item.id: item for item in await items_of(pmbot, launch.number)}
    assert items[first.id].due_date == first.due_date + timedelta(days=7)
    assert items[second.id].due_date == by_hand and items[second.id].due_set_by_hand
    assert all(
        item.due_date == moved.launch_date + timedelta(days=item.offset_days)
        for item in items.values()
        if item.id != second.id
    )
    [notice] = [m for m in thread(pmbot, launch) if "slipped" in text_of(m)]
    assert "12 due dates moved with it; 1 set by hand stayed." in text_of(notice)
    assert "<@U_ALICE>" in text_of(notice)
    assert "Slipped" in text_of(message(pmbot, LAUNCHES, launch.parent_ts or ""))
    assert await audit_actions(pmbot, launch.number) == ["created", "item_redated", "slipped"]


async def test_a_slip_counts_only_the_items_still_open(pmbot: Harness) -> None:
    launch = await create_launch(pmbot, days=30)
    first, second, third, *_ = await items_of(pmbot, launch.number)
    await redate_item(pmbot, second.id or 0, in_days(pmbot, 20).isoformat())
    await tick(pmbot, launch, first.id or 0, user=ALICE)
    await tick(pmbot, launch, second.id or 0, user=ALICE)
    await tick(pmbot, launch, third.id or 0, user=ALICE)

    assert await move_date(pmbot, launch.number, in_days(pmbot, 37).isoformat()) == {}
    await pmbot.settled()
    [notice] = [m for m in thread(pmbot, launch) if "slipped" in text_of(m)]
    assert "10 due dates moved with it." in text_of(notice), "done items do not slip"


async def test_moving_earlier_is_not_a_slip_and_bad_dates_are_shown_inline(pmbot: Harness) -> None:
    launch = await create_launch(pmbot, days=30)

    assert await move_date(pmbot, launch.number, in_days(pmbot, -3).isoformat()) == {
        fields.NEW_DATE: "Pick today or a later day."
    }
    assert await move_date(pmbot, launch.number, in_days(pmbot, 30).isoformat()) == {
        fields.NEW_DATE: "LCH-1 is already on that day."
    }
    refused = await move_date(pmbot, launch.number, in_days(pmbot, 40).isoformat(), user=BOB)
    assert "owner and admins" in refused[fields.NEW_DATE]
    assert await move_date(pmbot, launch.number, in_days(pmbot, 20).isoformat(), user=ADMIN) == {}
    await pmbot.settled()

    moved = await get_launch(pmbot, launch.number)
    assert moved.launch_date == in_days(pmbot, 20) and moved.status == LaunchStatus.PLANNED
    assert any("moved* from" in text_of(m) for m in thread(pmbot, launch))


async def test_the_new_launch_modal_shows_bad_input_inline_and_stores_nothing(pmbot: Harness) -> None:
    cases = [
        (launch_values("", in_days(pmbot, 10)), {fields.NAME: "Give the launch a name."}),
        (launch_values("Beta", None), {fields.DATE: "Pick the launch date."}),
        (launch_values("Beta", in_days(pmbot, -2)), fields.DATE),
        (launch_values("Beta", "2026-02-30"), {fields.DATE: "That is not a date."}),
        (launch_values("Beta", in_days(pmbot, 10), channel=None), fields.CHANNEL),
        (launch_values("Beta", in_days(pmbot, 10), template="Gone"), fields.TEMPLATE),
    ]
    for values, expected in cases:
        response = await submit_launch(pmbot, values)
        errors = response.json()["errors"]
        if isinstance(expected, dict):
            assert errors == expected
        else:
            assert list(errors) == [expected], errors
    assert await pmbot.services.launches.upcoming("T_TEST") == []


async def test_only_the_owner_or_an_admin_marks_launched_and_it_is_posted(pmbot: Harness) -> None:
    launch = await create_launch(pmbot)

    refused = await said(pmbot, await click(pmbot, ids.LAUNCH_MARK_LAUNCHED, launch, user=BOB))
    assert "owner and admins" in refused
    assert await said(pmbot, await click(pmbot, ids.LAUNCH_MARK_LAUNCHED, launch, user=ALICE)) == (
        "LCH-1 is marked launched."
    )
    await pmbot.settled()

    done = await get_launch(pmbot, launch.number)
    assert done.status == LaunchStatus.LAUNCHED and done.launched_at is not None
    assert any("is launched!" in text_of(m) for m in thread(pmbot, launch))
    parent = message(pmbot, LAUNCHES, launch.parent_ts or "")
    assert "Launched" in text_of(parent) and not [b for b in parent["blocks"] if b["type"] == "actions"]
    again = await said(pmbot, await click(pmbot, ids.LAUNCH_CANCEL, launch, user=ALICE))
    assert again == ":warning: LCH-1 is already launched."
    assert await audit_actions(pmbot, launch.number) == ["created", "launched"]


async def test_cancelling_closes_the_checklist(pmbot: Harness) -> None:
    launch = await create_launch(pmbot)
    assert (
        await said(pmbot, await click(pmbot, ids.LAUNCH_CANCEL, launch, user=ADMIN)) == "LCH-1 is cancelled."
    )
    await pmbot.settled()
    item = (await items_of(pmbot, launch.number))[0]

    refusal = await said(pmbot, await tick(pmbot, launch, item.id or 0, user=ALICE, refused=True))
    assert "nothing changed" in refusal
    assert not (await items_of(pmbot, launch.number))[0].done
    assert any("was cancelled" in text_of(m) for m in thread(pmbot, launch))


async def test_a_slip_needs_a_reason_and_the_thread_reads_it(pmbot: Harness) -> None:
    launch = await create_launch(pmbot, days=30)

    refused = await move_date(pmbot, launch.number, in_days(pmbot, 37).isoformat(), why=None)

    assert refused == {fields.SLIP_REASON: "Say why it slips: the thread and the people waiting read it."}
    assert (
        await move_date(pmbot, launch.number, in_days(pmbot, 37).isoformat(), why="Payments API <late>") == {}
    )
    await pmbot.settled()
    notices = [m for m in thread(pmbot, launch) if "slipped" in json.dumps(m)]
    assert "Why: “Payments API &lt;late&gt;”" in json.dumps(notices[-1], ensure_ascii=False)
    assert (
        await move_date(pmbot, launch.number, in_days(pmbot, 33).isoformat(), why=None) == {}
    )  # earlier: no why
