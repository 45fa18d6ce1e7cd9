"""Every proposal status, every move, every role: the buttons each person's copy of the card shows
and what the server answers. The expectations are written out by hand, not read from the table."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.roadmap.transitions import ProposalMove, ProposalRole, moves_for, roles_of
from bot.views import ids
from bot.views.common import as_dicts
from bot.views.roadmap.approval_card import approval_card
from storage.models import Proposal, ProposalStatus
from tests.harness import ALICE, BOB, DAVE, Harness
from tests.roadmap_steps import TEAM, change, click, get_proposal, propose_add, set_policy, submit_change

P = ProposalStatus
PROPOSER, APPROVER, BYSTANDER = ALICE, BOB, DAVE
ACTION_OF = {
    "approve": ids.APPROVE,
    "reject": ids.REJECT,
    "request_changes": ids.REQUEST_CHANGES,
    "resubmit": ids.RESUBMIT,
    "withdraw": ids.WITHDRAW,
}
VOTES = {"approve", "reject", "request_changes"}
# Who may do what from each status. Nothing is undone once decided; nobody votes on their own.
EXPECTED: dict[ProposalStatus, dict[str, set[str]]] = {
    P.PENDING: {"approver": VOTES, "proposer": {"withdraw"}},
    P.CHANGES_REQUESTED: {"approver": set(), "proposer": {"resubmit", "withdraw"}},
    P.APPROVED: {"approver": set(), "proposer": set()},
    P.REJECTED: {"approver": set(), "proposer": set()},
    P.WITHDRAWN: {"approver": set(), "proposer": set()},
    P.EXPIRED: {"approver": set(), "proposer": set()},
}
AFTER = {
    "approve": P.APPROVED,
    "reject": P.REJECTED,
    "request_changes": P.CHANGES_REQUESTED,
    "withdraw": P.WITHDRAWN,
    "resubmit": P.PENDING,
}
CASES = [(status, move) for status in P for move in ACTION_OF]


async def proposal_in(pmbot: Harness, status: ProposalStatus) -> Proposal:
    """CHG-1 by Alice, then put in `status` (the moves leading there are tested elsewhere)."""
    await propose_add(pmbot, "Single sign-on", user=PROPOSER)

    async def set_status(session: AsyncSession) -> None:
        await session.execute(update(Proposal).where(Proposal.team_id == TEAM).values(status=status))

    await pmbot.services.writer.run(set_status)
    await pmbot.settled()
    return await get_proposal(pmbot, 1)


def shown_moves(pmbot: Harness, blocks: list[dict[str, Any]]) -> set[str]:
    found = json.dumps(blocks)
    return {move for move, action_id in ACTION_OF.items() if f'"{action_id}"' in found}


async def make(pmbot: Harness, move: str, user: str) -> str:
    """Make `move` as `user`, as Slack sends it; returns what the person was told (or the modal opened)."""
    updates = len(pmbot.fake.calls_to("views.update"))
    name = await click(pmbot, ACTION_OF[move], 1, user=user)
    if move in ("approve", "withdraw"):
        [said] = await pmbot.fake.wait_for("response_url", where=lambda call: call.params["name"] == name)
        return str(said.params["text"])
    opened = (await pmbot.fake.wait_for("views.update", count=updates + 1))[-1].params["view"]
    if "callback_id" not in opened:
        return json.dumps(opened)  # the refusal modal
    if move == "resubmit":
        fixed = change("add", title="Single sign-on", horizon="next", rationale="Fixed")
        response = await submit_change(pmbot, fixed, user=user, resubmit=1)
    else:
        values = {ids.COMMENT: {ids.VALUE: {"type": "plain_text_input", "value": "Because"}}}
        response = await pmbot.submit(
            opened["callback_id"], values, user=user, private_metadata=opened["private_metadata"]
        )
    assert response.text in ("", "{}"), response.text
    return "done"


@pytest.mark.parametrize(("status", "move"), CASES, ids=[f"{s}-{m}" for s, m in CASES])
async def test_every_status_move_and_role(pmbot: Harness, status: ProposalStatus, move: str) -> None:
    await set_policy(pmbot, [APPROVER, "U_CAROL"], 1)
    proposal = await proposal_in(pmbot, status)
    view = await pmbot.services.roadmap.proposal(TEAM, proposal.id or 0)
    everyone = EXPECTED[status]["approver"] | EXPECTED[status]["proposer"]

    assert shown_moves(pmbot, as_dicts(approval_card(view))) == everyone  # the channel's card
    for user, role in ((APPROVER, "approver"), (PROPOSER, "proposer"), (BYSTANDER, "bystander")):
        mine = moves_for(status, roles_of(user, PROPOSER, is_approver=user == APPROVER))
        assert shown_moves(pmbot, as_dicts(approval_card(view, mine))) == EXPECTED[status].get(role, set())

    for user, role in ((BYSTANDER, "bystander"), (PROPOSER, "proposer"), (APPROVER, "approver")):
        if move in EXPECTED[status].get(role, set()):
            continue
        said = await make(pmbot, move, user)
        if move in everyone:
            assert "Only" in said, (role, said)  # the move exists, but not for this person
        else:
            assert "nothing changed" in said or "Only" in said, (role, said)  # refused, either way
        assert (await get_proposal(pmbot, 1)).status == status

    allowed = [role for role in ("approver", "proposer") if move in EXPECTED[status][role]]
    if allowed:
        user = APPROVER if allowed[0] == "approver" else PROPOSER
        assert await make(pmbot, move, user) in (
            "done",
            "You withdrew CHG-1.",
            "Approved: CHG-1 is on the roadmap now.",
        )

        async def moved() -> bool:
            return (await get_proposal(pmbot, 1)).status == AFTER[move]

        await pmbot.until(moved)


def test_the_roles_cover_every_role() -> None:
    assert {ProposalRole.APPROVER, ProposalRole.PROPOSER} == set(ProposalRole)
    assert set(ProposalMove) == {ProposalMove(move) for move in ACTION_OF}
