"""Possible duplicates on the triage card, `/request search`, and the search staying current on edits
(SQLite and PostgreSQL, signed payloads, the fake Web API)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event

from bot.views import ids
from storage.models import RequestStatus
from tests.fakes import payloads
from tests.harness import ADMIN, ALICE, BOB, CAROL, INTAKE, SECRET, Harness, ephemeral_text
from tests.similar_steps import OTHER_TEAM, block_texts, stored

TRIAGER = CAROL


@pytest.fixture
async def triage(pmbot: Harness) -> Harness:
    await pmbot.set_intake(triagers=[TRIAGER])
    return pmbot


async def latest_card(pmbot: Harness, number: int) -> list[dict[str, Any]]:
    await pmbot.settled()
    request = await stored(pmbot, number)
    return pmbot.fake.messages[(INTAKE, request.card_ts or "")]["blocks"]


def duplicate_buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        element
        for block in blocks
        if block.get("block_id", "").startswith(ids.CARD_DUPLICATES_PREFIX)
        for element in block["elements"]
    ]


async def click_duplicate_of(pmbot: Harness, number: int, original: int, *, user: str) -> None:
    response = await pmbot.send(
        payloads.block_action(
            SECRET,
            action_id=ids.MARK_DUPLICATE_OF,
            block_id=f"{ids.CARD_DUPLICATES_PREFIX}{number}",
            value=str(original),
            user_id=user,
            channel_id=INTAKE,
            response_url=pmbot.fake.response_url(f"dup-{user}"),
        )
    )
    assert response.status_code == 200


async def test_the_card_names_possible_duplicates_with_status_and_plus_ones(triage: Harness) -> None:
    await triage.file("Export the roadmap to CSV", user=BOB)
    await triage.services.requests.accept("T_TEST", TRIAGER, 1)
    await triage.services.requests.upvote("T_TEST", ADMIN, 1)
    await triage.file("Dark mode for the web app", user=BOB)

    await triage.file("Download our roadmap as a spreadsheet (csv)")

    card = await latest_card(triage, 3)
    said = block_texts(card)
    assert (
        "*Possible duplicates:* REQ-1 Export the roadmap to CSV (:white_check_mark: Accepted · 1 +1)" in said
    )
    assert [button["text"]["text"] for button in duplicate_buttons(card)] == ["Mark duplicate of REQ-1"]
    assert duplicate_buttons(await latest_card(triage, 1)) == []  # only older requests are named


async def test_a_quick_filing_searches_once_for_its_answer_and_its_card(triage: Harness) -> None:
    await triage.file("Export the roadmap to CSV", user=BOB)
    await triage.settled()
    searches: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if ("MATCH" in statement or "@@" in statement) and "rank" in statement:
            searches.append(statement)

    engine = triage.services.db.read_engine.sync_engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        response = await triage.command("Download our roadmap as a spreadsheet (csv)", user=ALICE)
        card = await latest_card(triage, 2)
    finally:
        event.remove(engine, "before_cursor_execute", note)

    assert "Looks like *REQ-1*" in str(response.json()["blocks"])
    assert [button["text"]["text"] for button in duplicate_buttons(card)] == ["Mark duplicate of REQ-1"]
    assert len(searches) == 1, "the card reuses what the filer's answer found"


async def test_a_triager_marks_the_duplicate_in_one_click(triage: Harness) -> None:
    await triage.file("Export the roadmap to CSV", user=BOB)
    await triage.file("Download our roadmap as a spreadsheet (csv)")
    await triage.settled()
    said = block_texts(await latest_card(triage, 2))
    assert "REQ-1 Export the roadmap to CSV (:new: New)" in said, "no '0 +1s' for a request nobody +1ed"

    await click_duplicate_of(triage, 2, 1, user=TRIAGER)

    await triage.until(lambda: _status_is(triage, 2, RequestStatus.DUPLICATE))
    card = await latest_card(triage, 2)
    assert duplicate_buttons(card) == [] and "Duplicate of REQ-1" in block_texts(card) + str(card)


async def test_others_cannot_mark_a_duplicate_from_the_card(triage: Harness) -> None:
    await triage.file("Export the roadmap to CSV", user=BOB)
    await triage.file("Download our roadmap as a spreadsheet (csv)")
    await triage.settled()

    await click_duplicate_of(triage, 2, 1, user=ALICE)

    [said] = await triage.fake.wait_for("response_url")
    assert "Only triagers can mark duplicates" in said.params["text"]
    assert (await stored(triage, 2)).status == RequestStatus.NEW


async def test_declined_requests_are_suggested_marked_declined(triage: Harness) -> None:
    await triage.file("Export the roadmap to CSV", user=BOB)
    await triage.services.requests.decline("T_TEST", TRIAGER, 1, "We only export to PDF")

    response = await triage.command("search roadmap csv export")

    assert ":no_entry_sign: Declined" in ephemeral_text(response)
    [suggestion] = await triage.services.similar.find("T_TEST", "export the roadmap as csv")
    assert suggestion.status == RequestStatus.DECLINED


async def test_search_lists_matches_best_first_and_escapes_what_it_echoes(pmbot: Harness) -> None:
    for title in ("Export the roadmap to CSV", "Roadmap view on mobile", "Dark mode <!here> everywhere"):
        await pmbot.file(title, user=BOB)
    await pmbot.command("Export the roadmap to CSV", user=BOB, team_id=OTHER_TEAM)

    found = ephemeral_text(await pmbot.command("search roadmap csv"))
    hostile_answer = (await pmbot.command('search <!channel> "dark" NEAR* AND -mode')).json()["blocks"]
    header, *sections, actions = hostile_answer
    hostile = block_texts(sections)
    [file_it] = actions["elements"]
    nothing = ephemeral_text(await pmbot.command("search quantum teleportation"))

    assert found.index("*REQ-1*") < found.index("*REQ-2*") and "REQ-3" not in found
    assert found.count("Export the roadmap to CSV") == 1  # not the other workspace's
    assert header["text"]["type"] == "plain_text"  # Slack never turns plain text into a mention
    assert file_it["text"]["type"] == "plain_text"  # the button's label says what it files, as typed
    assert "*REQ-3* Dark mode &lt;!here&gt; everywhere" in hostile and "<!" not in hostile
    assert "Nothing matches “quantum teleportation”" in nothing


async def test_a_title_starting_with_search_is_one_click_from_being_filed(pmbot: Harness) -> None:
    answer = (await pmbot.command("search across <!here> projects")).json()["blocks"]
    [button] = answer[-1]["elements"]
    assert button["text"]["text"] == "File “search across <!here> projects” as a new request"

    await pmbot.click(ids.FILE_SEARCH_AS_REQUEST, 0, user=ALICE, value=button["value"])

    [said] = await pmbot.fake.wait_for("response_url")
    assert "Filed as *REQ-1*" in said.params["text"]
    assert (await stored(pmbot, 1)).title == "search across <!here> projects"


async def test_search_without_words_says_how(pmbot: Harness) -> None:
    assert "Say what to look for" in ephemeral_text(await pmbot.command("search"))


async def test_the_search_follows_every_edit(pmbot: Harness) -> None:
    await pmbot.file("Export the roadmap to CSV")
    draft = {ids.TITLE: {ids.VALUE: payloads.plain_text("Dark mode for the dashboard")}}
    draft[ids.DESCRIPTION] = {ids.VALUE: payloads.plain_text("The white background hurts at night")}

    response = await pmbot.submit(ids.REQUEST_MODAL, draft, private_metadata='{"number":1,"source":null}')

    assert response.status_code == 200
    assert await pmbot.services.similar.search("T_TEST", "csv") == []
    assert [s.number for s in await pmbot.services.similar.search("T_TEST", "dashboard")] == [1]
    assert [s.number for s in await pmbot.services.similar.search("T_TEST", "background")] == [1]


async def _status_is(pmbot: Harness, number: int, status: RequestStatus) -> bool:
    return (await stored(pmbot, number)).status == status
