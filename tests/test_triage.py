"""Triage from the card: accept, decline, need info, duplicate, assign; follow and +1; who may do what."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from bot.views import ids
from storage import audit
from storage import requests as queries
from storage.models import Request, RequestStatus
from tests.fakes import Call, payloads
from tests.harness import ADMIN, ALICE, BOB, CAROL, INTAKE, SECRET, Harness
from tests.slack_limits import problems_in_message, problems_in_options, problems_in_view

TEAM = "T_TEST"
TRIAGER = CAROL
ONLY_TRIAGERS = "Only triagers can"


@pytest.fixture
async def triage(pmbot: Harness) -> Harness:
    """pmbot with an intake channel and Carol as the only triager."""
    await pmbot.set_intake(triagers=[TRIAGER])
    return pmbot


async def stored(pmbot: Harness, number: int) -> Request:
    async with pmbot.services.db.read() as session:
        request = await queries.get_request(session, TEAM, number)
    assert request is not None
    return request


async def history(pmbot: Harness, number: int) -> list[str]:
    """The audit log's actions for REQ-<number>, oldest first."""
    request = await stored(pmbot, number)
    async with pmbot.services.db.read() as session:
        entries = await audit.list_changes(session, team_id=TEAM, entity="request", entity_id=request.id or 0)
    return [entry.action for entry in entries]


async def followers(pmbot: Harness, number: int) -> list[str]:
    request = await stored(pmbot, number)
    async with pmbot.services.db.read() as session:
        return await queries.list_follower_ids(session, request)


async def file_with_card(pmbot: Harness, title: str, *, user: str = ALICE) -> tuple[int, str]:
    """File a request and wait until its card is in the intake channel; returns (number, card ts)."""
    number = await pmbot.file(title, user=user)
    await pmbot.settled()
    request = await stored(pmbot, number)
    assert request.card_channel_id == INTAKE and request.card_ts, "the card was not posted"
    return number, request.card_ts


async def click_card(
    pmbot: Harness, action_id: str, number: int, *, user: str, **fields: Any
) -> httpx.Response:
    """Click an element of the card as it stands in the fake's channel (Slack sends the message along)."""
    card_ts = (await stored(pmbot, number)).card_ts or ""
    message = pmbot.fake.messages[(INTAKE, card_ts)]
    return await pmbot.click(action_id, number, user=user, message=message, **fields)


def dms_to(pmbot: Harness, user: str) -> list[Call]:
    """Direct messages pmbot posted to `user` (a post to a user id opens the DM)."""
    return [
        call
        for call in pmbot.fake.calls_to("chat.postMessage")
        if call.params.get("channel") == user and not call.failed
    ]


def dm_text(call: Call) -> str:
    """Everything a DM shows: its fallback text and the text of its blocks."""
    parts = [call.params.get("text", "")]
    for block in call.params.get("blocks", []):
        parts.append(block.get("text", {}).get("text", ""))
        parts += [element.get("text", "") for element in block.get("elements", [])]
    return "\n".join(parts)


def card_status(call: Call) -> str:
    """The Status field of a posted or updated card."""
    fields = call.params["blocks"][1]["fields"]
    return next(field["text"] for field in fields if field["text"].startswith("*Status*"))


def card_footer(pmbot: Harness, card_ts: str) -> str:
    """The context line (+1s and followers) of the card as it stands in the intake channel."""
    blocks = pmbot.fake.messages[(INTAKE, card_ts)]["blocks"]
    context = next(block for block in blocks if block["type"] == "context")
    return context["elements"][0]["text"]


async def refusal(pmbot: Harness, action_id: str, user: str) -> Call:
    """The ephemeral answer posted to the response_url of `user`'s click on `action_id`."""
    name = f"{action_id}-{user}"
    [said] = await pmbot.fake.wait_for("response_url", where=lambda call: call.params["name"] == name)
    return said


async def open_modal(pmbot: Harness, action_id: str, number: int, *, user: str) -> dict[str, Any]:
    """Click Decline or Need info and return the modal pmbot shows once the click is checked (it
    opens a loading modal at once, then replaces it with the form or a refusal)."""
    before = len(pmbot.fake.calls_to("views.update"))
    await click_card(pmbot, action_id, number, user=user)
    updated = await pmbot.fake.wait_for("views.update", count=before + 1)
    view = updated[-1].params["view"]
    assert problems_in_view(view) == []
    return view


async def suggest(pmbot: Harness, number: int, typed: str, *, user: str = TRIAGER) -> dict[str, Any]:
    """The type-ahead of REQ-<number>'s "Mark duplicate of…" select, for what was typed."""
    container = {"type": "message", "channel_id": INTAKE, "message_ts": "1700000000.000100"}
    response = await pmbot.send(
        payloads.block_suggestion(
            SECRET,
            action_id=ids.MARK_DUPLICATE,
            block_id=f"{ids.CARD_BLOCK_PREFIX}{number}",
            value=typed,
            user_id=user,
            container=container,
        )
    )
    assert response.status_code == 200
    return response.json()


async def pick_original(pmbot: Harness, number: int, original: int, *, user: str) -> httpx.Response:
    """Choose REQ-<original> in REQ-<number>'s duplicate select (after Slack's confirm dialog)."""
    chosen = payloads.option(str(original), f"REQ-{original}")
    return await click_card(
        pmbot, ids.MARK_DUPLICATE, number, user=user, selected_option=chosen, action_type="external_select"
    )


# Accept


async def test_accept_updates_the_card_in_place_and_tells_requester_and_followers(triage: Harness) -> None:
    number, card_ts = await file_with_card(triage, "Export the roadmap to CSV")
    await click_card(triage, ids.FOLLOW, number, user=BOB)
    await triage.settled()
    posts_before = len(triage.fake.calls_to("chat.postMessage"))

    response = await click_card(triage, ids.ACCEPT, number, user=TRIAGER)

    assert response.status_code == 200
    [updated] = await triage.fake.wait_for("chat.update", where=lambda call: "Accepted" in card_status(call))
    assert (updated.params["channel"], updated.params["ts"]) == (INTAKE, card_ts)
    assert problems_in_message(updated.params) == []
    await triage.fake.wait_for("chat.postMessage", where=lambda call: call.params["channel"] == BOB)
    await triage.settled()
    [to_alice], [to_bob] = dms_to(triage, ALICE), dms_to(triage, BOB)
    for dm in (to_alice, to_bob):
        assert f"REQ-{number}" in dm_text(dm) and "Accepted" in dm_text(dm)
        assert problems_in_message(dm.params) == []
    assert "you asked for it" in dm_text(to_alice) and "you follow it" in dm_text(to_bob)
    assert dms_to(triage, TRIAGER) == []
    # Only the two DMs were posted: the card changed in place, no second card.
    assert len(triage.fake.calls_to("chat.postMessage")) == posts_before + 2
    assert (await stored(triage, number)).status == RequestStatus.ACCEPTED
    assert await history(triage, number) == ["filed", "followed", "accepted"]
    # An accepted request no longer offers Accept.
    actions = updated.params["blocks"][-1]["elements"]
    assert ids.ACCEPT not in [element["action_id"] for element in actions]


async def test_two_triagers_accepting_at_once_tell_the_requester_once(pmbot: Harness) -> None:
    await pmbot.set_intake(triagers=[CAROL, BOB])
    number, _ = await file_with_card(pmbot, "Export the roadmap to CSV")

    await asyncio.gather(
        click_card(pmbot, ids.ACCEPT, number, user=CAROL), click_card(pmbot, ids.ACCEPT, number, user=BOB)
    )

    await pmbot.until(lambda: has_status(pmbot, number, RequestStatus.ACCEPTED))
    await pmbot.settled()
    [dm] = dms_to(pmbot, ALICE)
    assert "Accepted" in dm_text(dm)
    assert "(was :new: New)" in dm_text(dm)


async def has_status(pmbot: Harness, number: int, status: RequestStatus) -> bool:
    return (await stored(pmbot, number)).status == status


# Decline


async def test_decline_asks_for_a_reason_and_the_requester_reads_it(triage: Harness) -> None:
    number, card_ts = await file_with_card(triage, "Rewrite it in Rust")
    view = await open_modal(triage, ids.DECLINE, number, user=TRIAGER)
    assert view["callback_id"] == ids.DECLINE_MODAL
    assert "Rewrite it in Rust" in json.dumps(view["blocks"])

    empty = await triage.submit(
        ids.DECLINE_MODAL,
        {ids.REASON: {ids.VALUE: payloads.plain_text("   ")}},
        user=TRIAGER,
        private_metadata=view["private_metadata"],
    )

    assert empty.json()["response_action"] == "errors"
    assert list(empty.json()["errors"]) == [ids.REASON]
    assert (await stored(triage, number)).status == RequestStatus.NEW

    declined = await triage.submit(
        ids.DECLINE_MODAL,
        {ids.REASON: {ids.VALUE: payloads.plain_text("Not on this year's <roadmap> & out of scope")}},
        user=TRIAGER,
        private_metadata=view["private_metadata"],
    )

    assert declined.status_code == 200 and declined.text in ("", "{}")
    [dm] = await triage.fake.wait_for("chat.postMessage", where=lambda call: call.params["channel"] == ALICE)
    assert "Declined" in dm_text(dm)
    assert "Not on this year's &lt;roadmap&gt; &amp; out of scope" in dm_text(dm)
    [updated] = await triage.fake.wait_for("chat.update", where=lambda call: "Declined" in card_status(call))
    assert updated.params["ts"] == card_ts
    # A declined request is final: its card offers no button (no triage, no +1, no Follow).
    assert all(block["type"] != "actions" for block in updated.params["blocks"])
    assert await history(triage, number) == ["filed", "declined"]


# Need info


async def test_need_info_sends_the_question_to_the_requester(triage: Harness) -> None:
    number, _ = await file_with_card(triage, "Faster search", user=BOB)
    view = await open_modal(triage, ids.NEED_INFO, number, user=TRIAGER)
    assert view["callback_id"] == ids.NEED_INFO_MODAL

    response = await triage.submit(
        ids.NEED_INFO_MODAL,
        {ids.QUESTION: {ids.VALUE: payloads.plain_text("Which page is slow for you?")}},
        user=TRIAGER,
        private_metadata=view["private_metadata"],
    )

    assert response.status_code == 200
    [dm] = await triage.fake.wait_for("chat.postMessage", where=lambda call: call.params["channel"] == BOB)
    assert "*Question:* Which page is slow for you?" in dm_text(dm)
    assert "Needs info" in dm_text(dm)
    assert (await stored(triage, number)).status == RequestStatus.NEEDS_INFO


async def test_need_info_without_a_question_is_refused_inline(triage: Harness) -> None:
    number, _ = await file_with_card(triage, "Faster search")
    view = await open_modal(triage, ids.NEED_INFO, number, user=TRIAGER)

    response = await triage.submit(
        ids.NEED_INFO_MODAL,
        {ids.QUESTION: {ids.VALUE: payloads.plain_text(None)}},
        user=TRIAGER,
        private_metadata=view["private_metadata"],
    )

    assert response.json()["response_action"] == "errors"
    assert list(response.json()["errors"]) == [ids.QUESTION]
    assert (await stored(triage, number)).status == RequestStatus.NEW


# Duplicates


async def test_type_ahead_stays_within_slacks_option_limits(pmbot: Harness) -> None:
    long_title = "Let people export every report as a spreadsheet with the filters they chose " * 2
    for batch in range(0, 105, 35):
        await asyncio.gather(*(pmbot.file(f"{long_title} {n}") for n in range(batch, batch + 35)))
    newest = 105

    everything = await suggest(pmbot, newest, "")

    options = everything["options"]
    assert len(options) == 100
    assert problems_in_options(options) == []
    values = [item["value"] for item in options]
    assert str(newest) not in values, "a request cannot duplicate itself"
    assert values == [str(n) for n in range(104, 4, -1)]
    assert all(len(item["text"]["text"]) <= 75 for item in options)
    assert options[0]["text"]["text"].startswith("REQ-104 Let people export")


async def test_type_ahead_finds_by_number_or_words(pmbot: Harness) -> None:
    for title in ("Dark mode", "SSO with Okta", "Dark theme for reports", "100% width tables"):
        await pmbot.file(title)

    by_words = await suggest(pmbot, 1, "dark")
    by_ref = await suggest(pmbot, 1, "REQ-2")
    itself = await suggest(pmbot, 1, "1")
    percent = await suggest(pmbot, 1, "100%")

    assert [item["value"] for item in by_words["options"]] == ["3"]  # REQ-1 itself is left out
    assert [item["value"] for item in by_ref["options"]] == ["2"]
    assert itself["options"] == []
    assert [item["value"] for item in percent["options"]] == ["4"]


async def test_marking_a_duplicate_closes_it_and_its_requester_follows_the_original(triage: Harness) -> None:
    original, _ = await file_with_card(triage, "Single sign-on", user=ALICE)
    duplicate, duplicate_ts = await file_with_card(triage, "SSO please", user=BOB)
    [offered] = (await suggest(triage, duplicate, "sign"))["options"]
    assert offered["value"] == str(original)

    response = await pick_original(triage, duplicate, original, user=TRIAGER)

    assert response.status_code == 200
    [updated] = await triage.fake.wait_for(
        "chat.update",
        where=lambda call: call.params["ts"] == duplicate_ts and "Duplicate" in card_status(call),
    )
    assert f"of REQ-{original}" in card_status(updated)
    card = json.dumps(updated.params["blocks"], ensure_ascii=False)
    assert "closed it" in card and "“Duplicate of" not in card, "the Status says it: no note repeats it"
    await triage.settled()
    request = await stored(triage, duplicate)
    assert request.status == RequestStatus.DUPLICATE
    assert request.duplicate_of_id == (await stored(triage, original)).id
    assert BOB in await followers(triage, original)
    [dm] = dms_to(triage, BOB)
    assert "Duplicate" in dm_text(dm) and f"Duplicate of REQ-{original}" in dm_text(dm)
    assert f"You follow REQ-{original}" in dm_text(dm), "the requester is told they follow the original"
    assert (await stored(triage, original)).status == RequestStatus.NEW
    assert await history(triage, duplicate) == ["filed", "marked_duplicate"]


async def test_a_request_cannot_be_marked_a_duplicate_of_itself(triage: Harness) -> None:
    number, _ = await file_with_card(triage, "Single sign-on")

    await pick_original(triage, number, number, user=TRIAGER)

    said = await refusal(triage, ids.MARK_DUPLICATE, TRIAGER)
    assert "cannot duplicate itself" in said.params["text"]
    assert said.params["response_type"] == "ephemeral"
    assert (await stored(triage, number)).status == RequestStatus.NEW


# Assign


async def test_assigning_notifies_the_assignee(triage: Harness) -> None:
    number, card_ts = await file_with_card(triage, "Audit log export")

    await click_card(triage, ids.ASSIGN, number, user=TRIAGER, selected_user=BOB, action_type="users_select")

    [dm] = await triage.fake.wait_for("chat.postMessage", where=lambda call: call.params["channel"] == BOB)
    assert "assigned *REQ-1* Audit log export to you." in dm_text(dm), "the assignee is 'you'"
    [updated] = await triage.fake.wait_for(
        "chat.update", where=lambda call: "<@U_BOB>" in json.dumps(call.params["blocks"])
    )
    assert updated.params["ts"] == card_ts
    await triage.settled()
    request = await stored(triage, number)
    assert request.assignee_id == BOB and request.status == RequestStatus.NEW
    assert BOB in await followers(triage, number)
    assert len(dms_to(triage, ALICE)) == 1  # the requester hears of it too
    assert dms_to(triage, TRIAGER) == []
    assert await history(triage, number) == ["filed", "assigned"]


# Who may triage


async def assert_nothing_changed(pmbot: Harness, number: int, *, dms_before: int) -> None:
    await pmbot.settled()
    request = await stored(pmbot, number)
    assert request.status == RequestStatus.NEW
    assert (request.assignee_id, request.duplicate_of_id) == (None, None)
    assert await history(pmbot, number) == ["filed"]
    posts = [call for call in pmbot.fake.calls_to("chat.postMessage") if call.params["channel"] != INTAKE]
    assert len(posts) == dms_before, "someone was told of a change that did not happen"
    assert pmbot.fake.calls_to("chat.update") == []


def direct_posts(pmbot: Harness) -> int:
    return len([call for call in pmbot.fake.calls_to("chat.postMessage") if call.params["channel"] != INTAKE])


async def test_a_non_triager_cannot_accept(triage: Harness) -> None:
    number, _ = await file_with_card(triage, "Dark mode")
    before = direct_posts(triage)

    await click_card(triage, ids.ACCEPT, number, user=ALICE)

    said = await refusal(triage, ids.ACCEPT, ALICE)
    assert ONLY_TRIAGERS in said.params["text"] and "accept" in said.params["text"]
    assert said.params["response_type"] == "ephemeral"
    assert said.params.get("replace_original") in (False, "false", None)
    await assert_nothing_changed(triage, number, dms_before=before)


async def test_a_non_triager_cannot_mark_a_duplicate(triage: Harness) -> None:
    original, _ = await file_with_card(triage, "Dark mode")
    number, _ = await file_with_card(triage, "Night theme", user=BOB)
    before = direct_posts(triage)

    await pick_original(triage, number, original, user=BOB)

    said = await refusal(triage, ids.MARK_DUPLICATE, BOB)
    assert ONLY_TRIAGERS in said.params["text"] and "duplicates" in said.params["text"]
    await assert_nothing_changed(triage, number, dms_before=before)
    assert BOB not in await followers(triage, original)


async def test_a_non_triager_cannot_assign(triage: Harness) -> None:
    number, _ = await file_with_card(triage, "Dark mode")
    before = direct_posts(triage)

    await click_card(triage, ids.ASSIGN, number, user=BOB, selected_user=BOB, action_type="users_select")

    said = await refusal(triage, ids.ASSIGN, BOB)
    assert ONLY_TRIAGERS in said.params["text"] and "assign" in said.params["text"]
    await assert_nothing_changed(triage, number, dms_before=before)
    assert BOB not in await followers(triage, number)


async def test_a_non_triager_cannot_decline_even_with_a_forged_submission(triage: Harness) -> None:
    number, _ = await file_with_card(triage, "Dark mode")
    before = direct_posts(triage)
    refused = await open_modal(triage, ids.DECLINE, number, user=BOB)
    assert refused["title"]["text"] == "Not allowed" and ONLY_TRIAGERS in json.dumps(refused["blocks"])

    response = await triage.submit(  # a forged submission: the server checks again
        ids.DECLINE_MODAL,
        {ids.REASON: {ids.VALUE: payloads.plain_text("I don't like it")}},
        user=BOB,
        private_metadata=json.dumps({"number": number}),
    )

    # A view_submission has no response_url: the refusal is shown in the modal itself.
    body = response.json()
    assert body["response_action"] == "errors"
    assert ONLY_TRIAGERS in body["errors"][ids.REASON] and "decline" in body["errors"][ids.REASON]
    await assert_nothing_changed(triage, number, dms_before=before)


async def test_a_non_triager_cannot_ask_for_info(triage: Harness) -> None:
    number, _ = await file_with_card(triage, "Dark mode")
    before = direct_posts(triage)

    response = await triage.submit(
        ids.NEED_INFO_MODAL,
        {ids.QUESTION: {ids.VALUE: payloads.plain_text("Why?")}},
        user=BOB,
        private_metadata=json.dumps({"number": number}),
    )

    assert ONLY_TRIAGERS in response.json()["errors"][ids.QUESTION]
    await assert_nothing_changed(triage, number, dms_before=before)


async def test_without_triagers_workspace_admins_triage_and_others_do_not(pmbot: Harness) -> None:
    await pmbot.set_intake(triagers=[])
    number, _ = await file_with_card(pmbot, "Dark mode")

    await click_card(pmbot, ids.ACCEPT, number, user=BOB)
    said = await refusal(pmbot, ids.ACCEPT, BOB)
    assert ONLY_TRIAGERS in said.params["text"]
    await pmbot.settled()
    assert (await stored(pmbot, number)).status == RequestStatus.NEW

    await click_card(pmbot, ids.ACCEPT, number, user=ADMIN)

    await pmbot.fake.wait_for("chat.update", where=lambda call: "Accepted" in card_status(call))
    await pmbot.settled()
    assert (await stored(pmbot, number)).status == RequestStatus.ACCEPTED
    assert await history(pmbot, number) == ["filed", "accepted"]
    [dm] = dms_to(pmbot, ALICE)
    assert "<@U_ADMIN>" in dm_text(dm)


async def test_named_triagers_replace_the_admins(triage: Harness) -> None:
    number, _ = await file_with_card(triage, "Dark mode")

    await click_card(triage, ids.ACCEPT, number, user=ADMIN)

    said = await refusal(triage, ids.ACCEPT, ADMIN)
    assert ONLY_TRIAGERS in said.params["text"]
    await triage.settled()
    assert (await stored(triage, number)).status == RequestStatus.NEW


# Follow and +1: anyone


async def test_anyone_may_follow_and_hears_of_later_changes(triage: Harness) -> None:
    number, _ = await file_with_card(triage, "Dark mode")

    await click_card(triage, ids.FOLLOW, number, user=BOB)
    said = await refusal(triage, ids.FOLLOW, BOB)
    assert said.params["text"] == f"You now follow REQ-{number}."
    assert said.params["response_type"] == "ephemeral"
    await click_card(triage, ids.FOLLOW, number, user=BOB)
    [_, again] = await triage.fake.wait_for(
        "response_url", count=2, where=lambda call: call.params["name"] == f"{ids.FOLLOW}-{BOB}"
    )
    assert again.params["text"] == f"You already follow REQ-{number}."
    await triage.settled()
    assert await followers(triage, number) == [ALICE, BOB]
    card_ts = (await stored(triage, number)).card_ts or ""
    assert "2 following: <@U_ALICE> <@U_BOB>" in card_footer(triage, card_ts)

    await click_card(triage, ids.ACCEPT, number, user=TRIAGER)

    [dm] = await triage.fake.wait_for("chat.postMessage", where=lambda call: call.params["channel"] == BOB)
    assert "Accepted" in dm_text(dm)


async def test_a_second_plus_one_by_the_same_person_does_not_count(triage: Harness) -> None:
    number, card_ts = await file_with_card(triage, "Dark mode")

    await click_card(triage, ids.UPVOTE, number, user=BOB)
    await click_card(triage, ids.UPVOTE, number, user=BOB)
    await click_card(triage, ids.UPVOTE, number, user=TRIAGER)

    bob_said = await triage.fake.wait_for(
        "response_url", count=2, where=lambda call: call.params["name"] == f"{ids.UPVOTE}-{BOB}"
    )
    assert [call.params["text"] for call in bob_said] == [
        f"Your +1 counts for REQ-{number}.",
        f"You already gave a +1 to REQ-{number}.",
    ]
    await refusal(triage, ids.UPVOTE, TRIAGER)
    await triage.settled()
    assert card_footer(triage, card_ts).startswith(":+1: 2 ·")
    assert await history(triage, number) == ["filed", "upvoted", "upvoted"]
    assert dms_to(triage, ALICE) == []  # a +1 is no change of status: nobody is disturbed
