"""Approvals can always finish: an unreachable quorum is refused when the policy is saved and when
a change is proposed, a reachable one completes, and the card names who can still vote."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.roadmap import proposals as form
from bot.views import ids
from storage.models import ApprovalPolicy, ProposalStatus, Role
from storage.roadmap import get_policy, save_policy
from storage.workspaces import replace_members
from tests.fakes import payloads
from tests.harness import ADMIN, ALICE, BOB, CAROL, DAVE, SECRET, Harness
from tests.roadmap_steps import (
    APPROVALS,
    TEAM,
    approve,
    change,
    get_proposal,
    propose_add,
    roadmap_items,
    shown,
    submit_change,
)


def policy_values(approvers: list[str], required: int) -> dict:
    return {
        ids.APPROVERS: {ids.VALUE: payloads.multi_users_select(approvers)},
        ids.APPROVER_GROUP: {ids.APPROVER_GROUP_PICKER: payloads.external_select(None)},
        ids.REQUIRED_APPROVALS: {ids.VALUE: {"type": "number_input", "value": str(required)}},
        ids.EXPIRY_DAYS: {ids.VALUE: {"type": "number_input", "value": "7"}},
        ids.APPROVALS_CHANNEL: {ids.VALUE: payloads.conversations_select(APPROVALS)},
        ids.ANNOUNCEMENTS_CHANNEL: {ids.VALUE: payloads.conversations_select(None)},
    }


async def test_a_quorum_no_proposing_approver_could_reach_is_refused_at_save(pmbot: Harness) -> None:
    response = await pmbot.submit_as_a_person(ids.POLICY_MODAL, policy_values([ALICE, CAROL], 2), user=ADMIN)

    body = response.json()
    assert body["response_action"] == "errors"
    assert "Name at least 3 approvers" in body["errors"][ids.REQUIRED_APPROVALS]
    async with pmbot.services.db.read() as session:
        assert (await get_policy(session, TEAM)).required_approvals == 1  # nothing saved

    lone = await pmbot.submit_as_a_person(ids.POLICY_MODAL, policy_values([ALICE], 1), user=ADMIN)
    assert "name a second approver" in lone.json()["errors"][ids.REQUIRED_APPROVALS]


async def test_a_reachable_quorum_completes_with_the_proposer_among_the_approvers(pmbot: Harness) -> None:
    response = await pmbot.submit(ids.POLICY_MODAL, policy_values([ALICE, BOB, CAROL], 2), user=ADMIN)
    assert response.status_code == 200 and response.text in ("", "{}"), response.text

    await propose_add(pmbot, "Single sign-on", user=ALICE)
    [card] = await pmbot.fake.wait_for(
        "chat.postMessage", where=lambda call: call.params["channel"] == APPROVALS
    )
    assert f"can still vote: <@{BOB}> <@{CAROL}>" in shown(card)  # never the proposer
    await approve(pmbot, 1, BOB)
    await approve(pmbot, 1, CAROL)

    await pmbot.until(lambda: _status_is(pmbot, 1, ProposalStatus.APPROVED))
    assert [item.title for item in await roadmap_items(pmbot)] == ["Single sign-on"]


async def _status_is(pmbot: Harness, number: int, status: ProposalStatus) -> bool:
    return (await get_proposal(pmbot, number)).status == status


async def test_a_proposal_todays_approvers_cannot_pass_is_refused_naming_whom_to_ask(pmbot: Harness) -> None:
    # A policy saved before quorums were checked: approvers Alice and Carol, a quorum of 2.
    async def legacy(session: AsyncSession) -> None:
        await save_policy(session, ApprovalPolicy(team_id=TEAM, required_approvals=2))
        await replace_members(session, TEAM, Role.APPROVER, [ALICE, CAROL])

    await pmbot.services.writer.run(legacy)

    response = await submit_change(pmbot, change("add", title="Single sign-on", horizon="next"), user=ALICE)

    error = response.json()["errors"][form.RATIONALE]
    assert "needs 2 approvals but only 1 approver can vote on it (@u_carol)" in error and "<@" not in error
    assert "Ask an admin" in error
    assert await roadmap_items(pmbot) == []
    # Bob, who is no approver, can propose it: Alice and Carol both vote.
    await propose_add(pmbot, "Single sign-on", user=BOB)
    assert (await get_proposal(pmbot, 1)).status == ProposalStatus.PENDING


async def test_an_approver_added_later_gets_the_proposals_that_wait_for_votes(pmbot: Harness) -> None:
    response = await pmbot.submit(ids.POLICY_MODAL, policy_values([BOB, CAROL], 1), user=ADMIN)
    assert response.status_code == 200 and response.text in ("", "{}"), response.text
    await propose_add(pmbot, "Single sign-on", user=ALICE)
    await pmbot.settled()
    assert [call for call in pmbot.fake.calls_to("chat.postMessage") if call.params["channel"] == DAVE] == []

    response = await pmbot.submit(ids.POLICY_MODAL, policy_values([BOB, CAROL, DAVE], 1), user=ADMIN)
    assert response.status_code == 200 and response.text in ("", "{}"), response.text

    [card] = await pmbot.fake.wait_for("chat.postMessage", where=lambda call: call.params["channel"] == DAVE)
    assert card.params["text"].startswith("CHG-1: ")
    assert [
        e["action_id"] for b in card.params["blocks"] if b["type"] == "actions" for e in b["elements"]
    ] == [
        ids.APPROVE,
        ids.REJECT,
        ids.REQUEST_CHANGES,
    ]


async def test_the_approvers_user_group_is_picked_by_name_and_saved_by_id(pmbot: Harness) -> None:
    pmbot.fake.usergroups.update({"S_PM": [BOB, CAROL, DAVE], "S_ENG": [ALICE]})
    pmbot.fake.usergroup_names.update(
        {"S_PM": ("Product approvers", "pm-approvers"), "S_ENG": ("Eng", "eng")}
    )

    typed = await pmbot.send(
        payloads.block_suggestion(
            SECRET,
            action_id=ids.APPROVER_GROUP_PICKER,
            block_id=ids.APPROVER_GROUP,
            value="product",
            user_id=ADMIN,
        )
    )
    [offered] = typed.json()["options"]
    assert (offered["text"]["text"], offered["value"]) == ("Product approvers (@pm-approvers)", "S_PM")

    values = policy_values([], 2)
    values[ids.APPROVER_GROUP] = {
        ids.APPROVER_GROUP_PICKER: payloads.external_select("S_PM", "Product approvers")
    }
    saved = await pmbot.submit(ids.POLICY_MODAL, values, user=ADMIN)
    assert saved.status_code == 200 and saved.text in ("", "{}"), saved.text
    async with pmbot.services.db.read() as session:
        assert (await get_policy(session, TEAM)).approver_group_id == "S_PM"

    await pmbot.command("settings", command="/roadmap", user=ADMIN)
    [filled] = await pmbot.fake.wait_for("views.update")
    [block] = [b for b in filled.params["view"]["blocks"] if b.get("block_id") == ids.APPROVER_GROUP]
    assert block["label"]["text"] == "Approvers' user group"  # Slack adds "(optional)" itself
    assert block["element"]["initial_option"]["text"]["text"] == "Product approvers (@pm-approvers)"
