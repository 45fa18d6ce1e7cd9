"""Decline and Need info refuse once, before the modal is filled in: a non-triager, or a click on a
card whose request has moved on; and a modal's inline errors are plain text, never Slack markup
(SQLite and PostgreSQL, signed payloads, the fake Web API)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from bot.views import ids
from tests.fakes import payloads
from tests.harness import BOB, CAROL, Harness
from tests.test_triage import file_with_card, open_modal

TEAM = "T_TEST"
TRIAGER = CAROL
MARKUP = re.compile(r"<[@#!]")  # a mention, a channel, a date or a broadcast token
MOVES = [(ids.DECLINE, ids.DECLINE_MODAL, ids.REASON), (ids.NEED_INFO, ids.NEED_INFO_MODAL, ids.QUESTION)]


@pytest.fixture
async def triage(pmbot: Harness) -> Harness:
    await pmbot.set_intake(triagers=[TRIAGER])
    return pmbot


def answers_to(pmbot: Harness, action_id: str, user: str) -> list[Any]:
    """The private replies to `user`'s click on `action_id` (harness.click names its response_url so)."""
    return [
        call for call in pmbot.fake.calls_to("response_url") if call.params["name"] == f"{action_id}-{user}"
    ]


@pytest.mark.parametrize(("action_id", "callback_id", "block_id"), MOVES, ids=["decline", "need_info"])
async def test_a_non_triager_is_refused_once_in_the_modal(
    triage: Harness, action_id: str, callback_id: str, block_id: str
) -> None:
    number, _ = await file_with_card(triage, "Dark mode")

    refused = await open_modal(triage, action_id, number, user=BOB)
    await open_modal(triage, action_id, number, user=TRIAGER)  # a later click, answered in full

    assert refused["title"]["text"] == "Not allowed"
    assert "Only triagers can" in json.dumps(refused["blocks"]) and f"<@{TRIAGER}>" in json.dumps(refused)
    assert answers_to(triage, action_id, BOB) == [], "the refusal is said once: in the modal"
    assert callback_id not in json.dumps(triage.fake.calls_to("views.open")[-2].params["view"])


@pytest.mark.parametrize(("action_id", "callback_id", "block_id"), MOVES, ids=["decline", "need_info"])
async def test_a_click_on_a_closed_request_is_refused_before_the_modal_opens(
    triage: Harness, action_id: str, callback_id: str, block_id: str
) -> None:
    number, card_ts = await file_with_card(triage, "Dark mode")
    await triage.services.requests.decline(TEAM, TRIAGER, number, "Not this year")
    await triage.settled()
    updates_before = len(triage.fake.calls_to("chat.update"))

    refused = await open_modal(triage, action_id, number, user=TRIAGER)

    said = json.dumps(refused["blocks"])
    assert refused.get("callback_id") != callback_id, "no form to fill in for a move that no longer exists"
    assert f"REQ-{number} was declined by <@{TRIAGER}>" in said and "Nothing changed" in said
    await triage.fake.wait_for(
        "chat.update", count=updates_before + 1, where=lambda call: call.params.get("ts") == card_ts
    )  # the stale card is brought up to date, as the refusal says
    assert answers_to(triage, action_id, TRIAGER) == []


@pytest.mark.parametrize(("action_id", "callback_id", "block_id"), MOVES, ids=["decline", "need_info"])
async def test_a_submission_after_the_request_moved_on_is_refused_in_plain_text(
    triage: Harness, action_id: str, callback_id: str, block_id: str
) -> None:
    number, _ = await file_with_card(triage, "Dark mode")
    form = await open_modal(triage, action_id, number, user=TRIAGER)
    assert form["callback_id"] == callback_id
    await triage.services.requests.decline(TEAM, TRIAGER, number, "Not <this> year")

    response = await triage.submit(
        callback_id,
        {block_id: {ids.VALUE: payloads.plain_text("Because")}},
        user=TRIAGER,
        private_metadata=form["private_metadata"],
    )

    error = response.json()["errors"][block_id]
    assert f"REQ-{number} was declined by @" in error and "Not <this> year" in error, error
    assert not MARKUP.search(error) and "&lt;" not in error, error


async def test_a_non_triagers_submission_names_the_triagers_in_plain_text(triage: Harness) -> None:
    number, _ = await file_with_card(triage, "Dark mode")

    response = await triage.submit(
        ids.NEED_INFO_MODAL,
        {ids.QUESTION: {ids.VALUE: payloads.plain_text("Why?")}},
        user=BOB,
        private_metadata=json.dumps({"number": number}),
    )

    error = response.json()["errors"][ids.QUESTION]
    assert error.startswith("Only triagers can ask for more information: @") and not MARKUP.search(error), (
        error
    )
