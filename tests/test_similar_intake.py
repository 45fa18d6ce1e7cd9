"""Similar requests at intake, end to end: the modal's suggestions and "+1 this instead", and the quick
filing's "Merge into REQ-n" (SQLite and PostgreSQL, signed payloads, the fake Web API)."""

from __future__ import annotations

import json

from bot.views import ids
from storage.models import RequestStatus
from tests.fakes import payloads
from tests.harness import ALICE, BOB, CAROL, Harness, ephemeral_text
from tests.similar_steps import (
    OTHER_TEAM,
    block_texts,
    click_in_form,
    merge_button,
    open_form,
    shortcut_on,
    stored,
    suggested_numbers,
    type_title,
    upvoters_and_followers,
)


async def test_typing_a_title_shows_similar_requests_with_status_and_plus_ones(pmbot: Harness) -> None:
    await pmbot.file("Export the roadmap to CSV", user=BOB)
    await pmbot.file("Dark mode for the web app", user=BOB)
    await pmbot.services.similar.plus_one_instead("T_TEST", CAROL, 1)
    view = await open_form(pmbot)

    response = await type_title(pmbot, view, "can I download our roadmap as a spreadsheet")

    assert response.status_code == 200
    [update] = await pmbot.fake.wait_for("views.update")
    shown = pmbot.fake.views[view["id"]]
    assert update.params["view_id"] == view["id"] and suggested_numbers(shown) == [1]
    said = block_texts(shown["blocks"])
    assert "*REQ-1* Export the roadmap to CSV" in said and ":new: New" in said and "1 +1" in said
    assert "+1 this instead" in said
    assert shown["blocks"][0]["block_id"] == ids.TITLE and shown["blocks"][0]["dispatch_action"] is True


async def test_plus_one_instead_upvotes_follows_and_closes_the_form_without_filing(pmbot: Harness) -> None:
    await pmbot.file("Export the roadmap to CSV", user=BOB)
    view = await open_form(pmbot)
    await type_title(pmbot, view, "download the roadmap as a csv file")
    await pmbot.fake.wait_for("views.update")

    await click_in_form(pmbot, pmbot.fake.views[view["id"]], ids.SIMILAR_PLUS_ONE, "1")

    await pmbot.fake.wait_for("views.update", count=2)
    confirmation = pmbot.fake.views[view["id"]]
    assert "Your +1 counts for *REQ-1*" in block_texts(confirmation["blocks"])
    assert confirmation["title"]["text"] == "Request +1ed"
    upvotes, followers = await upvoters_and_followers(pmbot, 1)
    assert upvotes == 1 and ALICE in followers
    assert "There is no REQ-2" in (await pmbot.command("REQ-2")).text


async def test_stop_words_short_input_and_unchanged_suggestions_update_nothing(pmbot: Harness) -> None:
    await pmbot.file("Export the roadmap to CSV", user=BOB)
    view = await open_form(pmbot)

    for typed in ("the", "to the of and", "CSV", "ex"):
        assert (await type_title(pmbot, view, typed)).status_code == 200
    await type_title(pmbot, view, "export roadmap csv")
    await pmbot.fake.wait_for("views.update")
    await type_title(pmbot, pmbot.fake.views[view["id"]], "export roadmap csv please")

    assert await pmbot.services.similar.find("T_TEST", "export roadmap csv please") != []
    assert len(pmbot.fake.calls_to("views.update")) == 1  # the same suggestion is not re-rendered


async def test_only_the_same_workspaces_requests_are_suggested(pmbot: Harness) -> None:
    await pmbot.command("Export the roadmap to CSV", user=BOB, team_id=OTHER_TEAM)
    assert (await stored(pmbot, 1, OTHER_TEAM)).title == "Export the roadmap to CSV"
    view = await open_form(pmbot)

    await type_title(pmbot, view, "Export the roadmap to CSV")
    answer = await pmbot.command("search roadmap csv")

    assert pmbot.fake.calls_to("views.update") == []
    assert "Nothing matches" in ephemeral_text(answer)


async def test_hostile_titles_and_queries_are_harmless(pmbot: Harness) -> None:
    await pmbot.file('<!channel> Export the roadmap "to" CSV* NEAR AND -now <https://evil|click>', user=BOB)
    view = await open_form(pmbot)

    assert (await type_title(pmbot, view, '"export" NEAR roadmap* AND -csv OR (')).status_code == 200
    await pmbot.fake.wait_for("views.update")
    view = pmbot.fake.views[view["id"]]
    other = "roadmap ^ csv : ' \\ \" { } NOT -export"
    assert [s.number for s in await pmbot.services.similar.find("T_TEST", other)] == [1]

    said = block_texts(view["blocks"])
    assert suggested_numbers(view) == [1]
    assert "&lt;!channel&gt;" in said and "<!channel>" not in said and "<https://evil" not in said


async def test_a_quick_filing_offers_to_merge_into_the_request_it_looks_like(pmbot: Harness) -> None:
    await pmbot.file("Export the roadmap to CSV", user=BOB)

    response = await pmbot.command("please let me download the roadmap as a spreadsheet csv")

    assert "Filed as *REQ-2*" in ephemeral_text(response)
    assert "Looks like *REQ-1* Export the roadmap to CSV" in ephemeral_text(response)
    button = merge_button(response)
    assert button["text"]["text"] == "Merge into REQ-1" and json.loads(button["value"]) == {
        "number": 2,
        "into": 1,
    }


async def test_merging_withdraws_the_new_request_and_upvotes_and_follows_the_old(pmbot: Harness) -> None:
    await pmbot.file("Export the roadmap to CSV", user=BOB)
    button = merge_button(await pmbot.command("download the roadmap as a csv spreadsheet"))

    await pmbot.click(ids.SIMILAR_MERGE, 2, user=ALICE, value=button["value"])

    [said] = await pmbot.fake.wait_for("response_url")
    assert "REQ-2 is withdrawn as a duplicate of *REQ-1*" in said.params["text"]
    merged = await stored(pmbot, 2)
    assert merged.status == RequestStatus.DUPLICATE and merged.duplicate_of_id == (await stored(pmbot, 1)).id
    upvotes, followers = await upvoters_and_followers(pmbot, 1)
    assert upvotes == 1 and ALICE in followers
    history = block_texts((await pmbot.command("REQ-2")).json()["blocks"])
    assert "Merged into another request: Status: New → Duplicate" in history
    assert "Duplicate of REQ-1" in history


async def test_only_the_filer_may_merge_their_new_request(pmbot: Harness) -> None:
    await pmbot.file("Export the roadmap to CSV", user=BOB)
    button = merge_button(await pmbot.command("download the roadmap as a csv spreadsheet"))

    await pmbot.click(ids.SIMILAR_MERGE, 2, user=CAROL, value=button["value"])

    [said] = await pmbot.fake.wait_for("response_url")
    assert "Only the person who filed REQ-2 can merge it" in said.params["text"]
    assert (await stored(pmbot, 2)).status == RequestStatus.NEW
    assert await upvoters_and_followers(pmbot, 1) == (0, [BOB])


async def test_a_form_filled_from_a_message_shows_what_looks_like_it(pmbot: Harness) -> None:
    await pmbot.file("Export the roadmap to CSV", user=BOB)
    message = {"user": CAROL, "ts": "1700000100.000200", "text": "Could we export our roadmap as CSV? thanks"}
    shortcut = shortcut_on(pmbot, message)

    await pmbot.send(shortcut)

    [opened] = await pmbot.fake.wait_for("views.open")
    [update] = await pmbot.fake.wait_for("views.update")
    shown = pmbot.fake.views[update.params["view_id"]]
    assert opened.params["view"]["private_metadata"] == shown["private_metadata"]
    assert suggested_numbers(shown) == [1] and "+1 this instead" in block_texts(shown["blocks"])
    assert shown["blocks"][0]["element"]["initial_value"] == "Could we export our roadmap as CSV?"
    typed = {ids.TITLE: {ids.VALUE: payloads.plain_text("Could we export our roadmap as CSV?")}}
    response = await pmbot.submit(
        ids.REQUEST_MODAL, typed, user=ALICE, private_metadata=shown["private_metadata"]
    )
    assert response.json()["response_action"] == "update"
    assert (await stored(pmbot, 2)).requester_id == CAROL  # the form still files for the message's author


async def test_the_persons_own_request_is_marked_theirs(pmbot: Harness) -> None:
    await pmbot.file("Export the roadmap to CSV", user=ALICE)
    view = await open_form(pmbot)
    await type_title(pmbot, view, "download the roadmap as a csv file")
    await pmbot.fake.wait_for("views.update")
    shown = pmbot.fake.views[view["id"]]

    said = block_texts(shown["blocks"])
    assert "*REQ-1* Export the roadmap to CSV · :new: New · yours" in said
    assert "Mine: don't file again" in said and "+1 this instead" not in said
    await click_in_form(pmbot, shown, ids.SIMILAR_PLUS_ONE, "1")
    await pmbot.fake.wait_for("views.update", count=2)
    assert "is your own request" in block_texts(pmbot.fake.views[view["id"]]["blocks"])
    quick = ephemeral_text(await pmbot.command("download the roadmap as a csv spreadsheet"))
    assert "Looks like *REQ-1* Export the roadmap to CSV · :new: New · yours" in quick


async def test_a_form_closed_before_its_suggestions_arrive_costs_the_person_nothing(pmbot: Harness) -> None:
    await pmbot.file("Export the roadmap to CSV", user=BOB)
    message = {"user": CAROL, "ts": "1700000100.000300", "text": "Could we export our roadmap as CSV?"}
    shortcut = shortcut_on(pmbot, message)
    pmbot.fake.fail_next("views.update", error="not_found")  # closed at once

    assert (await pmbot.send(shortcut)).status_code == 200
    await pmbot.fake.wait_for("views.update")
    await pmbot.settled()

    assert pmbot.fake.calls_to("response_url") == []  # no error said in the channel
    assert [call for call in pmbot.fake.calls_to("chat.postMessage") if call.params["channel"] == ALICE] == []
