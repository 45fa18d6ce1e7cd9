"""Home as a work queue: waiting for triage, assigned to you, your proposals (and who has not voted)."""

from __future__ import annotations

import json

from bot.views import ids
from storage.models import RequestStatus
from tests.harness import ADMIN, ALICE, BOB, CAROL, DAVE, Harness
from tests.home_steps import button_value, click_in_view, open_home, publishes, seed, shown
from tests.roadmap_steps import approve, get_request, propose_add, set_policy
from tests.slack_limits import problems_in_view
from tests.test_triage import click_card

TRIAGE = "Waiting for triage"


def section_of(view: dict, title: str) -> str:
    """The text of one Home list: from its title to the next divider."""
    text, found = [], False
    for block in view["blocks"]:
        if block["type"] == "divider" and found:
            break
        said = (block.get("text") or {}).get("text", "")
        found = found or title in said
        if found:
            text.append(said)
            text += [_text_of(element) for element in block.get("elements", [])]
    return "\n".join(text)


def _text_of(element: dict) -> str:
    inner = element.get("text")
    return str(inner.get("text", "")) if isinstance(inner, dict) else str(inner or "")


async def until_status(pmbot: Harness, number: int, status: RequestStatus) -> None:
    async def there() -> bool:
        return (await get_request(pmbot, number)).status == status

    await pmbot.until(there)


async def test_triagers_see_new_requests_waiting_for_triage_oldest_first(pmbot: Harness) -> None:
    await pmbot.set_intake(triagers=[CAROL])
    for title in ("Oldest <one> & first", "Accepted already", "The newest one"):
        await pmbot.file(title, user=BOB)
        pmbot.clock.advance(minutes=5)
    await pmbot.settled()
    await click_card(pmbot, ids.ACCEPT, 2, user=CAROL)
    await until_status(pmbot, 2, RequestStatus.ACCEPTED)

    home = await open_home(pmbot, CAROL)

    assert problems_in_view(home) == []
    queue = section_of(home, TRIAGE)
    assert f"{TRIAGE}* (2)" in queue and "REQ-2" not in queue
    assert queue.index("REQ-1") < queue.index("REQ-3"), "the longest wait comes first"
    assert "Oldest &lt;one&gt; &amp; first" in queue and "asked by <@U_BOB>" in queue
    assert TRIAGE not in shown(await open_home(pmbot, BOB)), "only triagers see the queue"
    assert TRIAGE not in shown(await open_home(pmbot, ADMIN)), "admins do not, once triagers are named"


async def test_admins_triage_while_nobody_is_named(pmbot: Harness) -> None:
    await pmbot.set_intake(triagers=[])
    await pmbot.file("Dark mode", user=BOB)

    home = await open_home(pmbot, ADMIN)

    assert f"{TRIAGE}* (1)" in section_of(home, TRIAGE) and "REQ-1" in section_of(home, TRIAGE)


async def test_the_assignee_finds_her_request_assigned_not_under_followed(pmbot: Harness) -> None:
    await pmbot.set_intake(triagers=[CAROL])
    await pmbot.file("Audit log export", user=BOB)
    await pmbot.file("Someone else's", user=ALICE)
    await pmbot.settled()
    await click_card(pmbot, ids.FOLLOW, 2, user=DAVE)
    await click_card(pmbot, ids.ASSIGN, 1, user=CAROL, selected_user=DAVE, action_type="users_select")

    async def assigned() -> bool:
        return (await get_request(pmbot, 1)).assignee_id == DAVE

    await pmbot.until(assigned)
    home = await open_home(pmbot, DAVE)

    mine = section_of(home, "Assigned to you")
    assert "Assigned to you* (1)" in mine and "REQ-1" in mine and "asked by <@U_BOB>" in mine
    followed = section_of(home, "Requests you follow")
    assert "REQ-2" in followed and "REQ-1" not in followed


async def test_your_proposals_name_who_has_not_voted_yet(pmbot: Harness) -> None:
    await set_policy(pmbot, [ADMIN, BOB, CAROL, DAVE], required=3)
    await open_home(pmbot, ALICE)  # pmbot re-publishes only the tabs people have opened
    await propose_add(pmbot, "Message search", user=ALICE)
    await pmbot.settled()
    await approve(pmbot, 1, DAVE)
    await pmbot.settled()

    # Alice's Home was re-published when Dave voted, without her opening it again.
    home = publishes(pmbot, ALICE)[-1].params["view"]
    yours = section_of(home, "Your proposals")
    assert "Your proposals* (1)" in yours and "*CHG-1* Add “Message search”" in yours
    assert "waiting for <@U_ADMIN>, <@U_BOB>, <@U_CAROL>" in yours and "<@U_ALICE>" not in yours
    assert "Your proposals" not in shown(await open_home(pmbot, DAVE)), "only proposers see the list"


async def test_see_all_pages_through_the_triage_queue_and_refuses_a_non_triager(pmbot: Harness) -> None:
    await pmbot.set_intake(triagers=[CAROL])
    await seed(pmbot, BOB, mine=30, followed=0, votes=0)

    home = await open_home(pmbot, CAROL)
    assert "See all 30" in section_of(home, TRIAGE)
    value = button_value(home, ids.HOME_SEE_ALL)
    assert value == "triage"
    await click_in_view(pmbot, ids.HOME_SEE_ALL, value, user=CAROL, view=home)
    [page] = await pmbot.fake.wait_for("views.update")
    assert problems_in_view(page.params["view"]) == []
    assert "1 to 30 of 30" in shown(page.params["view"])

    await click_in_view(pmbot, ids.HOME_SEE_ALL, value, user=BOB, view=home)
    [_, refused] = await pmbot.fake.wait_for("views.update", count=2)
    assert "REQ-" not in json.dumps(refused.params["view"]), "the server checks who triages"


async def test_the_intro_covers_requests_roadmap_launches_and_digests(pmbot: Harness) -> None:
    home = await open_home(pmbot, ADMIN)

    intro = shown(home)
    for feature in ("*request*", "*roadmap changes*", "*launches*", "*digest*"):
        assert feature in intro
