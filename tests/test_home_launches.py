"""Launches on the Home tab: each person's checklist items due soon or overdue, and upcoming launches.

Launches are stored straight into the database (tests/home_steps.add_launch), as `/launch new`
would store them, so these tests do not depend on how launches are created.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.views import ids
from tests.harness import ADMIN, ALICE, BOB, CAROL, FakeClock, Harness
from tests.home_steps import (
    Item,
    add_launch,
    button_value,
    buttons,
    click_in_view,
    open_home,
    seed,
    shown,
)
from tests.slack_limits import SURFACE_BLOCKS, problems_in_blocks, problems_in_view

NOON = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)  # the same calendar day in every test user's zone


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOON)


async def test_three_people_each_see_their_own_checklist_items_and_everyones_launches(pmbot: Harness) -> None:
    await pmbot.set_intake()
    search = (
        Item(ALICE, -2, title="Brief support"),
        Item(ALICE, 3, title="Write the release notes"),
        Item(BOB, 0, title="Record the demo"),
        Item(BOB, 1, done=True, title="Book the room"),
        Item(ALICE, 9, title="Send the survey"),
    )
    await add_launch(pmbot, 1, name="Search <v2> & more", days_away=5, items=search, owner=CAROL)
    await add_launch(pmbot, 2, name="Billing", days_away=12, items=(Item(BOB, 6, title="Price page"),))
    await add_launch(pmbot, 3, name="Dropped", days_away=2, items=(Item(ALICE, 1),), status="cancelled")

    alice, bob, carol = [await open_home(pmbot, user) for user in (ALICE, BOB, CAROL)]

    alice_text, bob_text, carol_text = shown(alice), shown(bob), shown(carol)
    assert "Your checklist items due within 7 days* (2)" in alice_text
    assert "*LCH-1* Brief support\n:warning: overdue, was due <!date^" in alice_text
    assert "*LCH-1* Write the release notes\ndue <!date^" in alice_text
    assert "for Search &lt;v2&gt; &amp; more on <!date^" in alice_text
    assert "Send the survey" not in alice_text and "LCH-3" not in alice_text
    assert "Record the demo\n:hourglass_flowing_sand: due <!date^" in bob_text and "(today)" in bob_text
    assert "*LCH-2* Price page" in bob_text and "Book the room" not in bob_text
    assert "Brief support" not in bob_text
    assert "checklist items" not in carol_text  # she owns no item: no list at all
    for text in (alice_text, bob_text, carol_text):
        assert "Upcoming launches (next 30 days)* (2)" in text
        assert "*LCH-1* Search &lt;v2&gt; &amp; more\n<!date^" in text
        assert "1 of 5 items done · owner <@U_CAROL>" in text
        assert "*LCH-2* Billing" in text and "0 of 1 item done" in text
        assert "Dropped" not in text
    assert buttons(alice)[:3] == [ids.OPEN_REQUEST_MODAL, ids.OPEN_PROPOSE_MODAL, ids.HOME_NEW_LAUNCH]
    assert problems_in_view(alice) == [] and problems_in_view(bob) == []


async def test_with_no_launches_the_home_says_how_to_plan_one(pmbot: Harness) -> None:
    home = shown(await open_home(pmbot, ALICE))

    assert "No launch is planned in the next 30 days. *New launch* above plans one." in home
    assert "checklist items" not in home


async def test_the_home_stays_valid_at_the_block_limit_with_every_list_full(pmbot: Harness) -> None:
    # Nothing set: first run, and the workspace admin approves for want of approvers. Every list
    # overflows, with the longest titles and names the tables take.
    long = "<!channel> & " * 20
    await seed(pmbot, ADMIN, mine=30, followed=30, votes=30)
    for number in range(1, 31):
        items = (Item(ADMIN, number % 9 - 2, title=long[:200]),) * 3
        await add_launch(pmbot, number, name=long[:150], days_away=number % 30, items=items)

    home = await open_home(pmbot, ADMIN)

    assert len(home["blocks"]) <= SURFACE_BLOCKS
    assert problems_in_view(home) == [] and problems_in_blocks(home["blocks"]) == []
    text = shown(home)
    assert "Three settings and pmbot is ready" in text and "Launch templates" in text
    assert text.count("See all ") == 6
    # votes, mine, followed, launches; items; waiting for triage (the admin triages while none is named)
    assert text.count("See all 30") == 4 and "See all 90" in text and "See all 60" in text
    assert "<!channel>" not in str(home["blocks"])
    assert ids.HOME_LAUNCH_TEMPLATES in buttons(home) and ids.HOME_DIGEST_DEFAULTS in buttons(home)


async def test_see_all_pages_through_checklist_items_and_launches(pmbot: Harness) -> None:
    for number in range(1, 21):
        await add_launch(pmbot, number, name=f"Launch {number}", days_away=20, items=(Item(ALICE, 2),) * 4)
    home = await open_home(pmbot, ALICE)
    more = [b for b in home["blocks"] if b.get("block_id", "").startswith("home_more:")]
    values = [block["elements"][0]["value"] for block in more]
    assert values == ["checklist", "launches"]

    for n, value in enumerate(values, start=1):
        await click_in_view(pmbot, ids.HOME_SEE_ALL, value, user=ALICE, view=home)
        page = (await pmbot.fake.wait_for("views.update", count=n))[-1].params["view"]
        assert problems_in_view(page) == [] and len(page["blocks"]) <= SURFACE_BLOCKS
        assert ("1 to 50 of 80" if value == "checklist" else "1 to 20 of 20") in shown(page)

    checklist = pmbot.fake.calls_to("views.update")[0]
    stored = pmbot.fake.views[checklist.params["view_id"]]
    await click_in_view(
        pmbot, ids.HOME_LIST_PAGE, button_value(stored, ids.HOME_LIST_PAGE), user=ALICE, view=stored
    )
    second = (await pmbot.fake.wait_for("views.update", count=3))[-1]
    assert not second.failed and "51 to 80 of 80" in shown(second.params["view"])
