"""Roadmap approvals: the happy path end to end (the full scenarios live in test_roadmap_*.py)."""

from __future__ import annotations

from bot.services import proposals as form
from bot.views import ids
from storage import roadmap as queries
from tests.fakes import payloads
from tests.harness import ADMIN, ALICE, BOB, CAROL, SECRET, Harness

APPROVALS, ANNOUNCE = "C_APPROVALS", "C_ANNOUNCE"


async def set_policy(pmbot: Harness, approvers: list[str], required: int) -> None:
    values = {
        ids.APPROVERS: {ids.VALUE: payloads.multi_users_select(approvers)},
        ids.REQUIRED_APPROVALS: {ids.VALUE: {"type": "number_input", "value": str(required)}},
        ids.EXPIRY_DAYS: {ids.VALUE: {"type": "number_input", "value": "7"}},
        ids.APPROVALS_CHANNEL: {ids.VALUE: payloads.conversations_select(APPROVALS)},
        ids.ANNOUNCEMENTS_CHANNEL: {ids.VALUE: payloads.conversations_select(ANNOUNCE)},
    }
    response = await pmbot.submit(ids.POLICY_MODAL, values, user=ADMIN)
    assert response.status_code == 200 and response.text in ("", "{}"), response.text


async def propose_add(pmbot: Harness, title: str, *, user: str = ALICE, linked: list[int] = ()) -> None:
    values = {
        form.KIND: {ids.VALUE: payloads.static_select("add")},
        form.TITLE: {ids.VALUE: payloads.plain_text(title)},
        form.HORIZON: {ids.VALUE: payloads.static_select("next")},
        form.RATIONALE: {ids.VALUE: payloads.plain_text("Customers keep asking")},
        form.LINKED: {ids.REQUEST_PICKER: {"type": "multi_external_select", "selected_options": [
            {"text": {"type": "plain_text", "text": f"REQ-{n}"}, "value": str(n)} for n in linked
        ]}},
    }  # fmt: skip
    response = await pmbot.submit(ids.PROPOSE_MODAL, values, user=user, private_metadata='{"number": null}')
    assert response.status_code == 200 and response.text in ("", "{}"), response.text


async def approve(pmbot: Harness, number: int, user: str):
    return await pmbot.send(
        payloads.block_action(
            SECRET, action_id=ids.APPROVE, block_id=f"{ids.PROPOSAL_BLOCK_PREFIX}{number}", value=str(number),
            user_id=user, channel_id=APPROVALS, response_url=pmbot.fake.response_url(f"approve-{user}"),
        )
    )  # fmt: skip


async def test_quorum_of_two_applies_the_change_and_tells_everyone(pmbot: Harness) -> None:
    await pmbot.set_intake()
    request = await pmbot.file("Search across projects", user=ALICE)
    await set_policy(pmbot, [BOB, CAROL, ADMIN], required=2)

    await propose_add(pmbot, "Global search", linked=[request])
    await pmbot.fake.wait_for("chat.postMessage", where=lambda c: c.params.get("channel") == APPROVALS)
    await approve(pmbot, 1, BOB)
    await pmbot.fake.wait_for("response_url", where=lambda c: c.params["name"] == f"approve-{BOB}")
    async with pmbot.services.db.read() as session:
        assert await queries.list_items(session, "T_TEST") == []
    await approve(pmbot, 1, CAROL)

    [announced] = await pmbot.fake.wait_for("chat.postMessage", where=lambda c: c.params.get("channel") == ANNOUNCE)
    assert "CHG-1" in announced.params["text"]
    await pmbot.settled()
    async with pmbot.services.db.read() as session:
        [item] = await queries.list_items(session, "T_TEST")
    assert (item.title, item.horizon) == ("Global search", "next")
    dms = [c for c in pmbot.fake.calls_to("chat.postMessage") if c.params.get("channel") == ALICE]
    assert any("planned for Next" in str(c.params.get("blocks")) for c in dms)
