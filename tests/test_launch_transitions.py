"""Every launch status, every launch move, every role: the buttons each person is shown (the channel's
parent and their private `/launch LCH-n`) and the server's answer to their click.

The expectations are written out here by hand, not read from the transition table, so a change of
the table that offers a backward or repeated move, or a move to the wrong person, fails this test.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from bot.services.launches.changes import LaunchDraft
from bot.views import ids
from storage.models import Launch, LaunchStatus
from tests.harness import ADMIN, ALICE, BOB, CAROL, Harness
from tests.launch_steps import LAUNCHES, TEAM, click, get_launch, launch_command, message, said

OWNER, DECIDER, BYSTANDER = ALICE, BOB, CAROL
ROLES = {"owner": OWNER, "admin": ADMIN, "decider": DECIDER, "bystander": BYSTANDER}
S = LaunchStatus
ACTION_OF = {
    "mark_launched": ids.LAUNCH_MARK_LAUNCHED,
    "change_date": ids.LAUNCH_CHANGE_DATE,
    "open_gonogo": ids.LAUNCH_OPEN_GONOGO,
    "cancel": ids.LAUNCH_CANCEL,
}
RUNNING = {
    "owner": set(ACTION_OF),
    "admin": set(ACTION_OF),
    "decider": {"open_gonogo"},
    "bystander": set(),
}
OVER: dict[str, set[str]] = {role: set() for role in ROLES}  # launched or cancelled: nothing goes back
EXPECTED: dict[LaunchStatus, dict[str, set[str]]] = {
    S.PLANNED: RUNNING,
    S.SLIPPED: RUNNING,
    S.LAUNCHED: OVER,
    S.CANCELLED: OVER,
}
ENDS = {"mark_launched": S.LAUNCHED, "cancel": S.CANCELLED}  # the moves that change the status


async def launch_in(pmbot: Harness, status: LaunchStatus, name: str) -> Launch:
    """A launch owned by Alice with Bob deciding, put in `status` through the service."""
    draft = LaunchDraft(
        name=name,
        launch_date=pmbot.services.clock.now().date() + timedelta(days=40),
        channel_id=LAUNCHES,
        owner_id=OWNER,
        decider_ids=[DECIDER],
    )
    launches = pmbot.services.launches
    launch = await launches.create(TEAM, OWNER, draft)
    await pmbot.settled()  # its parent is up before anyone clicks on it
    if status == S.SLIPPED:
        later = launch.launch_date + timedelta(days=7)
        await launches.change_date(TEAM, OWNER, launch.number, later, "Legal review is late")
    elif status == S.LAUNCHED:
        await launches.mark_launched(TEAM, OWNER, launch.number)
    elif status == S.CANCELLED:
        await launches.cancel(TEAM, OWNER, launch.number)
    await pmbot.settled()
    return await get_launch(pmbot, launch.number)


def moves_in(blocks: list[dict[str, Any]], number: int) -> set[str]:
    """The launch moves a message's buttons offer."""
    shown = json.dumps([b for b in blocks if b.get("block_id") == f"{ids.LAUNCH_BLOCK_PREFIX}{number}"])
    return {move for move, action_id in ACTION_OF.items() if f'"{action_id}"' in shown}


async def private_moves(pmbot: Harness, launch: Launch, user: str) -> set[str]:
    """The moves `/launch LCH-n` shows `user`, privately."""
    response = await launch_command(pmbot, launch.ref, user=user)
    assert response.status_code == 200, response.text
    return moves_in(response.json()["blocks"], launch.number)


async def answer(pmbot: Harness, launch: Launch, move: str, user: str) -> str:
    """What pmbot answers `user`'s click (Change date answers with its form, or why not)."""
    updates = len(pmbot.fake.calls_to("views.update"))
    name = await click(pmbot, ACTION_OF[move], launch, user=user)
    if move != "change_date":
        return await said(pmbot, name)
    view = (await pmbot.fake.wait_for("views.update", count=updates + 1))[-1].params["view"]
    return "form" if view.get("callback_id") == ids.LAUNCH_DATE_MODAL else json.dumps(view)


ACCEPTED = {
    "mark_launched": "{ref} is marked launched.",
    "cancel": "{ref} is cancelled.",
    "open_gonogo": "open in its thread.",  # the first opens poll 1, the next says it is already open
    "change_date": "form",
}


@pytest.mark.parametrize("status", list(S), ids=[str(s) for s in S])
async def test_every_status_move_and_role(pmbot: Harness, status: LaunchStatus) -> None:
    launch = await launch_in(pmbot, status, "Shared")
    everyone = set().union(*EXPECTED[status].values())
    parent = message(pmbot, LAUNCHES, launch.parent_ts or "")
    assert moves_in(parent["blocks"], launch.number) == everyone  # one message for the whole channel

    for role, user in ROLES.items():
        assert await private_moves(pmbot, launch, user) == EXPECTED[status][role], role
        for move in ACTION_OF:
            if move in EXPECTED[status][role] and move in ENDS:
                continue  # made on a launch of its own, below
            said_to = await answer(pmbot, launch, move, user)
            if move in EXPECTED[status][role]:
                assert said_to.endswith(ACCEPTED[move].format(ref=launch.ref)), (role, move, said_to)
            else:
                assert not said_to.endswith(ACCEPTED[move].format(ref=launch.ref)), (role, move)
                assert "Only" in said_to or "already" in said_to or "nothing to decide" in said_to, (
                    role, move, said_to,
                )  # fmt: skip
                assert "/pmbot" not in said_to and "settings" not in said_to.lower()  # no admin-only hints
            await pmbot.settled()
        assert (await get_launch(pmbot, launch.number)).status == status, role

    for role, user in ROLES.items():
        for move in sorted(EXPECTED[status][role] & set(ENDS)):
            own = await launch_in(pmbot, status, f"{role} {move}")
            assert await answer(pmbot, own, move, user) == ACCEPTED[move].format(ref=own.ref)
            await pmbot.settled()
            assert (await get_launch(pmbot, own.number)).status == ENDS[move]
