"""A digest list that did not fit: "See all N" on the message opens a modal that pages through it."""

from __future__ import annotations

from datetime import timedelta

from bot.services.digests.content import DigestWindow
from bot.views import ids
from bot.views.common import as_dicts
from bot.views.digests.message import digest_message
from tests.digest_steps import NOW, WEEK_AGO, add_request
from tests.fakes import payloads
from tests.harness import ALICE, SECRET, Harness
from tests.home_steps import button_value, click_in_view, shown
from tests.slack_limits import problems_in_view


async def test_see_all_opens_the_whole_list_for_that_window_a_page_at_a_time(pmbot: Harness) -> None:
    async with pmbot.services.db.transaction() as session:
        for number in range(1, 61):
            await add_request(session, number, NOW - timedelta(hours=number), title=f"<!here> idea {number}")
        await add_request(session, 61, WEEK_AGO - timedelta(hours=1))  # before the window
    digest = await pmbot.services.digest_content.build(DigestWindow("T_TEST", WEEK_AGO, NOW))
    _, blocks = digest_message(digest)
    message = {"blocks": as_dicts(blocks), "text": "digest"}
    value = button_value(message, ids.DIGEST_SEE_ALL)

    clicked = await pmbot.send(
        payloads.block_action(
            SECRET, action_id=ids.DIGEST_SEE_ALL, value=value, user_id=ALICE, message=message
        )
    )

    assert clicked.status_code == 200
    [opened] = await pmbot.fake.wait_for("views.open")
    [first] = await pmbot.fake.wait_for("views.update")
    page = first.params["view"]
    assert problems_in_view(page) == [] and page["title"]["text"] == "New requests"
    assert "1 to 40 of 60" in shown(page)
    assert (
        "<https://acme.slack.com/archives/C_INTAKE/p1700000000000060|*REQ-60*> &lt;!here&gt; idea 60"
        in shown(page)
    )
    assert "REQ-61" not in shown(page)

    stored = pmbot.fake.views[first.params["view_id"]]
    await click_in_view(
        pmbot, ids.DIGEST_LIST_PAGE, button_value(page, ids.DIGEST_LIST_PAGE), user=ALICE, view=stored
    )
    second = (await pmbot.fake.wait_for("views.update", count=2))[-1]
    assert not second.failed and "41 to 60 of 60" in shown(second.params["view"])
    assert (
        "*REQ-1*" in shown(second.params["view"]) and opened.params["view"]["title"]["text"] == "New requests"
    )
