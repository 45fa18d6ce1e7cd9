"""Approving roadmap changes: quorum, concurrent clicks (in one process and in two), who may vote,
request changes and resubmit, reject, withdraw, and clicks on decided proposals."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.views import ids
from storage.models import ProposalStatus, ProposalVote, VoteChoice
from tests.fakes import Call
from tests.harness import ADMIN, ALICE, BOB, CAROL, Harness, build_harness, opened_metadata
from tests.roadmap_steps import (
    ANNOUNCE,
    APPROVALS,
    TEAM,
    all_votes,
    answer,
    audit_actions,
    buttons,
    card_calls,
    change,
    click,
    get_proposal,
    latest_messages,
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
    submit_change,
    submit_comment,
    vote,
)
from tests.slack_limits import problems_in_message, problems_in_view

DAVE, ERIN = "U_DAVE", "U_ERIN"
WORKSPACE_URL = "https://acme.slack.com/"  # the fake Slack's auth.test
PENDING_BUTTONS = [ids.APPROVE, ids.REJECT, ids.REQUEST_CHANGES, ids.WITHDRAW]
VOTE_BUTTONS = [ids.APPROVE, ids.REJECT, ids.REQUEST_CHANGES]  # an approver's own copy
PROPOSER_BUTTONS = [ids.WITHDRAW]  # the proposer's own copy, when no approvals channel has the card
APPLIED = "Approved: CHG-{n} is on the roadmap now."
ONE_MORE = "Approved; 1 more approval needed."


async def cards_at(pmbot: Harness, number: int, targets: list[str]) -> set[tuple[str, str]]:
    """Wait for CHG-<number>'s card at every target; returns where each landed (channel, ts)."""
    posts = await pmbot.fake.wait_for(
        "chat.postMessage",
        count=len(targets),
        where=lambda call: call.params.get("text", "").startswith(f"CHG-{number}: "),
    )
    assert sorted(call.params["channel"] for call in posts) == sorted(targets)
    for call in posts:
        channel = call.params["channel"]
        mine = (
            PENDING_BUTTONS
            if channel == APPROVALS
            else ([] if APPROVALS in targets else PROPOSER_BUTTONS)  # with a channel: a link, no copy
            if channel == ALICE
            else VOTE_BUTTONS
        )
        assert problems_in_message(call.params) == [] and buttons(call) == mine, channel
    return {(call.response["channel"], call.response["ts"]) for call in posts}


def _notice_to(call: Call, user: str) -> bool:
    """A DM to `user` that is not their copy of a card (`CHG-n: …`)."""
    return call.params["channel"] == user and ": " not in call.params.get("text", "").split(" ", 1)[0] + " "


def where(calls: list[Call]) -> set[tuple[str, str]]:
    return {(call.params["channel"], call.params["ts"]) for call in calls}


async def test_quorum_of_two_of_three_applies_at_the_second_approval_updating_every_card(
    pmbot: Harness,
) -> None:
    await set_policy(pmbot, [BOB, CAROL, ADMIN], required=2)
    await propose_add(pmbot, "Global search")
    posted = await cards_at(pmbot, 1, [APPROVALS, BOB, CAROL, ADMIN, ALICE])
    await pmbot.settled()
    # The card is in the approvals channel: the proposer reads where it is, not a copy of it.
    posts = card_calls(pmbot, 1, "chat.postMessage")
    [confirmation] = [call for call in posts if call.params["channel"] == ALICE]
    [channel_card] = [call for call in posts if call.params["channel"] == APPROVALS]
    link = f"{WORKSPACE_URL}archives/{APPROVALS}/p{channel_card.response['ts'].replace('.', '')}"
    assert shown(confirmation).endswith(
        f"You proposed *CHG-1* Add “Global search”. Approvers vote on <{link}|its card> in <#{APPROVALS}>; "
        "you can withdraw it there. You will hear here when it is decided."
    )
    assert len(confirmation.params["blocks"]) == 1 and problems_in_message(confirmation.params) == []
    cards = {spot for spot in posted if spot[0] != confirmation.response["channel"]}

    assert await vote(pmbot, ids.APPROVE, 1, BOB) == ONE_MORE
    await pmbot.settled()
    assert await roadmap_items(pmbot) == []
    first = card_calls(pmbot, 1)
    assert len(first) == 4 and where(first) == cards, "the proposer's DM is not a copy to update"
    for call in first:
        assert "approved by <@U_BOB> (1/2)" in shown(call)
        assert "can still vote: <@U_ADMIN> <@U_CAROL>" in shown(call)
        # Bob's own copy shows no votes once he voted: his vote is cast.
        mine = {APPROVALS: PENDING_BUTTONS, "D" + BOB: []}.get(call.params["channel"], VOTE_BUTTONS)
        assert buttons(call) == mine and problems_in_message(call.params) == []

    assert await vote(pmbot, ids.APPROVE, 1, CAROL) == APPLIED.format(n=1)
    await pmbot.settled()
    [item] = await roadmap_items(pmbot)
    assert (item.title, item.horizon, item.status) == ("Global search", "next", "planned")
    final = card_calls(pmbot, 1)[4:]
    assert len(final) == 4 and where(final) == cards
    for call in final:
        assert "Approved and applied" in shown(call) and "(2/2)" in shown(call)
        assert buttons(call) == []
    assert len(card_calls(pmbot, 1, "chat.postMessage")) == 5, "cards are updated, never posted again"
    [told] = notices_to(pmbot, ALICE)
    assert "CHG-1" in told.params["text"] and "approved" in told.params["text"]


async def test_without_an_approvals_channel_the_proposer_keeps_a_copy_to_withdraw(pmbot: Harness) -> None:
    await set_policy(pmbot, [BOB, CAROL], required=1, channels=False)
    await propose_add(pmbot, "Global search")
    await cards_at(pmbot, 1, [BOB, CAROL, ALICE])
    await pmbot.settled()
    assert await vote(pmbot, ids.WITHDRAW, 1, ALICE) == "You withdrew CHG-1."
    await pmbot.settled()
    updated = {call.params["channel"] for call in card_calls(pmbot, 1)}
    assert updated == {"D" + BOB, "D" + CAROL, "D" + ALICE}, "every copy says it was withdrawn"


async def test_five_approvers_clicking_at_once_apply_and_announce_exactly_once(pmbot: Harness) -> None:
    pmbot.fake.add_user(DAVE)
    pmbot.fake.add_user(ERIN)
    voters = [BOB, CAROL, ADMIN, DAVE, ERIN]
    await set_policy(pmbot, voters, required=3)
    proposals = [
        lambda: propose_add(pmbot, "Offline mode"),
        lambda: propose(pmbot, "move", item=1, horizon="now"),
    ]

    for number, make in enumerate(proposals, start=1):
        await make()
        await pmbot.settled()
        names = await asyncio.gather(*(click(pmbot, ids.APPROVE, number, user=user) for user in voters))
        said = [await answer(pmbot, name) for name in names]
        await pmbot.settled()

        assert said.count(APPLIED.format(n=number)) == 1, said
        assert said.count(ONE_MORE) + said.count("Approved; 2 more approvals needed.") == 2, said
        assert said.count(f"CHG-{number} was approved and applied; nothing changed.") == 2, said
        assert len(await all_votes(pmbot, number)) == 3
        assert (await get_proposal(pmbot, number)).status == ProposalStatus.APPROVED
        assert len(posts_to(pmbot, ANNOUNCE)) == number

    [item] = await roadmap_items(pmbot)
    assert item.horizon == "now"
    assert await audit_actions(pmbot, "roadmap_item", item.id or 0) == ["add_applied", "move_applied"]
    [added, moved] = posts_to(pmbot, ANNOUNCE)
    assert "CHG-1" in added.params["text"] and "CHG-2" in moved.params["text"]
    assert len([call for call in posts_to(pmbot, ALICE) if "approved" in call.params["text"]]) == 2


async def test_two_replicas_on_one_database_apply_and_announce_once(
    pmbot: Harness, database_url: str
) -> None:
    replica = await build_harness(pmbot.fake, database_url, pmbot.clock)  # a second process's services
    try:
        voters = [BOB, CAROL, ADMIN, DAVE]
        await set_policy(pmbot, voters, required=2)
        await propose_add(pmbot, "Audit export")
        await pmbot.settled()
        names = await asyncio.gather(
            *(click((pmbot, replica)[n % 2], ids.APPROVE, 1, user=user) for n, user in enumerate(voters))
        )
        said = [await answer(pmbot, name) for name in names]
        await pmbot.settled()
        await replica.settled()
    finally:
        await replica.http.aclose()
        await replica.services.stop()

    assert said.count(APPLIED.format(n=1)) == 1, said
    [item] = await roadmap_items(pmbot)
    assert await audit_actions(pmbot, "roadmap_item", item.id or 0) == ["add_applied"]
    assert len(await all_votes(pmbot, 1)) == 2 and len(posts_to(pmbot, ANNOUNCE)) == 1
    assert len(card_calls(pmbot, 1, "chat.postMessage")) == 6, "each card posted once, by one replica"


async def test_a_double_click_counts_once_because_the_database_allows_one_vote(pmbot: Harness) -> None:
    await set_policy(pmbot, [BOB, CAROL, DAVE], required=2)
    await propose_add(pmbot, "Dark mode")
    await pmbot.settled()

    names = await asyncio.gather(*(click(pmbot, ids.APPROVE, 1, user=BOB) for _ in range(2)))
    said = sorted([await answer(pmbot, name) for name in names])

    assert said == [ONE_MORE, "You already voted on CHG-1."]
    [only] = await all_votes(pmbot, 1)
    assert (only.approver_id, only.choice, only.revision) == (BOB, VoteChoice.APPROVE, 1)
    assert (await get_proposal(pmbot, 1)).status == ProposalStatus.PENDING
    assert await roadmap_items(pmbot) == []
    proposal = await get_proposal(pmbot, 1)

    async def second_vote(session: AsyncSession) -> None:
        session.add(
            ProposalVote(
                proposal_id=proposal.id or 0, team_id=TEAM, approver_id=BOB, revision=1, choice="reject"
            )
        )
        await session.flush()

    with pytest.raises(IntegrityError):
        await pmbot.services.writer.run(second_vote)


async def test_the_proposer_and_non_approvers_are_refused_and_no_vote_is_stored(pmbot: Harness) -> None:
    await set_policy(pmbot, [ALICE, BOB], required=1)
    await propose_add(pmbot, "Audit log")
    await cards_at(pmbot, 1, [APPROVALS, BOB, ALICE])  # the proposer's own copy has no vote buttons
    await pmbot.settled()

    assert "You proposed this change, so your vote does not count" in await vote(pmbot, ids.APPROVE, 1, ALICE)
    assert "Only approvers can vote" in await vote(pmbot, ids.APPROVE, 1, CAROL)
    refusal = await open_ask_modal(pmbot, ids.REJECT, 1, user=CAROL)  # refused before typing a reason
    assert "Only approvers can vote" in json.dumps(refusal) and "callback_id" not in refusal
    opened_earlier = {"callback_id": ids.REJECT_MODAL, "private_metadata": '{"number": 1}'}
    refused = await submit_comment(pmbot, opened_earlier, "I do not like it", user=CAROL)
    assert "Only approvers can vote" in refused.json()["errors"][ids.COMMENT]
    await pmbot.settled()

    assert await all_votes(pmbot, 1) == []
    assert (await get_proposal(pmbot, 1)).status == ProposalStatus.PENDING
    assert await roadmap_items(pmbot) == [] and card_calls(pmbot, 1) == []


async def test_while_no_approvers_are_named_a_workspace_admin_approves(pmbot: Harness) -> None:
    await set_policy(pmbot, [], required=1)
    await propose_add(pmbot, "Single sign-on")
    [card] = await pmbot.fake.wait_for(
        "chat.postMessage", where=lambda call: call.params["channel"] == APPROVALS
    )
    assert "any workspace admin can vote" in shown(card)
    await pmbot.settled()

    assert "Only approvers can vote" in await vote(pmbot, ids.APPROVE, 1, BOB)
    assert await vote(pmbot, ids.APPROVE, 1, ADMIN) == APPLIED.format(n=1)
    await pmbot.settled()
    [item] = await roadmap_items(pmbot)
    assert item.title == "Single sign-on"

    await propose_add(pmbot, "SCIM", user=ADMIN)
    assert "You proposed this change" in await vote(pmbot, ids.APPROVE, 2, ADMIN)


async def test_request_changes_then_resubmit_clears_the_votes(pmbot: Harness) -> None:
    await set_policy(pmbot, [BOB, CAROL, ADMIN], required=2)
    await propose_add(pmbot, "Global serach")
    await pmbot.settled()
    assert await vote(pmbot, ids.APPROVE, 1, BOB) == ONE_MORE

    view = await open_ask_modal(pmbot, ids.REQUEST_CHANGES, 1, user=CAROL)
    assert view["callback_id"] == ids.CHANGES_MODAL and problems_in_view(view) == []
    empty = await submit_comment(pmbot, view, "   ", user=CAROL)
    assert empty.json() == {"response_action": "errors", "errors": {ids.COMMENT: "Say what should change."}}
    assert (await get_proposal(pmbot, 1)).status == ProposalStatus.PENDING
    sent = await submit_comment(pmbot, view, "Fix the typo & <link> the request", user=CAROL)
    assert sent.text in ("", "{}"), sent.text

    [dm] = await pmbot.fake.wait_for("chat.postMessage", where=lambda call: _notice_to(call, ALICE))
    assert "needs changes" in shown(dm) and "Fix the typo &amp; &lt;link&gt; the request" in shown(dm)
    assert buttons(dm) == [] and problems_in_message(dm.params) == []  # the card keeps the moves
    await pmbot.settled()
    assert (await get_proposal(pmbot, 1)).status == ProposalStatus.CHANGES_REQUESTED
    assert "Changes requested" in shown(card_calls(pmbot, 1)[-1])
    assert (
        await vote(pmbot, ids.APPROVE, 1, ADMIN) == "CHG-1 waits for its proposer's changes; nothing changed."
    )

    before = len(pmbot.fake.calls_to("views.update"))
    await click(pmbot, ids.RESUBMIT, 1, user=BOB, channel=APPROVALS)
    refusal = (await pmbot.fake.wait_for("views.update", count=before + 1))[-1]
    assert "who proposed CHG-1, can do that" in json.dumps(refusal.params["view"])
    await click(pmbot, ids.RESUBMIT, 1, user=ALICE, channel="DU_ALICE")
    modal = (await pmbot.fake.wait_for("views.update", count=before + 2))[-1].params["view"]
    assert modal["callback_id"] == ids.PROPOSE_MODAL and problems_in_view(modal) == []
    assert json.loads(opened_metadata(modal)) == {"number": 1}
    assert "Global serach" in json.dumps(modal["blocks"])

    number = json.loads(opened_metadata(modal))["number"]
    fixed = change("add", title="Global search", horizon="next", rationale="Typo fixed")
    response = await submit_change(pmbot, fixed, resubmit=number)
    assert response.text in ("", "{}"), response.text
    await pmbot.settled()
    proposal = await get_proposal(pmbot, 1)
    assert (proposal.status, proposal.revision, proposal.changes["title"]) == ("pending", 2, "Global search")
    latest = [call for call in card_calls(pmbot, 1) if call.params["channel"] == APPROVALS][-1]
    assert "Waiting for approvals" in shown(latest) and "(0/2)" in shown(latest)
    assert buttons(latest) == PENDING_BUTTONS

    # Bob's approval of the first revision no longer counts: Carol's alone does not reach the quorum.
    assert await vote(pmbot, ids.APPROVE, 1, CAROL) == ONE_MORE
    assert await roadmap_items(pmbot) == []
    assert await vote(pmbot, ids.APPROVE, 1, BOB) == APPLIED.format(n=1)
    [item] = await roadmap_items(pmbot)
    assert item.title == "Global search"
    votes = [(v.revision, v.approver_id, v.choice) for v in await all_votes(pmbot, 1)]
    assert votes == [
        (1, BOB, "approve"),
        (1, CAROL, "request_changes"),
        (2, CAROL, "approve"),
        (2, BOB, "approve"),
    ]


async def test_reject_needs_a_reason_and_later_clicks_only_hear_the_final_state(pmbot: Harness) -> None:
    await set_policy(pmbot, [BOB, CAROL, DAVE], required=2)
    await propose_add(pmbot, "Blockchain")
    await pmbot.settled()

    view = await open_ask_modal(pmbot, ids.REJECT, 1, user=BOB)
    assert view["callback_id"] == ids.REJECT_MODAL and problems_in_view(view) == []
    assert "One rejection ends it for every approver" in json.dumps(view)  # said before it is final
    empty = await submit_comment(pmbot, view, "", user=BOB)
    assert empty.json() == {"response_action": "errors", "errors": {ids.COMMENT: "Say why it is rejected."}}
    assert (await submit_comment(pmbot, view, "Not our <strategy>", user=BOB)).text in ("", "{}")
    [dm] = await pmbot.fake.wait_for("chat.postMessage", where=lambda call: _notice_to(call, ALICE))
    assert "was rejected" in shown(dm) and "Not our &lt;strategy&gt;" in shown(dm)
    assert "To try again with changes, propose it anew with `/roadmap propose`." in shown(dm)
    await pmbot.settled()
    final = card_calls(pmbot, 1)[-1]
    assert "Rejected" in shown(final) and buttons(final) == []
    updates = len(pmbot.fake.calls_to("chat.update"))

    assert await vote(pmbot, ids.APPROVE, 1, CAROL) == "CHG-1 was rejected; nothing changed."
    late = await open_ask_modal(pmbot, ids.REQUEST_CHANGES, 1, user=CAROL)
    assert "CHG-1 was rejected; nothing changed." in json.dumps(late)  # said before typing anything
    opened_earlier = {"callback_id": ids.CHANGES_MODAL, "private_metadata": '{"number": 1}'}
    too_late = await submit_comment(pmbot, opened_earlier, "Rename it", user=CAROL)
    assert too_late.json()["errors"] == {ids.COMMENT: "CHG-1 was rejected; nothing changed."}
    assert "CHG-1 was rejected; nothing changed." in await vote(pmbot, ids.WITHDRAW, 1, ALICE)
    await pmbot.settled()
    assert [(v.approver_id, v.choice) for v in await all_votes(pmbot, 1)] == [(BOB, "reject")]
    assert (await get_proposal(pmbot, 1)).status == ProposalStatus.REJECTED
    assert await roadmap_items(pmbot) == [] and len(pmbot.fake.calls_to("chat.update")) == updates
    assert len(notices_to(pmbot, ALICE)) == 1


async def test_only_the_proposer_withdraws(pmbot: Harness) -> None:
    await set_policy(pmbot, [BOB, DAVE], required=1)
    await propose_add(pmbot, "Kanban board")
    await pmbot.settled()

    assert "Only <@U_ALICE>, who proposed CHG-1, can do that" in await vote(pmbot, ids.WITHDRAW, 1, BOB)
    assert await vote(pmbot, ids.WITHDRAW, 1, ALICE) == "You withdrew CHG-1."
    await pmbot.settled()
    final = card_calls(pmbot, 1)[-1]
    assert "Withdrawn" in shown(final) and buttons(final) == []
    assert await vote(pmbot, ids.APPROVE, 1, BOB) == "CHG-1 was withdrawn; nothing changed."
    assert (await get_proposal(pmbot, 1)).status == ProposalStatus.WITHDRAWN
    assert await all_votes(pmbot, 1) == [] and await roadmap_items(pmbot) == []


async def test_the_changes_requested_dm_links_to_the_card_and_a_late_resubmit_click_says_why(
    pmbot: Harness,
) -> None:
    await set_policy(pmbot, [BOB, CAROL], required=1)
    await propose_add(pmbot, "Global serach")
    await pmbot.settled()
    view = await open_ask_modal(pmbot, ids.REQUEST_CHANGES, 1, user=CAROL)
    assert (await submit_comment(pmbot, view, "Fix the typo", user=CAROL)).text in ("", "{}")
    await pmbot.settled()

    [dm] = [call for call in notices_to(pmbot, ALICE) if "needs changes" in call.params["text"]]
    [card] = [
        call for call in card_calls(pmbot, 1, "chat.postMessage") if call.params["channel"] == APPROVALS
    ]
    assert f"Edit and resubmit it, or withdraw it, from <{link_to(card)}|its card>." in shown(dm), shown(dm)
    assert buttons(dm) == [] and live_buttons(pmbot, ALICE) == {}
    assert buttons(latest_messages(pmbot)[(APPROVALS, card.response["ts"])]) == [ids.RESUBMIT, ids.WITHDRAW]

    fixed = change("add", title="Global search", horizon="next", rationale="Typo fixed")
    assert (await submit_change(pmbot, fixed, resubmit=1)).text in ("", "{}")
    await pmbot.settled()
    assert buttons(latest_messages(pmbot)[(APPROVALS, card.response["ts"])]) == PENDING_BUTTONS
    late = await open_ask_modal(pmbot, ids.RESUBMIT, 1, user=ALICE)  # a second click, or an old tab
    assert "CHG-1 was resubmitted and waits for approvers' votes; nothing changed." in json.dumps(late)
    assert "pending;" not in json.dumps(late)


async def test_an_approver_who_voted_sees_no_votes_on_her_copy_and_is_refused_before_a_reason_form(
    pmbot: Harness,
) -> None:
    await set_policy(pmbot, [BOB, CAROL, DAVE], required=2)
    await propose_add(pmbot, "Dark mode")
    await pmbot.settled()
    assert await vote(pmbot, ids.APPROVE, 1, CAROL) == ONE_MORE
    await pmbot.settled()

    copies = {call.params["channel"]: call for call in card_calls(pmbot, 1)}
    assert buttons(copies["D" + CAROL]) == [] and "approved by <@U_CAROL> (1/2)" in shown(copies["D" + CAROL])
    assert buttons(copies["D" + BOB]) == VOTE_BUTTONS and buttons(copies[APPROVALS]) == PENDING_BUTTONS
    for action_id in (ids.REJECT, ids.REQUEST_CHANGES):  # from the channel's card, or an old tab
        refusal = await open_ask_modal(pmbot, action_id, 1, user=CAROL)
        assert "callback_id" not in refusal, "no reason form to fill in for nothing"
        assert "You already voted on CHG-1." in json.dumps(refusal)
    assert await vote(pmbot, ids.APPROVE, 1, CAROL) == "You already voted on CHG-1."
    await pmbot.settled()
    assert [(v.approver_id, v.choice) for v in await all_votes(pmbot, 1)] == [(CAROL, "approve")]
    assert (await get_proposal(pmbot, 1)).status == ProposalStatus.PENDING


async def test_a_resubmission_tells_each_approver_once_and_the_card_shows_its_revision(
    pmbot: Harness,
) -> None:
    await set_policy(pmbot, [BOB, CAROL, DAVE], required=2)
    await propose_add(pmbot, "Global serach")
    await pmbot.settled()
    assert await vote(pmbot, ids.APPROVE, 1, BOB) == ONE_MORE
    view = await open_ask_modal(pmbot, ids.REQUEST_CHANGES, 1, user=CAROL)
    assert (await submit_comment(pmbot, view, "Fix the typo & <retry>", user=CAROL)).text in ("", "{}")
    await pmbot.settled()

    form = await open_ask_modal(pmbot, ids.RESUBMIT, 1, user=ALICE)  # the form shows what it answers
    assert form["callback_id"] == ids.PROPOSE_MODAL and problems_in_view(form) == []
    assert (
        form["blocks"][0]["text"]["text"]
        == "*<@U_CAROL> asked for changes:* “Fix the typo &amp; &lt;retry&gt;”"
    )
    fixed = change("add", title="Global search", horizon="next", rationale="Typo fixed")
    assert (await submit_change(pmbot, fixed, resubmit=1)).text in ("", "{}")
    await pmbot.settled()

    def told(user: str) -> list[Call]:
        return [call for call in posts_to(pmbot, user) if "resubmitted" in call.params["text"]]

    copies = {call.params["channel"]: call for call in card_calls(pmbot, 1, "chat.postMessage")}
    for approver in (BOB, CAROL, DAVE):
        [dm] = told(approver)
        assert dm.params["text"] == "CHG-1 was resubmitted and needs your vote again"
        assert "resubmitted *CHG-1* Add “Global search” as revision 2" in shown(dm), shown(dm)
        assert f"vote on <{link_to(copies[approver])}|its card> before it expires <!date^" in shown(dm)
        assert "It answers <@U_CAROL>'s request for changes: “Fix the typo &amp; &lt;retry&gt;”" in shown(dm)
        assert buttons(dm) == [] and problems_in_message(dm.params) == []
    assert told(ALICE) == []
    card = latest_messages(pmbot)[(APPROVALS, copies[APPROVALS].response["ts"])]
    assert "Waiting for approvals · revision 2, resubmitted <!date^" in shown(card), shown(card)
    assert "Fix the typo" not in shown(card), "the answered comment is not the card's news any more"
    assert buttons(latest_messages(pmbot)[("D" + BOB, copies[BOB].response["ts"])]) == VOTE_BUTTONS

    assert await vote(pmbot, ids.APPROVE, 1, BOB) == ONE_MORE  # his first approval no longer counts
    await pmbot.settled()
    assert all(len(told(approver)) == 1 for approver in (BOB, CAROL, DAVE)), "told once"


async def test_without_an_approvals_channel_the_changes_requested_dm_links_to_the_proposers_copy(
    pmbot: Harness,
) -> None:
    await set_policy(pmbot, [BOB, CAROL], required=1, channels=False)
    await propose_add(pmbot, "Global serach")
    await pmbot.settled()
    view = await open_ask_modal(pmbot, ids.REQUEST_CHANGES, 1, user=CAROL)
    assert (await submit_comment(pmbot, view, "Fix the typo", user=CAROL)).text in ("", "{}")
    await pmbot.settled()

    [copy] = [call for call in card_calls(pmbot, 1, "chat.postMessage") if call.params["channel"] == ALICE]
    [dm] = [call for call in notices_to(pmbot, ALICE) if "needs changes" in call.params["text"]]
    assert f"from <{link_to(copy)}|its card>." in shown(dm) and buttons(dm) == []
    assert live_buttons(pmbot, ALICE) == {"CHG-1: Add “Global serach”": [ids.RESUBMIT, ids.WITHDRAW]}


async def test_saving_the_policy_tells_the_admin_what_it_now_says(pmbot: Harness) -> None:
    await set_policy(pmbot, [BOB, CAROL, DAVE], required=2, expiry_days=5)
    await set_policy(pmbot, [BOB, CAROL], required=1, channels=False)
    await pmbot.settled()

    with_channels, without = [call.params["text"] for call in posts_to(pmbot, ADMIN)]
    assert with_channels == (
        "Saved. Roadmap changes need 2 approvals from <@U_BOB>, <@U_CAROL>, <@U_DAVE>; one rejection "
        "ends a change, and a proposal expires after 5 days. Make sure @pmbot is in <#C_APPROVALS> "
        "and <#C_ANNOUNCE> (`/invite @pmbot`)."
    )
    assert without.endswith("With no approvals channel, each approver gets the card by DM.")


async def test_with_only_an_announcements_channel_approvers_still_hear_by_dm(pmbot: Harness) -> None:
    await set_policy(pmbot, [BOB, CAROL], required=1, approvals=None)
    await pmbot.settled()

    [said] = [str(call.params["text"]) for call in posts_to(pmbot, ADMIN)]
    assert "With no approvals channel, each approver gets the card by DM." in said
    assert "Make sure @pmbot is in <#C_ANNOUNCE> (`/invite @pmbot`)." in said
