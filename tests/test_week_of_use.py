"""A week of pmbot as four people use it, over HTTP, then every text the fake Slack received read
as a person would: nothing escaped twice, nothing live that a person typed, no internals, no user
ids in plain text, no "(s)", no ISO dates in mrkdwn, and every message with its fallback text."""

from __future__ import annotations

import json
import re
from typing import Any

from bot.views import ids
from storage.models import RequestStatus
from tests.digest_schedule_steps import digest, subscribe
from tests.fakes import payloads
from tests.harness import ADMIN, ALICE, BOB, CAROL, DAVE, SECRET, Harness, card_calls
from tests.home_steps import open_home
from tests.launch_steps import click, create_launch, items_of, launch_command, tick
from tests.roadmap_steps import get_request, propose, set_policy, vote
from tests.text_checks import everything_shown, messages_without_fallback, problems

TEAM_CHANNEL = "C_TEAM"
SALES = "C_SALES"
EXPORT = "Roadmap export: owners & dates"
HOSTILE = "<!channel> Dark mode <https://evil|x> *bold*"
SHARED = "Can we get SSO for the admin console? <@U_DAVE> asked twice &lt;3 <!here>"


async def test_a_week_of_use_reads_well_everywhere(pmbot: Harness) -> None:
    fake = pmbot.fake
    for user, name in ((ALICE, "Alice"), (BOB, "Bob"), (CAROL, "Carol"), (DAVE, "Dana"), (ADMIN, "Maya")):
        fake.users[user]["profile"]["display_name"] = name

    # Monday: the admin sets pmbot up.
    await pmbot.set_intake()
    await set_policy(pmbot, [BOB, DAVE, CAROL], required=2)
    await subscribe(pmbot, TEAM_CHANNEL, zone="Europe/Berlin")

    # Filings: a quick one with an ampersand, a hostile one, and a message filed for its author.
    export = await pmbot.file(EXPORT, user=ALICE)
    await pmbot.file(HOSTILE, user=BOB)
    shared = await _file_message(pmbot, author=CAROL, filer=ALICE, text=SHARED)
    await pmbot.settled()
    stored = await get_request(pmbot, export)
    assert stored.title == EXPORT, "stored as the person typed it"
    shared_request = await get_request(pmbot, shared)
    assert shared_request.title == "Can we get SSO for the admin console?"
    assert (shared_request.requester_id, shared_request.filed_by_id) == (CAROL, ALICE)
    assert "<@U_DAVE>" in shared_request.description and "<!here>" not in shared_request.description
    card = card_calls(fake, shared)[-1]
    assert "<@U_DAVE>" in str(card.params["blocks"]), "a filed mention stays a mention on the card"

    # Triage: accept, ask, assign.
    await _click_card(pmbot, ids.ACCEPT, export, user=ADMIN)
    await _click_card(pmbot, ids.ACCEPT, shared, user=ADMIN)
    await _click_card(pmbot, ids.ASSIGN, export, user=ADMIN, selected_user=DAVE, action_type="users_select")
    await pmbot.settled()
    assert (await get_request(pmbot, export)).status == RequestStatus.ACCEPTED
    assert _dms(pmbot, CAROL), "the message's author hears about her request like any requester"

    # A roadmap proposal, approved by quorum, plans the export.
    await propose(
        pmbot, "add", user=ALICE, title="Exports & reports <!here>", horizon="next", linked=[export]
    )
    await vote(pmbot, ids.APPROVE, 1, BOB)
    await vote(pmbot, ids.APPROVE, 1, DAVE)
    await pmbot.settled()
    assert (await get_request(pmbot, export)).status == RequestStatus.PLANNED

    # Reading: histories, lists, the roadmap, Home, and words that match nothing.
    history = await pmbot.command(f"REQ-{export}", user=ALICE)
    said = str(history.json())
    assert f"Assigned to <@{DAVE}>" in said and "via CHG-1 (approved by <@U_BOB>, <@U_DAVE>)" in said
    await pmbot.command("list mine", user=ALICE)
    await pmbot.command("RM-1", command="/roadmap", user=ALICE)
    await pmbot.command("<!here> nothing like it", command="/roadmap", user=ALICE)
    await launch_command(pmbot, "<!channel> nothing <https://evil|x>")
    for user in (ALICE, CAROL, ADMIN):
        await open_home(pmbot, user)
    for picker, typed in ((ids.REQUEST_PICKER, "owners"), (ids.ITEM_PICKER, "exports")):
        suggested = await pmbot.send(
            payloads.block_suggestion(SECRET, action_id=picker, value=typed, user_id=ALICE)
        )
        assert suggested.json()["options"], picker
    options = [o["text"]["text"] for o in pmbot.answers[-2]["options"]]
    assert f"REQ-{export} {EXPORT}" in options, "plain_text shows the title as typed"

    # A launch: its checklist ticked, then launched.
    launch = await create_launch(pmbot, "Exports <v1> & more <!channel>", days=10, deciders=[BOB])
    first = (await items_of(pmbot, launch.number))[0]
    await tick(pmbot, launch, first.id or 0, user=ALICE)
    await click(pmbot, ids.LAUNCH_MARK_LAUNCHED, launch, user=ALICE)
    await pmbot.settled()

    # Friday: the digest.
    pmbot.clock.advance(hours=2)
    await digest(pmbot, "now", channel=TEAM_CHANNEL)
    await fake.wait_for("chat.postMessage", where=lambda call: call.params["channel"] == TEAM_CHANNEL)
    await pmbot.settled()

    shown = everything_shown(fake, pmbot.answers)
    assert messages_without_fallback(fake, pmbot.answers) == []
    found = problems(shown)
    assert found == [], "\n".join(found)
    readable = [item.text for item in shown]
    assert any("owners &amp; dates" in said for said in readable), "escaped once in mrkdwn"
    assert any("owners & dates" in said for said in readable), "as typed in plain_text"
    print(f"\nDMs to the requester of {EXPORT!r} (Alice): {len(_dms(pmbot, ALICE))}")
    print(f"DMs to the author of the filed message (Carol): {len(_dms(pmbot, CAROL))}")


async def _file_message(pmbot: Harness, *, author: str, filer: str, text: str) -> int:
    """Run "File as request" on `author`'s message and submit the modal as it was pre-filled."""
    message = {"user": author, "ts": "1700000100.000200", "text": text}
    await pmbot.send(
        payloads.message_shortcut(
            SECRET, callback_id=ids.FILE_AS_REQUEST, message=message, channel_id=SALES, user_id=filer
        )
    )
    [opened] = await pmbot.fake.wait_for("views.open")
    view = opened.params["view"]
    initial = {
        block["block_id"]: block["element"].get("initial_value")
        for block in view["blocks"]
        if "element" in block
    }
    values = {
        ids.TITLE: {ids.VALUE: payloads.plain_text(initial[ids.TITLE])},
        ids.DESCRIPTION: {ids.VALUE: payloads.plain_text(initial[ids.DESCRIPTION])},
        ids.KIND: {ids.VALUE: payloads.static_select("feature")},
        ids.IMPACT: {ids.VALUE: payloads.static_select("medium")},
        ids.ON_BEHALF_OF: {ids.VALUE: payloads.plain_text(None)},
        ids.NEEDED_BY: {ids.VALUE: payloads.datepicker(None)},
    }
    response = await pmbot.submit(
        ids.REQUEST_MODAL, values, user=filer, private_metadata=view["private_metadata"]
    )
    assert response.json()["response_action"] == "update", response.text
    await pmbot.settled()
    [number] = re.findall(r"REQ-(\d+)", json.dumps(response.json()["view"]))[:1]
    return int(number)


async def _click_card(pmbot: Harness, action_id: str, number: int, *, user: str, **fields: Any) -> None:
    request = await get_request(pmbot, number)
    message = pmbot.fake.messages[(request.card_channel_id or "", request.card_ts or "")]
    response = await pmbot.click(action_id, number, user=user, message=message, **fields)
    assert response.status_code == 200, response.text
    await pmbot.settled()


def _dms(pmbot: Harness, user: str) -> list[Any]:
    return [
        call
        for call in pmbot.fake.calls_to("chat.postMessage")
        if call.params.get("channel") == user and not call.failed
    ]
