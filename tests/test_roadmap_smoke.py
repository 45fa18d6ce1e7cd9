"""Roadmap approvals: the happy path end to end (the full scenarios live in test_roadmap_*.py)."""

from __future__ import annotations

from storage import roadmap as queries
from tests.harness import ADMIN, ALICE, BOB, CAROL, Harness
from tests.roadmap_steps import ANNOUNCE, APPROVALS, approve, propose_add, set_policy


async def test_quorum_of_two_applies_the_change_and_tells_everyone(pmbot: Harness) -> None:
    await pmbot.set_intake()
    request = await pmbot.file("Cross-project search", user=ALICE)
    await set_policy(pmbot, [BOB, CAROL, ADMIN], required=2)

    await propose_add(pmbot, "Global search", linked=[request])
    await pmbot.fake.wait_for("chat.postMessage", where=lambda c: c.params.get("channel") == APPROVALS)
    await approve(pmbot, 1, BOB)
    await pmbot.fake.wait_for("response_url", where=lambda c: c.params["name"] == f"approve-{BOB}")
    async with pmbot.services.db.read() as session:
        assert await queries.list_items(session, "T_TEST") == []
    await approve(pmbot, 1, CAROL)

    [announced] = await pmbot.fake.wait_for(
        "chat.postMessage", where=lambda c: c.params.get("channel") == ANNOUNCE
    )
    assert "CHG-1" in announced.params["text"]
    await pmbot.settled()
    async with pmbot.services.db.read() as session:
        [item] = await queries.list_items(session, "T_TEST")
    assert (item.title, item.horizon) == ("Global search", "next")
    dms = [c for c in pmbot.fake.calls_to("chat.postMessage") if c.params.get("channel") == ALICE]
    assert any("planned for Next" in str(c.params.get("blocks")) for c in dms)
