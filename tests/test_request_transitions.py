"""Every request status, every triage move, every role: the card's buttons and the server's answer.

The expectations are written out here by hand, not read from the transition table, so a change of
the table that offers a backward or repeated move fails this test.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from bot.services.requests.types import RequestDraft
from bot.views import ids
from bot.views.common import as_dicts
from bot.views.requests.card import request_card
from storage import requests as queries
from storage.models import Request, RequestStatus
from tests.fakes import payloads
from tests.harness import ALICE, BOB, CAROL, INTAKE, SECRET, Harness

TEAM = "T_TEST"
TRIAGER, REQUESTER, BYSTANDER = CAROL, ALICE, BOB
S = RequestStatus
TRIAGE_MOVES = ["accept", "decline", "need_info", "mark_duplicate", "assign"]
# What a triager may do from each status; nothing goes back (a planned request is never accepted
# again) and nothing repeats (an accepted request is not accepted twice, a question not re-asked).
EXPECTED: dict[RequestStatus, set[str]] = {
    S.NEW: {"accept", "decline", "need_info", "mark_duplicate", "assign"},
    S.NEEDS_INFO: {"accept", "decline", "mark_duplicate", "assign"},
    S.ACCEPTED: {"decline", "need_info", "mark_duplicate", "assign"},
    S.PLANNED: {"assign"},
    S.IN_PROGRESS: {"assign"},
    S.DONE: set(),
    S.DECLINED: set(),
    S.DUPLICATE: set(),
}
ACTION_OF = {
    "accept": ids.ACCEPT,
    "decline": ids.DECLINE,
    "need_info": ids.NEED_INFO,
    "mark_duplicate": ids.MARK_DUPLICATE,
    "assign": ids.ASSIGN,
}
CASES = [(status, move) for status in S for move in TRIAGE_MOVES]


@pytest.fixture
async def triage(pmbot: Harness) -> Harness:
    await pmbot.set_intake(triagers=[TRIAGER])
    return pmbot


async def request_in(pmbot: Harness, status: RequestStatus, title: str) -> Request:
    """A request filed by Alice, then put in `status` (the moves that lead there are tested elsewhere)."""
    filed = await pmbot.services.requests.file(TEAM, REQUESTER, RequestDraft(title=title))

    async def set_status(session: Any) -> None:
        await session.execute(
            update(Request)
            .where(Request.team_id == TEAM, Request.number == filed.number)  # type: ignore[arg-type]
            .values(status=status)
        )

    await pmbot.services.writer.run(set_status)
    async with pmbot.services.db.read() as session:
        request = await queries.get_request(session, TEAM, filed.number)
    assert request is not None
    return request


async def rendered_moves(pmbot: Harness, request: Request) -> set[str]:
    """The triage moves the card, as rendered now, offers."""
    detail, _ = await pmbot.services.requests.card(TEAM, request.id or 0)
    blocks = json.dumps(as_dicts(request_card(detail)))
    return {move for move, action_id in ACTION_OF.items() if f'"{action_id}"' in blocks}


async def private_moves(pmbot: Harness, request: Request, user: str) -> set[str]:
    """The triage moves `/request REQ-n` shows `user` (only theirs)."""
    response = await pmbot.command(request.ref, user=user, response_url=pmbot.fake.response_url("one"))
    blocks = json.dumps(response.json()["blocks"])
    return {move for move, action_id in ACTION_OF.items() if f'"{action_id}"' in blocks}


async def make(pmbot: Harness, move: str, number: int, original: int, user: str, name: str) -> httpx.Response:
    """Make `move` as `user`, the way Slack sends it: a click, or the modal's submission."""
    metadata = json.dumps({"number": number})
    if move in ("decline", "need_info"):
        callback = ids.DECLINE_MODAL if move == "decline" else ids.NEED_INFO_MODAL
        block = ids.REASON if move == "decline" else ids.QUESTION
        values = {block: {ids.VALUE: payloads.plain_text("Because")}}
        return await pmbot.submit(callback, values, user=user, private_metadata=metadata)
    fields: dict[str, Any] = {"value": str(number)}
    if move == "mark_duplicate":
        fields = {
            "selected_option": payloads.option(str(original), f"REQ-{original}"),
            "action_type": "external_select",
        }
    if move == "assign":
        fields = {"selected_user": BOB, "action_type": "users_select"}
    return await pmbot.send(
        payloads.block_action(
            SECRET,
            action_id=ACTION_OF[move],
            block_id=f"{ids.CARD_BLOCK_PREFIX}{number}",
            user_id=user,
            channel_id=INTAKE,
            response_url=pmbot.fake.response_url(name),
            **fields,
        )
    )


async def refusal_text(pmbot: Harness, move: str, response: httpx.Response, name: str) -> str:
    """What the person was told when the server refused: inline modal errors or a private reply."""
    if move in ("decline", "need_info"):
        body = response.json()
        assert body["response_action"] == "errors", body
        return " ".join(body["errors"].values())
    [said] = await pmbot.fake.wait_for("response_url", where=lambda call: call.params["name"] == name)
    return str(said.params.get("text", ""))


async def after(pmbot: Harness, number: int) -> Request:
    async with pmbot.services.db.read() as session:
        request = await queries.get_request(session, TEAM, number)
    assert request is not None
    return request


@pytest.mark.parametrize(("status", "move"), CASES, ids=[f"{s}-{m}" for s, m in CASES])
async def test_every_status_move_and_role(triage: Harness, status: RequestStatus, move: str) -> None:
    original = await request_in(triage, S.NEW, "The original")
    request = await request_in(triage, status, f"A request that is {status}")

    offered = await rendered_moves(triage, request)
    assert offered == EXPECTED[status]  # a channel card shows the moves that exist from its status
    assert await private_moves(triage, request, TRIAGER) == EXPECTED[status]  # `/request REQ-n`, privately
    for role in (REQUESTER, BYSTANDER):
        assert await private_moves(triage, request, role) == set(), role

    for role in (REQUESTER, BYSTANDER):  # not triagers: refused, nothing changes
        name = f"{move}-{role}-{status}"
        response = await make(triage, move, request.number, original.number, role, name)
        assert "Only triagers can" in await refusal_text(triage, move, response, name)
        assert (await after(triage, request.number)).status == status

    name = f"{move}-triager-{status}"
    response = await make(triage, move, request.number, original.number, TRIAGER, name)
    if move in EXPECTED[status]:
        assert response.status_code == 200 and response.text in ("", "{}"), response.text
        moved = {"assign": status, "accept": S.ACCEPTED, "decline": S.DECLINED}
        moved |= {"need_info": S.NEEDS_INFO, "mark_duplicate": S.DUPLICATE}

        async def done() -> bool:
            now = await after(triage, request.number)
            return now.status == moved[move] and (move != "assign" or now.assignee_id == BOB)

        await triage.until(done)
    else:
        said = await refusal_text(triage, move, response, name)
        assert f"REQ-{request.number} " in said and "Nothing changed" in said
        now = await after(triage, request.number)
        assert now.status == status and now.assignee_id is None
