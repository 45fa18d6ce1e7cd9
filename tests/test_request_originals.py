"""A duplicate's original: marking, merging, +1s and follows aimed at a duplicate reach the request
it duplicates, and pickers never offer a duplicate (SQLite and PostgreSQL, signed payloads)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.views import ids
from storage.models import RequestStatus
from tests.fakes import payloads
from tests.harness import ALICE, BOB, DAVE, SECRET, Harness
from tests.similar_steps import (
    block_texts,
    click_in_form,
    merge_button,
    open_form,
    type_title,
    upvoters_and_followers,
)
from tests.test_triage import (
    TRIAGER,
    dm_text,
    dms_to,
    file_with_card,
    followers,
    pick_original,
    stored,
    suggest,
)


@pytest.fixture
async def triage(pmbot: Harness) -> Harness:
    await pmbot.set_intake(triagers=[TRIAGER])
    return pmbot


async def a_duplicate(pmbot: Harness) -> tuple[int, int]:
    """REQ-1 (Alice's) and REQ-2 (Bob's), closed as a duplicate of REQ-1 by the triager."""
    original, _ = await file_with_card(pmbot, "Single sign-on with Okta", user=ALICE)
    duplicate, _ = await file_with_card(pmbot, "Okta single sign-on please", user=BOB)
    await pick_original(pmbot, duplicate, original, user=TRIAGER)
    await pmbot.until(lambda: _is_duplicate(pmbot, duplicate))
    await pmbot.settled()
    return original, duplicate


async def _is_duplicate(pmbot: Harness, number: int) -> bool:
    return (await stored(pmbot, number)).status == RequestStatus.DUPLICATE


async def picker_options(pmbot: Harness, typed: str) -> list[str]:
    """The roadmap proposal's "Linked requests" type-ahead."""
    response = await pmbot.send(
        payloads.block_suggestion(SECRET, action_id=ids.REQUEST_PICKER, value=typed, user_id=ALICE)
    )
    return [str(item["value"]) for item in response.json()["options"]]


async def test_marking_a_duplicate_of_a_duplicate_resolves_to_the_original(triage: Harness) -> None:
    original, duplicate = await a_duplicate(triage)
    third, _ = await file_with_card(triage, "Okta login for everyone", user=DAVE)

    await pick_original(triage, third, duplicate, user=TRIAGER)

    await triage.until(lambda: _is_duplicate(triage, third))
    await triage.settled()
    assert (await stored(triage, third)).duplicate_of_id == (await stored(triage, original)).id
    assert DAVE in await followers(triage, original) and DAVE not in await followers(triage, duplicate)
    [dm] = dms_to(triage, DAVE)
    said = dm_text(dm)
    assert f"Duplicate of REQ-{original}. You follow REQ-{original}" in said, said
    assert f"REQ-{duplicate}" not in said


async def test_the_duplicate_pickers_never_offer_a_duplicate(triage: Harness) -> None:
    original, duplicate = await a_duplicate(triage)
    third, _ = await file_with_card(triage, "Okta for the admin console", user=DAVE)

    by_words = await suggest(triage, third, "okta")
    by_ref = await suggest(triage, third, f"REQ-{duplicate}")

    assert [item["value"] for item in by_words["options"]] == [str(original)]
    assert by_ref["options"] == []
    assert await picker_options(triage, "okta") == [str(third), str(original)]


async def test_a_one_click_duplicate_button_to_a_request_since_closed_reaches_its_original(
    triage: Harness,
) -> None:
    original, duplicate = await a_duplicate(triage)
    third, _ = await file_with_card(triage, "Okta login for everyone", user=DAVE)

    response = await triage.send(
        payloads.block_action(
            SECRET,
            action_id=ids.MARK_DUPLICATE_OF,
            block_id=f"{ids.CARD_DUPLICATES_PREFIX}{third}",
            value=str(duplicate),
            user_id=TRIAGER,
            response_url=triage.fake.response_url("stale-button"),
        )
    )

    assert response.status_code == 200
    await triage.until(lambda: _is_duplicate(triage, third))
    assert (await stored(triage, third)).duplicate_of_id == (await stored(triage, original)).id


async def test_merging_into_a_request_since_closed_as_a_duplicate_reaches_its_original(
    triage: Harness,
) -> None:
    await triage.file("Export the roadmap to CSV", user=ALICE)
    button = merge_button(await triage.command("download the roadmap as a csv spreadsheet", user=DAVE))
    await triage.file("Roadmap CSV export button", user=BOB)
    await triage.settled()
    await pick_original(triage, 1, 3, user=TRIAGER)  # REQ-1 closed into REQ-3 after the answer offered it
    await triage.until(lambda: _is_duplicate(triage, 1))

    await triage.click(ids.SIMILAR_MERGE, 2, user=DAVE, value=button["value"])

    [said] = await triage.fake.wait_for("response_url", where=lambda call: "withdrawn" in _text(call))
    assert "REQ-2 is withdrawn as a duplicate of *REQ-3*" in _text(said), _text(said)
    assert (await stored(triage, 2)).duplicate_of_id == (await stored(triage, 3)).id
    assert DAVE in await followers(triage, 3)


def _text(call: Any) -> str:
    return str(call.params.get("text", ""))


async def answer_to(pmbot: Harness, action_id: str, user: str) -> Any:
    """The private answer to `user`'s click on `action_id` (harness.click names its response_url so)."""
    name = f"{action_id}-{user}"
    [said] = await pmbot.fake.wait_for("response_url", where=lambda call: call.params["name"] == name)
    return said


async def test_a_plus_one_on_a_duplicate_counts_for_its_original(triage: Harness) -> None:
    original, duplicate = await a_duplicate(triage)

    await triage.click(ids.UPVOTE, duplicate, user=DAVE)

    said = await answer_to(triage, ids.UPVOTE, DAVE)
    assert _text(said) == f"Your +1 counts for REQ-{original}, which REQ-{duplicate} duplicates."
    undo = said.params["blocks"][-1]
    assert undo["block_id"] == f"{ids.CARD_BLOCK_PREFIX}{original}", "Undo +1 takes back the one counted"
    assert await upvoters_and_followers(triage, original) == (1, [ALICE, BOB])
    assert (await upvoters_and_followers(triage, duplicate))[0] == 0


async def test_following_a_duplicate_follows_its_original(triage: Harness) -> None:
    original, duplicate = await a_duplicate(triage)

    await triage.click(ids.FOLLOW, duplicate, user=DAVE)

    said = await answer_to(triage, ids.FOLLOW, DAVE)
    assert _text(said) == f"You now follow REQ-{original}, which REQ-{duplicate} duplicates."
    assert DAVE in await followers(triage, original) and DAVE not in await followers(triage, duplicate)


async def test_the_requester_of_the_original_cannot_plus_one_it_through_a_duplicate(triage: Harness) -> None:
    original, duplicate = await a_duplicate(triage)

    await triage.click(ids.UPVOTE, duplicate, user=ALICE)

    said = _text(await answer_to(triage, ids.UPVOTE, ALICE))
    assert f"You asked for REQ-{original}, which REQ-{duplicate} duplicates, so it already counts" in said
    assert (await upvoters_and_followers(triage, original))[0] == 0


async def test_plus_one_instead_on_ones_own_request_follows_it_without_a_plus_one(pmbot: Harness) -> None:
    await pmbot.file("Export the roadmap to CSV", user=ALICE)
    view = await open_form(pmbot, user=ALICE)
    await type_title(pmbot, view, "download the roadmap as a csv file", user=ALICE)
    await pmbot.fake.wait_for("views.update")

    await click_in_form(pmbot, pmbot.fake.views[view["id"]], ids.SIMILAR_PLUS_ONE, "1", user=ALICE)

    await pmbot.fake.wait_for("views.update", count=2)
    said = block_texts(pmbot.fake.views[view["id"]]["blocks"])
    assert "*REQ-1* is your own request: it counts your need already, so no +1 is added" in said, said
    assert "Your +1" not in said
    assert await upvoters_and_followers(pmbot, 1) == (0, [ALICE])


async def test_merging_into_ones_own_request_withdraws_the_new_one_without_a_plus_one(pmbot: Harness) -> None:
    await pmbot.file("Export the roadmap to CSV", user=ALICE)
    button = merge_button(await pmbot.command("download the roadmap as a csv spreadsheet", user=ALICE))

    await pmbot.click(ids.SIMILAR_MERGE, 2, user=ALICE, value=button["value"])

    said = _text(await answer_to(pmbot, ids.SIMILAR_MERGE, ALICE))
    assert "REQ-2 is withdrawn as a duplicate of *REQ-1*; you asked for REQ-1 already" in said, said
    assert "+1" not in said
    assert (await stored(pmbot, 2)).status == RequestStatus.DUPLICATE
    assert await upvoters_and_followers(pmbot, 1) == (0, [ALICE])
