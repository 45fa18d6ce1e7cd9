"""Modals under quick clicks and slow Slack: the newest click on a pager wins without an error, and
a trigger that expired before the modal could open is explained to the person."""

from __future__ import annotations

import pytest

from bot.views import ids
from handlers.errors import CLICK_AGAIN
from tests.delivery_steps import no_errors
from tests.harness import ALICE, DAVE, Harness
from tests.home_steps import button_value, click_in_view, open_home, seed, shown
from tests.roadmap_steps import set_policy

PREVIOUS = f"{ids.HOME_LIST_PAGE}_prev"


async def test_next_then_previous_clicked_quickly_shows_the_later_click(
    pmbot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    await set_policy(pmbot, [ALICE, DAVE], required=1)
    await seed(pmbot, ALICE, mine=1, followed=0, votes=120)
    home = await open_home(pmbot, ALICE)
    await click_in_view(pmbot, ids.HOME_SEE_ALL, button_value(home, ids.HOME_SEE_ALL), user=ALICE, view=home)
    [first] = await pmbot.fake.wait_for("views.update")
    view_id = first.params["view_id"]
    await click_in_view(
        pmbot,
        ids.HOME_LIST_PAGE,
        button_value(first.params["view"], ids.HOME_LIST_PAGE),
        user=ALICE,
        view=pmbot.fake.views[view_id],
    )
    await pmbot.fake.wait_for("views.update", count=2)
    middle = pmbot.fake.views[view_id]
    assert "51 to 100 of 120" in shown(middle)

    # Both clicks come from the middle page, so both carry its hash: the second one conflicts.
    await click_in_view(
        pmbot, ids.HOME_LIST_PAGE, button_value(middle, ids.HOME_LIST_PAGE), user=ALICE, view=middle
    )
    await pmbot.fake.wait_for("views.update", count=3)
    await click_in_view(pmbot, PREVIOUS, button_value(middle, PREVIOUS), user=ALICE, view=middle)

    updates = await pmbot.fake.wait_for("views.update", count=5)
    assert [call.response.get("error") for call in updates[2:]] == [None, "hash_conflict", None]
    assert "1 to 50 of 120" in shown(pmbot.fake.views[view_id])
    no_errors(caplog)


async def test_an_expired_trigger_from_a_command_is_told_ephemerally(pmbot: Harness) -> None:
    pmbot.fake.fail_next("views.open", error="expired_trigger_id")

    response = await pmbot.command("", response_url=pmbot.fake.response_url("command"))

    assert response.status_code == 200
    [told] = await pmbot.fake.wait_for("response_url")
    assert told.params["text"] == CLICK_AGAIN and told.params["response_type"] == "ephemeral"


async def test_an_expired_trigger_from_the_home_tab_is_told_by_dm(pmbot: Harness) -> None:
    await seed(pmbot, ALICE, mine=30, followed=0, votes=0)
    home = await open_home(pmbot, ALICE)
    pmbot.fake.fail_next("views.open", error="expired_trigger_id")

    await click_in_view(pmbot, ids.HOME_SEE_ALL, button_value(home, ids.HOME_SEE_ALL), user=ALICE, view=home)

    [told] = await pmbot.fake.wait_for(
        "chat.postMessage", where=lambda call: call.params.get("channel") == ALICE
    )
    assert told.params["text"] == CLICK_AGAIN
    assert not pmbot.fake.calls_to("views.update")
