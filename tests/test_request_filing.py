"""Filing requests end to end: `/request`, the modal, the shortcut, ids, cards, bad input."""

from __future__ import annotations

import asyncio
import json
from datetime import date, timedelta

import pytest

from bot.views import ids
from storage import requests as queries
from tests.fakes import payloads
from tests.harness import ALICE, BOB, INTAKE, SECRET, Harness, card_calls, ephemeral_text


async def stored(pmbot: Harness, number: int):
    async with pmbot.services.db.read() as session:
        return await queries.get_request(session, "T_TEST", number)


async def test_quick_filing_answers_with_the_id_and_posts_the_card(pmbot: Harness) -> None:
    await pmbot.set_intake()

    response = await pmbot.command("Export the roadmap to CSV")

    assert response.status_code == 200
    assert "Filed as *REQ-1*" in ephemeral_text(response)
    add_details = response.json()["blocks"][1]["elements"][0]
    assert add_details["action_id"] == ids.ADD_DETAILS
    [card] = await pmbot.fake.wait_for(
        "chat.postMessage", where=lambda call: call.params["channel"] == INTAKE
    )
    assert card.params["blocks"][0]["text"]["text"] == "REQ-1 · Export the roadmap to CSV"
    request = await stored(pmbot, 1)
    assert request.card_ts is not None or (await pmbot.settled()) is None


async def test_filing_without_intake_channel_stores_and_says_how_to_set_it(pmbot: Harness) -> None:
    response = await pmbot.command("Dark mode for the dashboard")

    assert "No intake channel is set" in ephemeral_text(response)
    assert (await stored(pmbot, 1)).title == "Dark mode for the dashboard"
    await pmbot.settled()
    assert pmbot.fake.calls_to("chat.postMessage") == []


async def test_fifty_concurrent_filings_get_fifty_distinct_ids(pmbot: Harness) -> None:
    await pmbot.set_intake()

    numbers = await asyncio.gather(*(pmbot.file(f"Request number {n}") for n in range(50)))

    assert sorted(numbers) == list(range(1, 51))
    await pmbot.fake.wait_for("chat.postMessage", count=51)  # 50 cards and the settings confirmation
    await pmbot.settled()
    assert all(len(card_calls(pmbot.fake, n)) >= 1 for n in numbers)


async def test_a_mention_in_a_title_pings_nobody(pmbot: Harness) -> None:
    await pmbot.set_intake()

    await pmbot.command("<!channel> ship it <@U_BOB> @here now")
    [card] = await pmbot.fake.wait_for(
        "chat.postMessage", where=lambda call: call.params["channel"] == INTAKE
    )

    # Slack parses mentions only in mrkdwn (plain_text shows them literally), so check every mrkdwn text.
    rendered = "\n".join([*mrkdwn_texts(card.params["blocks"]), card.params["text"]])
    assert "<!channel>" not in rendered
    assert "<@U_BOB>" not in rendered
    assert "@here" not in rendered
    assert "&lt;!channel&gt; ship it" in card.params["text"]


async def test_a_nul_character_is_dropped_and_the_request_filed(pmbot: Harness) -> None:
    await pmbot.set_intake()

    quick = await pmbot.command("Export\x00 the roadmap")
    modal = await pmbot.submit(ids.REQUEST_MODAL, modal_values(title="Bulk\x00 edit"))

    assert "Filed as *REQ-1*" in ephemeral_text(quick)
    assert modal.json()["response_action"] == "update"
    assert [(await stored(pmbot, n)).title for n in (1, 2)] == ["Export the roadmap", "Bulk edit"]
    assert (await stored(pmbot, 2)).description == "Edit many rows at once"


def mrkdwn_texts(node: object) -> list[str]:
    if isinstance(node, dict):
        found = [node["text"]] if node.get("type") == "mrkdwn" else []
        return found + [text for value in node.values() for text in mrkdwn_texts(value)]
    if isinstance(node, list):
        return [text for item in node for text in mrkdwn_texts(item)]
    return []


async def test_slash_command_with_no_text_opens_the_modal(pmbot: Harness) -> None:
    response = await pmbot.command("")

    assert response.status_code == 200
    [opened] = await pmbot.fake.wait_for("views.open")
    assert opened.params["view"]["callback_id"] == ids.REQUEST_MODAL


def modal_values(title: str = "Bulk edit", needed_by: str | None = None, **extra: dict) -> dict:
    values = {
        ids.TITLE: {ids.VALUE: payloads.plain_text(title)},
        ids.DESCRIPTION: {ids.VALUE: payloads.plain_text("Edit many rows at once")},
        ids.KIND: {ids.VALUE: payloads.static_select("feature")},
        ids.IMPACT: {ids.VALUE: payloads.static_select("high")},
        ids.ON_BEHALF_OF: {ids.VALUE: payloads.plain_text("Acme Corp")},
        ids.NEEDED_BY: {ids.VALUE: payloads.datepicker(needed_by)},
    }
    values.update(extra)
    return values


async def test_modal_submission_files_and_confirms_in_the_modal(pmbot: Harness) -> None:
    await pmbot.set_intake()
    due = (pmbot.clock.now().date() + timedelta(days=30)).isoformat()

    response = await pmbot.submit(ids.REQUEST_MODAL, modal_values(needed_by=due))

    body = response.json()
    assert body["response_action"] == "update"
    assert "REQ-1" in json.dumps(body["view"])
    request = await stored(pmbot, 1)
    assert (request.impact, request.on_behalf_of, request.needed_by) == (
        "high",
        "Acme Corp",
        date.fromisoformat(due),
    )
    [card] = await pmbot.fake.wait_for(
        "chat.postMessage", where=lambda call: call.params["channel"] == INTAKE
    )
    assert "<!date^" in json.dumps(card.params["blocks"])


async def test_invalid_modal_input_is_shown_inline_and_nothing_is_stored(pmbot: Harness) -> None:
    past = (pmbot.clock.now().date() - timedelta(days=3)).isoformat()

    response = await pmbot.submit(ids.REQUEST_MODAL, modal_values(title="  ", needed_by=past))

    body = response.json()
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {ids.TITLE, ids.NEEDED_BY}
    assert await stored(pmbot, 1) is None


async def test_add_details_edits_the_quick_filing(pmbot: Harness) -> None:
    number = await pmbot.file("Webhooks please")
    click = payloads.block_action(
        SECRET,
        action_id=ids.ADD_DETAILS,
        value=json.dumps({"number": number, "title": "Webhooks please"}),
        user_id=ALICE,
    )
    await pmbot.send(click)
    [opened] = await pmbot.fake.wait_for("views.open")
    metadata = opened.params["view"]["private_metadata"]

    response = await pmbot.submit(
        ids.REQUEST_MODAL, modal_values(title="Webhooks for invoices"), private_metadata=metadata
    )

    assert response.status_code == 200
    assert (await stored(pmbot, number)).title == "Webhooks for invoices"


async def test_someone_else_cannot_edit_a_request(pmbot: Harness) -> None:
    number = await pmbot.file("Webhooks please")

    response = await pmbot.submit(
        ids.REQUEST_MODAL,
        modal_values(title="Hijacked"),
        user=BOB,
        private_metadata=json.dumps({"number": number}),
    )

    assert response.json()["response_action"] == "errors"
    assert (await stored(pmbot, number)).title == "Webhooks please"


async def test_message_shortcut_files_for_the_original_asker_and_replies_in_thread(pmbot: Harness) -> None:
    await pmbot.set_intake()
    message = {"user": BOB, "ts": "1700000100.000200", "text": "Can we get SSO? cc <@U_CAROL> &lt;3"}
    shortcut = payloads.message_shortcut(
        SECRET,
        callback_id=ids.FILE_AS_REQUEST,
        message=message,
        channel_id="C_SALES",
        user_id=ALICE,
        response_url=pmbot.fake.response_url("shortcut"),
    )

    await pmbot.send(shortcut)
    [opened] = await pmbot.fake.wait_for("views.open")
    view = opened.params["view"]
    title_input = view["blocks"][0]["element"]
    assert title_input["initial_value"] == "Can we get SSO?"  # the first sentence
    description_input = view["blocks"][1]["element"]
    # The rest of the message, decoded: what became the title is not said twice.
    assert description_input["initial_value"] == "cc <@U_CAROL> <3"
    response = await pmbot.submit(
        ids.REQUEST_MODAL, modal_values(title="SSO"), user=ALICE, private_metadata=view["private_metadata"]
    )

    assert response.json()["response_action"] == "update"
    request = await stored(pmbot, 1)
    assert (request.requester_id, request.filed_by_id) == (BOB, ALICE)
    assert request.source_permalink == "https://acme.slack.com/archives/C_SALES/p1700000100000200"
    [reply] = await pmbot.fake.wait_for("chat.postMessage", where=lambda call: call.params.get("thread_ts"))
    assert (reply.params["channel"], reply.params["thread_ts"]) == ("C_SALES", "1700000100.000200")
    assert "Filed as *REQ-1*" in reply.params["text"]
    [told] = await pmbot.fake.wait_for("chat.postMessage", where=lambda call: call.params["channel"] == BOB)
    assert (
        f"<@{ALICE}> filed your message in <#C_SALES> as *REQ-1* SSO. You will hear here of its changes."
        in (str(told.params["blocks"]))
    )
    await pmbot.settled()
    assert [c for c in pmbot.fake.calls_to("chat.postMessage") if c.params["channel"] == ALICE] == []


@pytest.mark.parametrize(
    ("said", "title", "description"),
    [
        ("The export button is hidden on mobile", "The export button is hidden on mobile", None),
        ("Export is broken!\n\nSteps: open it. Click.", "Export is broken!", "Steps: open it. Click."),
        ("x " * 120, "x " * 48 + "x…", ("x " * 120).strip()),  # a cut title: the whole text stays
    ],
)
async def test_the_shortcut_description_holds_what_the_title_does_not(
    pmbot: Harness, said: str, title: str, description: str | None
) -> None:
    shortcut = payloads.message_shortcut(
        SECRET, callback_id=ids.FILE_AS_REQUEST, message={"user": BOB, "text": said}, user_id=ALICE
    )
    await pmbot.send(shortcut)
    [opened] = await pmbot.fake.wait_for("views.open")
    blocks = opened.params["view"]["blocks"]
    assert blocks[0]["element"]["initial_value"] == title
    assert blocks[1]["element"].get("initial_value") == description


async def test_shortcut_in_a_channel_closed_to_pmbot_tells_the_filer_privately(pmbot: Harness) -> None:
    pmbot.fake.closed_channels.add("C_PRIVATE")
    shortcut = payloads.message_shortcut(
        SECRET,
        callback_id=ids.FILE_AS_REQUEST,
        message={"user": BOB, "text": "Need SAML"},
        channel_id="C_PRIVATE",
        user_id=ALICE,
        response_url=pmbot.fake.response_url("closed"),
    )
    await pmbot.send(shortcut)
    [opened] = await pmbot.fake.wait_for("views.open")

    await pmbot.submit(
        ids.REQUEST_MODAL,
        modal_values(title="SAML"),
        private_metadata=opened.params["view"]["private_metadata"],
    )

    [told] = await pmbot.fake.wait_for("response_url", where=lambda call: call.params["name"] == "closed")
    assert "Filed as *REQ-1*" in told.params["text"]
    assert told.params["response_type"] == "ephemeral"


async def test_over_long_text_is_cut_not_rejected(pmbot: Harness) -> None:
    await pmbot.set_intake()

    await pmbot.command("word " * 900)

    [card] = await pmbot.fake.wait_for(
        "chat.postMessage", where=lambda call: call.params["channel"] == INTAKE
    )
    header = card.params["blocks"][0]["text"]["text"]
    assert len(header) <= 150 and header.endswith("…")
    assert (await stored(pmbot, 1)).description.startswith("word word")


async def test_unknown_word_shows_usage(pmbot: Harness) -> None:
    response = await pmbot.command("frobnicate")

    assert "I don't know `frobnicate`" in ephemeral_text(response)
    assert "/request list" in ephemeral_text(response)


@pytest.mark.parametrize(
    "author",
    [
        {"user": "UBOT", "bot_id": "BBOT", "app_id": "A_PMBOT"},  # pmbot's own message (chat.postMessage)
        {"subtype": "bot_message", "bot_id": "B_OTHER", "username": "Deploy bot"},  # another integration
    ],
    ids=["pmbot", "integration"],
)
async def test_a_message_written_by_a_bot_is_requested_by_the_person_filing_it(
    pmbot: Harness, author: dict[str, str]
) -> None:
    await pmbot.set_intake()
    message = {**author, "ts": "1700000100.000300", "text": "Nightly export failed. Retry at 02:00."}
    shortcut = payloads.message_shortcut(
        SECRET, callback_id=ids.FILE_AS_REQUEST, message=message, channel_id="C_OPS", user_id=ALICE
    )
    await pmbot.send(shortcut)
    [opened] = await pmbot.fake.wait_for("views.open")

    response = await pmbot.submit(
        ids.REQUEST_MODAL,
        modal_values(title="Retry the nightly export"),
        user=ALICE,
        private_metadata=opened.params["view"]["private_metadata"],
    )

    assert response.json()["response_action"] == "update"
    request = await stored(pmbot, 1)
    assert (request.requester_id, request.filed_by_id) == (ALICE, ALICE)
    await pmbot.settled()
    [card] = card_calls(pmbot.fake, 1)
    assert "<@UBOT>" not in json.dumps(card.params["blocks"]) and f"<@{ALICE}>" in json.dumps(card.params)
    assert not [call for call in pmbot.fake.calls if call.params.get("channel") in ("UBOT", "B_OTHER")]
