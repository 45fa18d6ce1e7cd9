"""How pmbot answers Slack: in time and truthfully with the database stalled, once per key."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest

from bot.interactions.replies import NOTHING_HAPPENED
from bot.views import ids
from tests.answer_steps import (
    ANSWER_LIMIT,
    LOCK_SECONDS,
    body_of,
    inbox_settled,
    request_count,
    requests_titled,
    said_to,
    status_of,
    table_locked,
    timed,
)
from tests.fakes import events, payloads
from tests.harness import ALICE, CAROL, INTAKE, SECRET, Harness, card_calls
from tests.test_request_filing import modal_values
from tests.test_triage import dms_to, file_with_card, history

NOTHING_SAVED = "nothing was saved"
UNDER_WAY = "under way"


@pytest.fixture
async def triage(pmbot: Harness) -> Harness:
    await pmbot.set_intake(triagers=[CAROL])
    return pmbot


async def test_a_locked_table_gets_every_answer_in_time_and_each_answer_true(
    triage: Harness, database_url: str
) -> None:
    number, _ = await file_with_card(triage, "Filed before the lock")
    accept_url = triage.fake.response_url("accept-under-lock")
    started = time.monotonic()
    async with table_locked(database_url):
        (command, command_s), (modal, modal_s), (accept, accept_s) = await asyncio.gather(
            timed(triage.command("Filed during the lock")),
            timed(triage.submit(ids.REQUEST_MODAL, modal_values(title="Modal during the lock"))),
            timed(
                triage.send(
                    payloads.block_action(
                        SECRET,
                        action_id=ids.ACCEPT,
                        block_id=f"{ids.CARD_BLOCK_PREFIX}{number}",
                        value=str(number),
                        user_id=CAROL,
                        channel_id=INTAKE,
                        response_url=accept_url,
                    )
                )
            ),
        )
        await asyncio.sleep(max(0.0, LOCK_SECONDS - (time.monotonic() - started)))  # the lock's length
    await inbox_settled(triage)

    for response, seconds in ((command, command_s), (modal, modal_s), (accept, accept_s)):
        assert response.status_code == 200 and seconds <= ANSWER_LIMIT, (response.text, seconds)

    said = body_of(command).get("text", "")
    filed = await requests_titled(triage, "Filed during the lock")
    if NOTHING_SAVED in said:
        assert filed == []
    else:
        assert len(filed) == 1 and (f"REQ-{filed[0].number}" in said or UNDER_WAY in said), said

    modal_said = body_of(modal)
    from_modal = await requests_titled(triage, "Modal during the lock")
    if NOTHING_SAVED in json.dumps(modal_said):
        assert from_modal == []
    else:
        assert len(from_modal) == 1, modal_said

    told = said_to(triage, "accept-under-lock")
    if any(NOTHING_SAVED in text for text in told):
        assert await status_of(triage, number) == "new"
        assert await history(triage, number) == ["filed"]
    else:
        assert await status_of(triage, number) == "accepted"
        assert len([dm for dm in dms_to(triage, ALICE) if "Accepted" in str(dm.params)]) == 1


async def test_the_same_command_four_times_and_twice_at_once_files_once(triage: Harness) -> None:
    retried = payloads.slash_command(SECRET, text="Sent four times", user_id=ALICE)
    answers = []
    for retry in range(4):
        headers = {**retried.headers, **({"X-Slack-Retry-Num": str(retry)} if retry else {})}
        answers.append(await triage.http.post("/slack/events", content=retried.body, headers=headers))
    doubled = payloads.slash_command(SECRET, text="Sent twice at once", user_id=ALICE)
    both = await asyncio.gather(triage.send(doubled), triage.send(doubled))
    await inbox_settled(triage)

    [four] = await requests_titled(triage, "Sent four times")
    [two] = await requests_titled(triage, "Sent twice at once")
    assert await request_count(triage) == 2
    assert all(f"REQ-{four.number}" in answer.json()["text"] for answer in answers)
    assert any(f"REQ-{two.number}" in answer.text for answer in both)
    assert all(answer.status_code == 200 for answer in both)
    assert len(card_calls(triage.fake, four.number)) == 1
    assert len(card_calls(triage.fake, two.number)) == 1


async def test_an_event_resent_with_the_same_event_id_has_one_effect(pmbot: Harness) -> None:
    first = events.event(SECRET, event=events.app_home_opened_event(ALICE))
    event_id = json.loads(first.body)["event_id"]
    answers = [await pmbot.send(first)]
    for retry in (1, 2, 3):
        again = events.event(
            SECRET, event=events.app_home_opened_event(ALICE), event_id=event_id, retry_num=retry
        )
        answers.append(await pmbot.send(again))
    await inbox_settled(pmbot)

    assert [answer.status_code for answer in answers] == [200] * 4
    assert len(pmbot.fake.calls_to("views.publish")) == 1


async def test_a_double_accept_writes_one_audit_entry_and_tells_once(triage: Harness) -> None:
    number, _ = await file_with_card(triage, "Clicked twice")
    await asyncio.gather(*(triage.click(ids.ACCEPT, number, user=CAROL) for _ in range(2)))
    await triage.click(ids.ACCEPT, number, user=CAROL)
    await inbox_settled(triage)

    assert await history(triage, number) == ["filed", "accepted"]
    assert len([dm for dm in dms_to(triage, ALICE) if "Accepted" in str(dm.params)]) == 1
    updates = [call for call in card_calls(triage.fake, number) if call.method == "chat.update"]
    # The later clicks meet a card already accepted: it is re-rendered as it stands (#13), unchanged.
    assert updates and all(call.params["blocks"] == updates[0].params["blocks"] for call in updates)


async def test_an_event_pmbot_does_not_handle_gets_200(pmbot: Harness) -> None:
    for kind in ("app_rate_limited", "team_join", "member_joined_channel"):
        response = await pmbot.send(events.event(SECRET, event={"type": kind, "user": ALICE}))
        assert response.status_code == 200, (kind, response.text)
    changed = events.event(SECRET, event={"type": "message", "subtype": "message_changed", "channel": INTAKE})
    assert (await pmbot.send(changed)).status_code == 200


async def test_repeated_signature_headers_are_refused(pmbot: Harness) -> None:
    command = payloads.slash_command(SECRET, text="Twice signed")
    for name in ("X-Slack-Signature", "X-Slack-Request-Timestamp"):
        headers = [*command.headers.items(), (name, command.headers[name])]
        response = await pmbot.http.post(
            "/slack/events", content=command.body, headers=httpx.Headers(headers)
        )
        assert response.status_code == 400
    assert await request_count(pmbot) == 0


async def test_a_stopped_store_says_nothing_happened_for_every_kind(triage: Harness) -> None:
    await triage.services.writer.stop()
    await triage.services.inbox_writer.stop()
    try:
        command = await triage.command("Never stored")
        modal = await triage.submit(ids.REQUEST_MODAL, modal_values(title="Never stored either"))
        event = await triage.send(events.event(SECRET, event=events.app_home_opened_event(ALICE)))
    finally:
        triage.services.writer.start()
        triage.services.inbox_writer.start()

    assert NOTHING_HAPPENED in command.json()["text"]
    assert NOTHING_HAPPENED in json.dumps(body_of(modal))
    assert event.status_code == 503  # Slack delivers an event again; nothing was recorded
    assert await request_count(triage) == 0
