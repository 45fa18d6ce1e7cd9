"""Similar requests that are done or declined: shown with how they ended, never a +1 or a merge
target (a +1 would not reopen them, and the person's need would be lost); a triager may still
close a new request as their duplicate, and its requester is told how the original ended."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import update

from bot.views import ids
from storage.models import Request, RequestStatus
from tests.harness import ALICE, BOB, CAROL, Harness, ephemeral_text
from tests.similar_steps import (
    block_texts,
    click_in_form,
    open_form,
    stored,
    suggested_numbers,
    type_title,
    upvoters_and_followers,
)
from tests.test_triage import dm_text, dms_to, pick_original

TEAM = "T_TEST"
TRIAGER = CAROL
ORIGINAL = "Export the roadmap to CSV"


@pytest.fixture
async def declined(pmbot: Harness) -> Harness:
    """REQ-1, asked by Bob, declined by the triager."""
    await pmbot.set_intake(triagers=[TRIAGER])
    await pmbot.file(ORIGINAL, user=BOB)
    await pmbot.services.requests.decline(TEAM, TRIAGER, 1, "We only export to PDF")
    await pmbot.settled()
    return pmbot


async def test_the_form_shows_a_declined_request_without_a_plus_one(declined: Harness) -> None:
    view = await open_form(declined)

    await type_title(declined, view, "download the roadmap as a csv file")
    await declined.fake.wait_for("views.update")

    shown = declined.fake.views[view["id"]]
    said = block_texts(shown["blocks"])
    assert suggested_numbers(shown) == [1]
    assert "*REQ-1* Export the roadmap to CSV" in said and "Declined" in said
    assert "file yours if something has changed since" in said and "decided already" in said
    assert "+1 this instead" not in said and "a +1 counts more" not in said


async def test_a_plus_one_instead_on_a_request_declined_since_is_refused_and_said(pmbot: Harness) -> None:
    await pmbot.set_intake(triagers=[TRIAGER])
    await pmbot.file(ORIGINAL, user=BOB)
    view = await open_form(pmbot)
    await type_title(pmbot, view, "download the roadmap as a csv file")
    await pmbot.fake.wait_for("views.update")
    typed = pmbot.fake.views[view["id"]]
    await pmbot.services.requests.decline(TEAM, TRIAGER, 1, "We only export to PDF")  # while Alice types

    response = await click_in_form(pmbot, typed, ids.SIMILAR_PLUS_ONE, "1")

    assert response.status_code == 200
    [told] = await pmbot.fake.wait_for("chat.postMessage", where=lambda call: call.params["channel"] == ALICE)
    assert "REQ-1 was declined, so a +1 would not change it" in told.params["text"]
    assert "file your request and say what" in told.params["text"]
    assert await upvoters_and_followers(pmbot, 1) == (0, [BOB])
    assert len(pmbot.fake.calls_to("views.update")) == 1  # the form stays as typed


async def test_a_quick_filing_like_a_declined_request_names_it_and_stays_filed(declined: Harness) -> None:
    response = await declined.command("download the roadmap as a csv spreadsheet")

    said = ephemeral_text(response)
    assert "Filed as *REQ-2*" in said and "Looks like *REQ-1* Export the roadmap to CSV" in said
    assert "takes no merge: REQ-2 stays filed for triage." in block_texts(response.json()["blocks"])
    assert "Merge into" not in json.dumps(response.json())

    forged = json.dumps({"number": 2, "into": 1})  # the button is not offered; its click is refused
    await declined.click(ids.SIMILAR_MERGE, 2, user=ALICE, value=forged)

    [answer] = await declined.fake.wait_for("response_url")
    assert "REQ-1 was declined, so REQ-2 was not merged into it" in answer.params["text"]
    assert (await stored(declined, 2)).status == RequestStatus.NEW
    assert await upvoters_and_followers(declined, 1) == (0, [BOB])


async def test_a_duplicate_of_a_declined_request_tells_its_requester_so(declined: Harness) -> None:
    said = await dm_of_a_duplicate_of_req_1(declined)

    assert "Duplicate of REQ-1, which was declined. If something has changed since, file a new" in said
    assert "you will hear of its changes" not in said  # a declined request changes no more


async def test_a_done_request_is_shown_as_done_already_and_takes_no_plus_one(pmbot: Harness) -> None:
    await pmbot.file(ORIGINAL, user=BOB)
    view = await open_form(pmbot)
    await type_title(pmbot, view, "download the roadmap as a csv file")
    await pmbot.fake.wait_for("views.update")
    typed = pmbot.fake.views[view["id"]]
    async with pmbot.services.db.transaction() as session:  # shipped by a launch meanwhile
        await session.execute(update(Request).where(Request.number == 1).values(status=RequestStatus.DONE))

    await click_in_form(pmbot, typed, ids.SIMILAR_PLUS_ONE, "1")
    await type_title(pmbot, typed, "download the roadmap as a csv file please")
    await pmbot.fake.wait_for("views.update", count=2)

    [told] = await pmbot.fake.wait_for("chat.postMessage", where=lambda call: call.params["channel"] == ALICE)
    assert "REQ-1 is done already, so a +1 would not change it" in told.params["text"]
    said = block_texts(pmbot.fake.views[view["id"]]["blocks"])
    assert "Done already: file yours only if it misses something you need" in said
    assert "+1 this instead" not in said
    assert await upvoters_and_followers(pmbot, 1) == (0, [BOB])


async def dm_of_a_duplicate_of_req_1(pmbot: Harness) -> str:
    """Alice files what REQ-1 asked, the triager marks it a duplicate of REQ-1: her DM's text."""
    number = await pmbot.file("CSV export of the roadmap please", user=ALICE)
    await pmbot.settled()
    await pick_original(pmbot, number, 1, user=TRIAGER)
    await pmbot.until(lambda: _status_is(pmbot, number, RequestStatus.DUPLICATE))
    await pmbot.settled()
    [dm] = [call for call in dms_to(pmbot, ALICE) if "Duplicate" in dm_text(call)]
    return dm_text(dm)


async def _status_is(pmbot: Harness, number: int, status: RequestStatus) -> bool:
    return (await stored(pmbot, number)).status == status


async def test_a_plus_one_on_a_declined_requests_card_is_refused_and_said(declined: Harness) -> None:
    await declined.click(ids.UPVOTE, 1, user=ALICE)  # from a card Slack had not yet shown updated

    [said] = await declined.fake.wait_for("response_url")
    assert "REQ-1 was declined, so a +1 would not change it" in said.params["text"]
    assert await upvoters_and_followers(declined, 1) == (0, [BOB])


async def test_a_declined_request_offers_its_follower_only_unfollow(declined: Harness) -> None:
    answer = (await declined.command("REQ-1", user=BOB)).json()["blocks"]

    [actions] = [block for block in answer if block["type"] == "actions"]
    assert [element["action_id"] for element in actions["elements"]] == [ids.UNFOLLOW]
    other = (await declined.command("REQ-1", user=ALICE)).json()["blocks"]
    assert all(block["type"] != "actions" for block in other)  # no Follow, no +1: nothing will happen


async def test_a_duplicate_of_a_done_request_says_what_to_do(pmbot: Harness) -> None:
    await pmbot.set_intake(triagers=[TRIAGER])
    await pmbot.file(ORIGINAL, user=BOB)
    async with pmbot.services.db.transaction() as session:  # shipped by a launch, in the product
        await session.execute(update(Request).where(Request.number == 1).values(status=RequestStatus.DONE))

    said = await dm_of_a_duplicate_of_req_1(pmbot)

    assert "Duplicate of REQ-1, which is done. If it misses something you need, file a new request" in said
