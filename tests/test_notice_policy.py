"""The notification policy, case by case: no notice without a change, gathered notices sent once
(through a restart, and while a DM is on its way), one announcement where channels coincide."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.views import ids
from bot.views.common import as_dicts
from bot.views.requests.notifications import gathered_message
from storage.models import RequestStatus
from tests.fakes import FakeSlack, payloads
from tests.harness import ADMIN, ALICE, BOB, CAROL, DAVE, FakeClock, Harness, build_harness
from tests.roadmap_steps import APPROVALS, get_request, posts_to, propose, propose_add, vote
from tests.slack_limits import problems_in_message
from tests.test_notice_week import caught_up, later, stored
from tests.test_triage import click_card, dm_text, dms_to, open_modal, pick_original

TRIAGER = CAROL


async def approve_now(pmbot: Harness, number: int) -> None:
    assert (await vote(pmbot, ids.APPROVE, number, ADMIN)).startswith("Approved")


async def one_approver_policy(pmbot: Harness, *, announcements: str | None) -> None:
    """ADMIN and CAROL approve, one approval is enough; cards go to APPROVALS."""
    values = {
        ids.APPROVERS: {ids.VALUE: payloads.multi_users_select([ADMIN, CAROL])},
        ids.APPROVER_GROUP: {ids.VALUE: payloads.plain_text(None)},
        ids.REQUIRED_APPROVALS: {ids.VALUE: {"type": "number_input", "value": "1"}},
        ids.EXPIRY_DAYS: {ids.VALUE: {"type": "number_input", "value": "7"}},
        ids.APPROVALS_CHANNEL: {ids.VALUE: payloads.conversations_select(APPROVALS)},
        ids.ANNOUNCEMENTS_CHANNEL: {ids.VALUE: payloads.conversations_select(announcements)},
    }
    response = await pmbot.submit(ids.POLICY_MODAL, values, user=ADMIN)
    assert response.status_code == 200 and response.text in ("", "{}"), response.text


async def test_a_change_that_changes_nothing_for_a_request_tells_no_one(pmbot: Harness) -> None:
    await pmbot.set_intake(triagers=[TRIAGER])
    await pmbot.file("Export invoices as PDF", user=ALICE)
    await pmbot.file("Invoices as PDF files please", user=BOB)
    await pmbot.settled()
    await pick_original(pmbot, 2, 1, user=TRIAGER)
    await stored(pmbot, 2, RequestStatus.DUPLICATE)
    await one_approver_policy(pmbot, announcements=None)
    await pmbot.settled()
    told_bob = len(dms_to(pmbot, BOB))

    await propose_add(pmbot, "PDF invoices", user=CAROL, linked=[1, 2], horizon="now")
    await approve_now(pmbot, 1)
    await stored(pmbot, 1, RequestStatus.PLANNED)
    await pmbot.settled()

    [planned] = [dm_text(call) for call in dms_to(pmbot, ALICE) if "Planned" in dm_text(call)]
    assert "REQ-1 is now planned for Now as RM-1" in planned
    # Bob follows the original since his was marked its duplicate: he hears of REQ-1, not of REQ-2.
    [followed] = [dm_text(call) for call in dms_to(pmbot, BOB)[told_bob:]]
    assert "REQ-1 is now planned" in followed and "REQ-2" not in followed
    told_bob += 1
    assert (await get_request(pmbot, 2)).status == RequestStatus.DUPLICATE

    # A rescope leaves REQ-1's status and plan as they were: nobody is told, but it did change.
    pmbot.clock.advance(hours=3)
    told_alice = len(dms_to(pmbot, ALICE))
    await propose(pmbot, "rescope", user=CAROL, item=1, title="PDF and CSV invoices")
    await approve_now(pmbot, 2)
    await pmbot.settled()

    assert len(dms_to(pmbot, ALICE)) == told_alice and len(dms_to(pmbot, BOB)) == told_bob
    assert (await get_request(pmbot, 1)).updated_at == pmbot.clock.now(), "Home shows it changed now"


async def test_where_approvals_and_announcements_share_a_channel_the_card_is_the_announcement(
    pmbot: Harness,
) -> None:
    await one_approver_policy(pmbot, announcements=APPROVALS)
    await propose_add(pmbot, "Message search", user=CAROL)
    await pmbot.settled()

    await approve_now(pmbot, 1)
    await pmbot.settled()

    [card] = posts_to(pmbot, APPROVALS)
    assert card.params["text"].startswith("CHG-1")
    updates = [c for c in pmbot.fake.calls_to("chat.update") if c.params["channel"] == APPROVALS]
    assert updates and "Approved" in str(updates[-1].params["blocks"])


@pytest.fixture
async def gathering(fake: FakeSlack, database_url: str, clock: FakeClock) -> AsyncIterator[Harness]:
    harness = await build_harness(fake, database_url, clock, notice_gather_seconds=90)
    yield harness
    await harness.http.aclose()
    await harness.services.stop()


async def test_gathered_notices_survive_a_restart_and_go_out_once(
    gathering: Harness, fake: FakeSlack, database_url: str, clock: FakeClock
) -> None:
    await gathering.set_intake(triagers=[TRIAGER])
    await gathering.file("Export invoices as PDF", user=BOB)
    await gathering.file("Dark mode for the dashboard", user=BOB)
    await later(gathering, minutes=5)
    await click_card(gathering, ids.ACCEPT, 1, user=TRIAGER)
    await stored(gathering, 1, RequestStatus.ACCEPTED)
    await click_card(gathering, ids.ACCEPT, 2, user=TRIAGER)
    await stored(gathering, 2, RequestStatus.ACCEPTED)
    await caught_up(gathering)
    assert dms_to(gathering, BOB) == [], "the window is still open"
    await gathering.services.stop()  # pmbot stops before the window closes

    restarted = await build_harness(fake, database_url, clock, notice_gather_seconds=90)
    try:
        await later(restarted, seconds=91)
        await later(restarted, minutes=10)
    finally:
        await restarted.http.aclose()
        await restarted.services.stop()

    [dm] = dms_to(restarted, BOB)
    assert dm.params["text"].startswith(
        "2 updates on your requests: REQ-1 Export invoices as PDF is now Accepted (was New); REQ-2"
    )


async def test_a_notice_made_while_a_dm_is_on_its_way_is_sent_next_not_twice(pmbot: Harness) -> None:
    await pmbot.set_intake(triagers=[TRIAGER])
    await pmbot.file("Export invoices as PDF", user=BOB)
    await pmbot.file("Dark mode for the dashboard", user=BOB)
    await pmbot.settled()
    pmbot.fake.fail_next("chat.postMessage", delay=3.0)  # Slack takes its time over the first DM

    await click_card(pmbot, ids.ACCEPT, 1, user=TRIAGER)
    await pmbot.fake.wait_for("chat.postMessage", where=lambda call: call.params.get("channel") == BOB)
    await click_card(pmbot, ids.ACCEPT, 2, user=TRIAGER)
    await stored(pmbot, 2, RequestStatus.ACCEPTED)
    await pmbot.settled()

    first, second = [call.params["text"] for call in dms_to(pmbot, BOB)]
    assert first == "REQ-1 Export invoices as PDF is now Accepted (was New)"
    assert second == "REQ-2 Dark mode for the dashboard is now Accepted (was New)"


def test_a_gathered_dm_of_many_notices_stays_within_slacks_limits() -> None:
    notice = {
        "ref": "REQ-1",
        "title": "<!channel> & " * 12,
        "action": "needs_info",
        "actor_id": CAROL,
        "old_status": "new",
        "new_status": "needs_info",
        "note": "Which page? " * 150,
        "role": "requester",
    }

    fallback, blocks = gathered_message([{**notice, "ref": f"REQ-{number}"} for number in range(1, 61)])
    message = {"channel": BOB, "text": fallback, "blocks": as_dicts(blocks)}

    assert problems_in_message(message) == []
    assert fallback.startswith("60 updates on your requests: REQ-1 &lt;!channel&gt; &amp; ")
    assert "… is now Needs info (was New);" in fallback
    assert "…and 20 more: your Home tab lists them all." in str(message["blocks"])
    assert "<!channel>" not in str(message["blocks"])


async def test_a_change_undone_within_the_window_tells_no_one_and_one_request_is_named(
    gathering: Harness,
) -> None:
    await gathering.set_intake(triagers=[TRIAGER])
    await gathering.file("Export invoices as PDF", user=BOB)
    await later(gathering, minutes=5)
    await click_card(gathering, ids.ACCEPT, 1, user=TRIAGER)
    await stored(gathering, 1, RequestStatus.ACCEPTED)
    await click_card(gathering, ids.ASSIGN, 1, user=TRIAGER, selected_user=DAVE, action_type="users_select")
    await stored(gathering, 1, RequestStatus.ACCEPTED, assignee=DAVE)
    await later(gathering, seconds=91)
    await later(gathering, minutes=10)

    [bobs] = dms_to(gathering, BOB)
    assert dm_text(bobs).startswith("2 updates on REQ-1: "), "one request is named, not 'your requests'"
    assert "*2 updates on REQ-1:*" in dm_text(bobs)
    assert "You get this because you asked for it." in dm_text(bobs)
    [daves] = dms_to(gathering, DAVE)
    assert "Export invoices as PDF to you." in dm_text(daves), "the assignee reads 'assigned to you'"
    assert f"to <@{DAVE}>" not in dm_text(daves)

    # Dave → Alice → Dave within the window: it ends where it started, so nobody hears of it.
    told = {user: len(dms_to(gathering, user)) for user in (BOB, DAVE, ALICE)}
    await click_card(gathering, ids.ASSIGN, 1, user=TRIAGER, selected_user=ALICE, action_type="users_select")
    await stored(gathering, 1, RequestStatus.ACCEPTED, assignee=ALICE)
    await click_card(gathering, ids.ASSIGN, 1, user=TRIAGER, selected_user=DAVE, action_type="users_select")
    await stored(gathering, 1, RequestStatus.ACCEPTED, assignee=DAVE)
    await later(gathering, seconds=91)
    await later(gathering, minutes=10)
    assert {user: len(dms_to(gathering, user)) for user in told} == told, [
        dm_text(call) for user in told for call in dms_to(gathering, user)[told[user] :]
    ]


async def ask(pmbot: Harness, number: int, question: str) -> None:
    view = await open_modal(pmbot, ids.NEED_INFO, number, user=TRIAGER)
    values = {ids.QUESTION: {ids.VALUE: payloads.plain_text(question)}}
    response = await pmbot.submit(
        ids.NEED_INFO_MODAL, values, user=TRIAGER, private_metadata=view["private_metadata"]
    )
    assert response.status_code == 200


async def test_a_status_put_back_within_the_window_tells_no_one(gathering: Harness) -> None:
    await gathering.set_intake(triagers=[TRIAGER])
    await gathering.file("Export invoices as PDF", user=BOB)
    await later(gathering, minutes=5)
    await click_card(gathering, ids.ACCEPT, 1, user=TRIAGER)
    await stored(gathering, 1, RequestStatus.ACCEPTED)
    await later(gathering, seconds=91)
    told = len(dms_to(gathering, BOB))

    # Accepted → Needs info → Accepted within the window: it ends where it started.
    await ask(gathering, 1, "Which invoices?")
    await stored(gathering, 1, RequestStatus.NEEDS_INFO)
    await click_card(gathering, ids.ACCEPT, 1, user=TRIAGER)
    await stored(gathering, 1, RequestStatus.ACCEPTED)
    await later(gathering, seconds=91)
    await later(gathering, minutes=10)
    assert [dm_text(call) for call in dms_to(gathering, BOB)[told:]] == []

    # The same round trip beside a real change: only the real change is said.
    await click_card(gathering, ids.ASSIGN, 1, user=TRIAGER, selected_user=DAVE, action_type="users_select")
    await stored(gathering, 1, RequestStatus.ACCEPTED, assignee=DAVE)
    await ask(gathering, 1, "Which invoices?")
    await stored(gathering, 1, RequestStatus.NEEDS_INFO)
    await click_card(gathering, ids.ACCEPT, 1, user=TRIAGER)
    await stored(gathering, 1, RequestStatus.ACCEPTED)
    await later(gathering, seconds=91)
    await later(gathering, minutes=10)
    [assigned] = [dm_text(call) for call in dms_to(gathering, BOB)[told:]]
    assert f"assigned *REQ-1* Export invoices as PDF to <@{DAVE}>." in assigned
    assert "Needs info" not in assigned and "Which invoices?" not in assigned
