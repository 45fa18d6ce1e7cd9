"""The holes a played-through triage found: each test failed before its fix."""

from __future__ import annotations

import pytest

from bot.views import ids
from storage.models import RequestStatus
from tests.fakes import Call, payloads
from tests.harness import ALICE, BOB, CAROL, DAVE, INTAKE, Harness
from tests.roadmap_steps import approve, propose_add, set_policy
from tests.test_triage import card_footer, click_card, file_with_card, stored

TRIAGER = CAROL


@pytest.fixture
async def triage(pmbot: Harness) -> Harness:
    await pmbot.set_intake(triagers=[TRIAGER])
    return pmbot


async def said_to(pmbot: Harness, action_id: str, user: str, count: int = 1) -> Call:
    """The newest private answer to `user`'s click on `action_id`."""
    name = f"{action_id}-{user}"
    calls = await pmbot.fake.wait_for(
        "response_url", where=lambda call: call.params["name"] == name, count=count
    )
    return calls[-1]


def card_blocks(pmbot: Harness, card_ts: str) -> list[dict]:
    return pmbot.fake.messages[(INTAKE, card_ts)]["blocks"]


def card_text(pmbot: Harness, card_ts: str) -> str:
    parts = []
    for block in card_blocks(pmbot, card_ts):
        parts.append((block.get("text") or {}).get("text", ""))
        parts += [field["text"] for field in block.get("fields", [])]
        parts += [
            element.get("text", "") for element in block.get("elements", []) if element["type"] == "mrkdwn"
        ]
    return "\n".join(parts)


async def test_the_requester_cannot_plus_one_their_own_request(triage: Harness) -> None:
    number, card_ts = await file_with_card(triage, "Dark mode")

    await click_card(triage, ids.UPVOTE, number, user=ALICE)

    said = await said_to(triage, ids.UPVOTE, ALICE)
    assert "You asked for" in said.params["text"]
    await triage.settled()
    assert ":+1: 0" in card_footer(triage, card_ts)


async def test_a_plus_one_can_be_taken_back_and_a_follow_undone(triage: Harness) -> None:
    number, card_ts = await file_with_card(triage, "Dark mode")

    await click_card(triage, ids.UPVOTE, number, user=BOB)
    reply = await said_to(triage, ids.UPVOTE, BOB)
    [undo] = [e for b in reply.params["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert undo["action_id"] == ids.UNDO_UPVOTE
    await triage.until(lambda: _footer_has(triage, card_ts, ":+1: 1"))

    await triage.click(ids.UNDO_UPVOTE, number, user=BOB)
    assert "no longer counts" in (await said_to(triage, ids.UNDO_UPVOTE, BOB)).params["text"]
    await triage.until(lambda: _footer_has(triage, card_ts, ":+1: 0"))

    await click_card(triage, ids.FOLLOW, number, user=BOB)
    reply = await said_to(triage, ids.FOLLOW, BOB)
    assert ids.UNFOLLOW in str(reply.params["blocks"])
    await triage.click(ids.UNFOLLOW, number, user=BOB)
    assert "no longer follow" in (await said_to(triage, ids.UNFOLLOW, BOB)).params["text"]
    await triage.until(lambda: _footer_has(triage, card_ts, "1 following"))  # only Alice


async def _footer_has(pmbot: Harness, card_ts: str, words: str) -> bool:
    await pmbot.settled()
    return words in card_footer(pmbot, card_ts)


async def test_the_card_shows_who_declined_when_and_why(triage: Harness) -> None:
    number, card_ts = await file_with_card(triage, "Rewrite it in Rust")

    response = await triage.submit(
        ids.DECLINE_MODAL,
        {ids.REASON: {ids.VALUE: payloads.plain_text("Out of scope this year")}},
        user=TRIAGER,
        private_metadata=f'{{"number": {number}}}',
    )

    assert response.status_code == 200
    await triage.until(lambda: _card_has(triage, card_ts, "Out of scope this year"))
    assert f"<@{TRIAGER}> declined it" in card_text(triage, card_ts)


async def _card_has(pmbot: Harness, card_ts: str, words: str) -> bool:
    await pmbot.settled()
    return words in card_text(pmbot, card_ts)


async def test_a_decline_reason_longer_than_its_column_is_refused_on_the_server(triage: Harness) -> None:
    number, _ = await file_with_card(triage, "Rewrite it in Rust")

    response = await triage.submit(
        ids.DECLINE_MODAL,
        {ids.REASON: {ids.VALUE: payloads.plain_text("x" * 2001)}},
        user=TRIAGER,
        private_metadata=f'{{"number": {number}}}',
    )

    assert response.json()["response_action"] == "errors"
    assert "2,000" in response.json()["errors"][ids.REASON]
    assert (await stored(triage, number)).status == RequestStatus.NEW


async def test_accept_on_a_planned_card_says_who_planned_it_and_re_renders_the_card(triage: Harness) -> None:
    await set_policy(triage, [BOB, DAVE], 1)
    number, card_ts = await file_with_card(triage, "Faster search please")
    await propose_add(triage, "Search v2", linked=[number])
    await approve(triage, 1, BOB)
    await triage.until(lambda: _card_has(triage, card_ts, "RM-1"))  # a planned card names its item
    stale = {**triage.fake.messages[(INTAKE, card_ts)]}
    stale["blocks"] = [*stale["blocks"][:-1], {"type": "actions", "elements": []}]
    updates = len(triage.fake.calls_to("chat.update"))

    await triage.click(ids.ACCEPT, number, user=TRIAGER, message=stale)

    said = (await said_to(triage, ids.ACCEPT, TRIAGER)).params["text"]
    assert f"REQ-{number} was planned by <@{BOB}> in CHG-1" in said
    assert (await stored(triage, number)).status == RequestStatus.PLANNED
    await triage.fake.wait_for("chat.update", count=updates + 1)
    actions = [
        e["action_id"] for b in card_blocks(triage, card_ts) if b["type"] == "actions" for e in b["elements"]
    ]
    assert ids.ACCEPT not in actions and ids.DECLINE not in actions
