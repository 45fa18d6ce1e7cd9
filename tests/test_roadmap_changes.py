"""What becomes of a change: the card's before → after diff for every kind of change, the item
afterwards, the requesters and followers of linked requests told what it means for them, and,
when nobody decides, the reminder and the expiry on a controlled clock."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot import text
from bot.views import ids
from storage.models import ProposalStatus, RequestStatus
from tests.fakes import Call
from tests.harness import ADMIN, ALICE, BOB, CAROL, Harness
from tests.roadmap_steps import (
    APPROVALS,
    all_votes,
    answer,
    buttons,
    card_calls,
    diff_text,
    get_item,
    get_proposal,
    get_request,
    link_to,
    live_buttons,
    notices_to,
    open_ask_modal,
    posts_to,
    propose,
    propose_add,
    roadmap_items,
    set_policy,
    shown,
    submit_comment,
    vote,
)
from tests.slack_limits import problems_in_message

DAVE = "U_DAVE"


# (the change as proposed, the card's diff, the item's fields once applied)
def day(iso: str) -> str:
    """A date in the approval diff: a token each reader sees in their own locale."""
    return text.date_token(date.fromisoformat(iso))


EVERY_KIND: list[tuple[dict[str, Any], str, dict[str, Any]]] = [
    (
        {
            "kind": "add",
            "title": "Global search",
            "description": "Search <everything>",
            "horizon": "next",
            "target_date": "2031-01-15",
            "owner": CAROL,
        },
        "*Title:* — → *Global search*\n*Description:* — → *Search &lt;everything&gt;*\n"
        f"*Horizon:* — → *Next*\n*Target date:* — → *{day('2031-01-15')}*\n*Owner:* — → *<@U_CAROL>*",
        {"title": "Global search", "horizon": "next", "target_date": date(2031, 1, 15), "owner_id": CAROL},
    ),
    (
        {"kind": "move", "item": 1, "horizon": "later"},
        "*Horizon:* Next → *Later*",
        {"horizon": "later", "target_date": date(2031, 1, 15), "status": "planned"},
    ),
    (
        {"kind": "move", "item": 1, "target_date": "2031-06-30"},
        f"*Target date:* {day('2031-01-15')} → *{day('2031-06-30')}*",
        {"horizon": "later", "target_date": date(2031, 6, 30)},
    ),
    (
        {"kind": "move", "item": 1, "horizon": "now", "target_date": "2031-02-01"},
        f"*Horizon:* Later → *Now*\n*Target date:* {day('2031-06-30')} → *{day('2031-02-01')}*",
        {"horizon": "now", "target_date": date(2031, 2, 1)},
    ),
    (
        {"kind": "rescope", "item": 1, "title": "Search everywhere", "description": "Messages & files"},
        "*Title:* Global search → *Search everywhere*\n"
        "*Description:* Search &lt;everything&gt; → *Messages &amp; files*",
        {"title": "Search everywhere", "description": "Messages & files", "horizon": "now"},
    ),
    (
        {"kind": "rescope", "item": 1, "description": "Messages, files and people"},
        "*Description:* Messages &amp; files → *Messages, files and people*",
        {"title": "Search everywhere", "description": "Messages, files and people"},
    ),
    (
        {"kind": "drop", "item": 1},
        "*Status:* Planned → *Dropped*",
        {"status": "dropped", "title": "Search everywhere", "horizon": "now", "owner_id": CAROL},
    ),
]


async def test_the_card_shows_the_diff_of_every_kind_of_change_and_the_item_follows_it(
    pmbot: Harness,
) -> None:
    await set_policy(pmbot, [BOB, DAVE], required=1)

    for number, (fields, expected, after) in enumerate(EVERY_KIND, start=1):
        await propose(pmbot, **fields)
        [card] = await pmbot.fake.wait_for(
            "chat.postMessage",
            where=lambda call, n=number: (
                call.params["channel"] == APPROVALS and call.params["text"].startswith(f"CHG-{n}: ")
            ),
        )
        assert diff_text(card) == expected, fields
        assert problems_in_message(card.params) == []

        assert await vote(pmbot, ids.APPROVE, number, BOB) == f"Approved: CHG-{number} is on the roadmap now."
        await pmbot.settled()
        item = await get_item(pmbot, 1)
        assert {name: getattr(item, name) for name in after} == after, fields
        applied = card_calls(pmbot, number)[-1]
        assert "Approved and applied" in shown(applied)
        assert diff_text(applied) == expected, "the decided card keeps the before → after"


async def test_requesters_and_followers_of_linked_requests_hear_what_the_change_means(
    pmbot: Harness,
) -> None:
    await pmbot.set_intake()
    first = await pmbot.file("Cross-project search", user=ALICE)
    second = await pmbot.file("Find old messages", user=BOB)
    await pmbot.click(ids.FOLLOW, first, user=DAVE)
    await answer(pmbot, f"{ids.FOLLOW}-{DAVE}")
    await set_policy(pmbot, [CAROL, ADMIN], required=1)
    await pmbot.settled()
    before = {user: len(posts_to(pmbot, user)) for user in (ALICE, BOB, DAVE)}

    def news(user: str) -> list[str]:
        """What `user` was told since the proposal, one text per DM."""
        return [shown(call) for call in posts_to(pmbot, user)[before[user] :]]

    await propose(pmbot, "add", user=ADMIN, title="Global search", horizon="next", linked=[first, second])
    assert await vote(pmbot, ids.APPROVE, 1, CAROL) == "Approved: CHG-1 is on the roadmap now."
    await pmbot.settled()
    [alice], [bob], [dave] = news(ALICE), news(BOB), news(DAVE)
    carol = f"<@{CAROL}>"
    plain = f"REQ-{first} Cross-project search is now Planned (was New) via CHG-1 (approved by {carol})\n"
    assert plain in alice
    assert f"(was :new: New) via CHG-1 (approved by {carol})." in alice
    assert f"\nREQ-{first} is now planned for Next as RM-1 “Global search”.\n" in alice, "pmbot's words, bare"
    assert alice.count("by <@") == alice.count("approved by <@") and "Note:" not in alice
    assert alice.count("CHG-1") == 2, "once in the fallback, once in the blocks"
    assert "you asked for it" in alice
    updates = pmbot.fake.calls_to("chat.update")
    card = [call for call in updates if call.params["text"].startswith(f"REQ-{first}")]
    said = shown(card[-1])
    assert f"Changed via CHG-1 (approved by {carol})" in said
    assert f": REQ-{first} is now planned for Next" in said
    assert "“REQ-" not in said and "changed the roadmap" not in said and said.count("CHG-1") == 1
    assert f"REQ-{first} is now planned for Next" in dave and "you follow it" in dave
    assert f"REQ-{second} is now planned for Next" in bob
    for number in (first, second):
        assert (await get_request(pmbot, number)).status == RequestStatus.PLANNED
    for call in [*posts_to(pmbot, ALICE), *posts_to(pmbot, DAVE)]:
        assert problems_in_message(call.params) == []

    # A move of the item tells the people behind the requests already linked to it.
    await propose(pmbot, "move", user=ADMIN, item=1, horizon="later", target_date="2031-03-01")
    assert await vote(pmbot, ids.APPROVE, 2, CAROL) == "Approved: CHG-2 is on the roadmap now."
    await pmbot.settled()
    moved = "plan moved from Next to Later, target Sat 1 Mar 2031 (RM-1 “Global search”).* "
    assert f"REQ-{first}'s {moved}" in news(ALICE)[-1]
    assert f"REQ-{first}'s {moved}" in news(DAVE)[-1]
    assert f"REQ-{second}'s {moved}" in news(BOB)[-1]
    assert "(was" not in news(ALICE)[-1], "a plan that moved is not a status that did not"
    assert f"Find old messages via CHG-2 (approved by {carol})." in news(BOB)[-1]

    # Dropping the item puts its requests back to accepted, without the proposer picking them again.
    await propose(pmbot, "drop", user=ADMIN, item=1)
    assert await vote(pmbot, ids.APPROVE, 3, CAROL) == "Approved: CHG-3 is on the roadmap now."
    await pmbot.settled()
    for number, user in ((first, ALICE), (first, DAVE), (second, BOB)):
        assert f"was dropped from the roadmap; REQ-{number} is back in the backlog" in news(user)[-1]
        assert "via CHG-3" in news(user)[-1]
        assert (await get_request(pmbot, number)).status == RequestStatus.ACCEPTED
    assert len(news(ALICE)) == len(news(DAVE)) == len(news(BOB)) == 3


async def test_approvers_are_reminded_once_after_two_days_and_the_proposal_expires_after_seven(
    pmbot: Harness,
) -> None:
    await set_policy(pmbot, [BOB, CAROL, ADMIN], required=2)
    await propose_add(pmbot, "Webhooks")
    await pmbot.settled()
    assert await vote(pmbot, ids.APPROVE, 1, BOB) == "Approved; 1 more approval needed."
    await pmbot.settled()
    sweep = pmbot.services.roadmap.sweep

    def reminders() -> list[Call]:
        calls = pmbot.fake.calls_to("chat.postMessage")
        return [call for call in calls if call.params["text"] == "CHG-1 waits for your vote"]

    assert await sweep() == 0
    pmbot.clock.advance(days=2, minutes=1)
    assert await sweep() == 1
    await pmbot.settled()
    assert sorted(call.params["channel"] for call in reminders()) == [ADMIN, CAROL]
    for call in reminders():
        assert buttons(call) == [] and problems_in_message(call.params) == []
    assert await sweep() == 0
    await pmbot.settled()
    assert len(reminders()) == 2

    pmbot.clock.advance(days=5)
    assert await sweep() == 1
    await pmbot.settled()
    assert (await get_proposal(pmbot, 1)).status == ProposalStatus.EXPIRED
    [told] = notices_to(pmbot, ALICE)
    assert "expired before enough approvers approved it" in shown(told) and "No quorum" not in shown(told)
    final = card_calls(pmbot, 1)[-1]
    assert "Expired without a quorum" in shown(final) and buttons(final) == []
    assert await vote(pmbot, ids.APPROVE, 1, CAROL) == "CHG-1 expired; nothing changed."
    assert await roadmap_items(pmbot) == []

    # A click after the expiry, before any sweep, expires the proposal itself.
    await propose_add(pmbot, "Webhooks, again")
    await pmbot.settled()
    pmbot.clock.advance(days=8)
    assert await vote(pmbot, ids.APPROVE, 2, CAROL) == "CHG-2 expired; nothing changed."
    await pmbot.settled()
    assert (await get_proposal(pmbot, 2)).status == ProposalStatus.EXPIRED
    assert await all_votes(pmbot, 2) == [] and await roadmap_items(pmbot) == []
    assert "CHG-2 expired" in notices_to(pmbot, ALICE)[-1].params["text"]


async def test_a_reminder_links_to_the_approvers_own_card_and_no_dm_keeps_buttons_after_expiry(
    pmbot: Harness,
) -> None:
    await set_policy(pmbot, [BOB, CAROL, ADMIN], required=2)
    await propose_add(pmbot, "Webhooks")
    await pmbot.settled()
    pmbot.clock.advance(days=2, minutes=1)
    assert await pmbot.services.roadmap.sweep() == 1
    await pmbot.settled()

    [copy] = [call for call in card_calls(pmbot, 1, "chat.postMessage") if call.params["channel"] == CAROL]
    [reminder] = [call for call in posts_to(pmbot, CAROL) if call.params["text"].endswith("for your vote")]
    assert f"Vote on <{link_to(copy)}|its card>." in shown(reminder), shown(reminder)
    assert "*CHG-1* Add “Webhooks” waits for your vote; it expires <!date^" in shown(reminder)
    assert buttons(reminder) == [] and problems_in_message(reminder.params) == []

    pmbot.clock.advance(days=5)
    assert await pmbot.services.roadmap.sweep() == 1
    await pmbot.settled()
    for approver in (BOB, CAROL, ADMIN):
        assert live_buttons(pmbot, approver) == {}, "every DM with buttons now reads as expired"
    assert "Expired without a quorum" in shown(card_calls(pmbot, 1)[-1])


def status_line(call: Call) -> str:
    """The card's status: its context block."""
    [context] = [block for block in call.params["blocks"] if block["type"] == "context"]
    return str(context["elements"][0]["text"])


async def test_decided_cards_read_as_closed_and_the_expiry_dm_says_what_to_do(pmbot: Harness) -> None:
    await set_policy(pmbot, [BOB, CAROL, ADMIN], required=2)
    await propose_add(pmbot, "Webhooks")
    await propose_add(pmbot, "Blockchain")
    await pmbot.settled()
    view = await open_ask_modal(pmbot, ids.REJECT, 2, user=BOB)
    assert (await submit_comment(pmbot, view, "Not our <strategy>", user=BOB)).text in ("", "{}")
    pmbot.clock.advance(days=8)
    assert await pmbot.services.roadmap.sweep() == 1
    await pmbot.settled()

    def channel_card(number: int) -> Call:
        return [call for call in card_calls(pmbot, number) if call.params["channel"] == APPROVALS][-1]

    assert status_line(channel_card(1)) == ":hourglass: Expired without a quorum · no approvals (0/2)"
    assert status_line(channel_card(2)) == ":x: Rejected by <@U_BOB>: “Not our &lt;strategy&gt;”"
    [expired] = [call for call in notices_to(pmbot, ALICE) if "expired" in call.params["text"]]
    assert shown(expired).endswith("If it is still wanted, propose it again with `/roadmap propose`.")
    assert "pmbot" not in shown(expired) and problems_in_message(expired.params) == []
