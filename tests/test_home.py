"""The App Home tab: each person's own queue, settings for admins only, first run, Slack's limits."""

from __future__ import annotations

import json

from bot.manifest import build_manifest
from bot.views import ids
from tests.fakes import payloads
from tests.harness import ADMIN, ALICE, BOB, CAROL, DAVE, SECRET, Harness
from tests.home_steps import (
    button_value,
    buttons,
    click_in_view,
    open_home,
    publishes,
    seed,
    shown,
)
from tests.roadmap_steps import APPROVALS, approve, propose_add, set_policy
from tests.slack_limits import SURFACE_BLOCKS, problems_in_blocks, problems_in_view

ONLY_ADMINS = (
    "Only admins can change pmbot's settings. "
    "Admins are the workspace's admins and owners, and the people named pmbot admins."
)
SETTINGS_BUTTONS = {ids.HOME_OPEN_SETTINGS, ids.HOME_OPEN_POLICY}


async def test_three_people_each_see_their_own_queue(pmbot: Harness) -> None:
    await pmbot.set_intake(triagers=[CAROL])
    await set_policy(pmbot, [BOB, CAROL, DAVE], required=2)
    export = await pmbot.file("Export the roadmap to CSV", user=ALICE)
    declined = await pmbot.file("Make it purple", user=ALICE)
    dark = await pmbot.file("Dark mode for the dashboard", user=BOB)
    await pmbot.click(ids.FOLLOW, dark, user=ALICE)
    reason = {ids.REASON: {ids.VALUE: payloads.plain_text("Not on brand")}}
    metadata = json.dumps({"number": declined})
    await pmbot.submit(ids.DECLINE_MODAL, reason, user=CAROL, private_metadata=metadata)
    await propose_add(pmbot, "Global search", user=ALICE)
    await pmbot.fake.wait_for("chat.postMessage", where=lambda c: c.params.get("channel") == APPROVALS)
    await approve(pmbot, 1, CAROL)
    await pmbot.settled()

    alice, bob, carol = [shown(await open_home(pmbot, user)) for user in (ALICE, BOB, CAROL)]

    assert f"REQ-{export}* Export the roadmap to CSV" in alice
    assert f"REQ-{declined}*" not in alice  # declined: no longer open
    assert f"REQ-{dark}* Dark mode for the dashboard" in alice and "asked by <@U_BOB>" in alice
    assert "Waiting for your vote" not in alice  # not an approver
    assert "*CHG-1* Add “Global search”" in bob and "proposed by <@U_ALICE>" in bob
    assert f"REQ-{dark}* Dark mode" in bob and f"REQ-{export}*" not in bob
    assert "CHG-1" not in carol  # she voted already
    assert "Nothing waits for your vote" in carol
    # Carol triages: the two requests nobody has triaged wait for her, the declined one does not.
    assert "Waiting for triage* (2)" in carol and f"REQ-{declined}*" not in carol
    assert carol.count("REQ-") == 2


async def test_the_home_tab_shows_statuses_and_date_tokens(pmbot: Harness) -> None:
    await pmbot.set_intake(triagers=[CAROL])
    number = await pmbot.file("Export the roadmap to CSV", user=ALICE)
    await pmbot.click(ids.ACCEPT, number, user=CAROL)
    await pmbot.until(lambda: _status_is(pmbot, number, "accepted"))

    view = await open_home(pmbot, ALICE)

    assert view["type"] == "home"
    text = shown(view)
    assert ":white_check_mark: Accepted · updated <!date^" in text
    assert buttons(view)[:2] == [ids.OPEN_REQUEST_MODAL, ids.OPEN_PROPOSE_MODAL]
    assert problems_in_view(view) == []


async def test_the_messages_tab_is_acknowledged_and_publishes_nothing(pmbot: Harness) -> None:
    event = payloads.app_home_opened_event(ALICE, tab="messages")
    response = await pmbot.send(payloads.event(SECRET, event=event))

    assert response.status_code == 200
    await open_home(pmbot, BOB)  # a later event is handled, so the first one was too
    assert publishes(pmbot, ALICE) == []


async def test_only_admins_see_the_settings_section(pmbot: Harness) -> None:
    await pmbot.set_intake(channel="C_REQUESTS", triagers=[CAROL])
    await set_policy(pmbot, [BOB, DAVE], required=1)

    admin, alice = await open_home(pmbot, ADMIN), await open_home(pmbot, ALICE)

    assert set(buttons(admin)) >= SETTINGS_BUTTONS
    text = shown(admin)
    assert "Intake channel: <#C_REQUESTS>" in text and "Triagers: <@U_CAROL>" in text
    assert "Approvers: <@U_BOB>" in text and "1 approval needed" in text
    assert not SETTINGS_BUTTONS & set(buttons(alice))
    assert "Settings" not in shown(alice) and "C_REQUESTS" not in shown(alice)


async def test_an_admin_opens_the_settings_modals_from_the_home_tab(pmbot: Harness) -> None:
    await pmbot.set_intake(triagers=[CAROL])
    home = await open_home(pmbot, ADMIN)

    await click_in_view(pmbot, ids.HOME_OPEN_SETTINGS, "settings:requests", user=ADMIN, view=home)
    [settings] = await pmbot.fake.wait_for("views.update")
    await click_in_view(pmbot, ids.HOME_OPEN_POLICY, "settings:approvals", user=ADMIN, view=home)
    policy = (await pmbot.fake.wait_for("views.update", count=2))[-1]

    assert settings.params["view"]["callback_id"] == ids.SETTINGS_MODAL
    assert policy.params["view"]["callback_id"] == ids.POLICY_MODAL


async def test_a_non_admin_clicking_a_settings_button_is_refused_in_the_modal(pmbot: Harness) -> None:
    await pmbot.set_intake()
    admin_home = await open_home(pmbot, ADMIN)  # a non-admin never sees it: the click is forged

    for action_id in (ids.HOME_OPEN_SETTINGS, ids.HOME_OPEN_POLICY):
        await click_in_view(pmbot, action_id, "forged", user=ALICE, view=admin_home)

    updates = await pmbot.fake.wait_for("views.update", count=2)
    for update in updates:
        view = update.params["view"]
        assert "callback_id" not in view and "submit" not in view
        assert "Only admins can" in view["blocks"][0]["text"]["text"]
    assert pmbot.fake.calls_to("response_url") == []


async def test_a_non_admins_settings_submissions_are_refused(pmbot: Harness) -> None:
    await pmbot.set_intake(triagers=[CAROL])
    values = {
        ids.INTAKE_CHANNEL: {ids.VALUE: payloads.conversations_select("C_MINE")},
        ids.TRIAGERS: {ids.VALUE: payloads.multi_users_select([ALICE])},
    }

    response = await pmbot.submit(ids.SETTINGS_MODAL, values, user=ALICE)

    assert response.json() == {"response_action": "errors", "errors": {ids.INTAKE_CHANNEL: ONLY_ADMINS}}
    assert "Intake channel: <#C_INTAKE>" in shown(await open_home(pmbot, ADMIN))


async def test_first_run_walks_an_admin_through_the_three_settings(pmbot: Harness) -> None:
    home = await open_home(pmbot, ADMIN)

    text = shown(home)
    assert "Three settings and pmbot is ready" in text
    assert "*Intake channel*" in text and "*Triagers*" in text and "*Approvers*" in text
    steps = [b for b in buttons(home) if b in SETTINGS_BUTTONS]
    assert steps[:3] == [ids.HOME_OPEN_SETTINGS, ids.HOME_OPEN_SETTINGS, ids.HOME_OPEN_POLICY]
    assert problems_in_view(home) == []

    await click_in_view(pmbot, ids.HOME_OPEN_SETTINGS, "first_run:intake", user=ADMIN, view=home)
    [update] = await pmbot.fake.wait_for("views.update")
    assert update.params["view"]["callback_id"] == ids.SETTINGS_MODAL


async def test_first_run_tells_anyone_else_what_pmbot_does_and_whom_to_ask(pmbot: Harness) -> None:
    home = await open_home(pmbot, ALICE)

    text = shown(home)
    assert "pmbot does a product manager's coordination work" in text
    assert "Ask a workspace admin or owner" in text
    assert not SETTINGS_BUTTONS & set(buttons(home))
    assert ids.OPEN_REQUEST_MODAL in buttons(home)


async def test_the_first_run_guide_stays_until_all_three_settings_are_made_and_marks_them(
    pmbot: Harness,
) -> None:
    await pmbot.set_intake()  # the intake channel only: triagers and approvers are still to choose

    admin, alice = shown(await open_home(pmbot, ADMIN)), shown(await open_home(pmbot, ALICE))

    assert "2 more settings and pmbot is ready" in admin and "not set up" not in alice
    assert ":white_check_mark: 1. *Intake channel*" in admin and ":white_square: 2. *Triagers*" in admin
    assert ":white_square: 3. *Approvers*" in admin
    assert "Triagers: admins (nobody named)" in admin

    await pmbot.set_intake(triagers=[CAROL])
    await set_policy(pmbot, [BOB, DAVE], required=1)

    assert "pmbot is ready:" not in shown(await open_home(pmbot, ADMIN))


async def test_long_lists_stay_within_100_blocks_and_see_all_pages_through_them(pmbot: Harness) -> None:
    await set_policy(pmbot, [ALICE, DAVE], required=1)
    await seed(pmbot, ALICE, mine=400, followed=150, votes=120)

    home = await open_home(pmbot, ALICE)

    assert len(home["blocks"]) <= SURFACE_BLOCKS
    assert problems_in_view(home) == [] and problems_in_blocks(home["blocks"]) == []
    text = shown(home)
    assert "(400)" in text and "(150)" in text and "(120)" in text
    assert "See all 400" in text and "See all 150" in text and "See all 120" in text
    assert "Request &lt;400&gt; &amp; more" in text  # the newest first, escaped
    assert "Request <" not in text

    await click_in_view(pmbot, ids.HOME_SEE_ALL, button_value(home, ids.HOME_SEE_ALL), user=ALICE, view=home)
    [first] = await pmbot.fake.wait_for("views.update")
    page = first.params["view"]
    assert problems_in_view(page) == [] and len(page["blocks"]) <= SURFACE_BLOCKS
    assert "1 to 50 of 120" in shown(page) and "*CHG-1* Add" in shown(page)

    stored = pmbot.fake.views[first.params["view_id"]]
    await click_in_view(pmbot, ids.HOME_LIST_PAGE, _next_value(page), user=ALICE, view=stored)
    second = (await pmbot.fake.wait_for("views.update", count=2))[-1]
    assert not second.failed and "51 to 100 of 120" in shown(second.params["view"])


async def _status_is(pmbot: Harness, number: int, status: str) -> bool:
    return (await pmbot.services.requests.get("T_TEST", number)).request.status == status


def _next_value(view: dict) -> str:
    return button_value(view, ids.HOME_LIST_PAGE)


def test_the_manifest_enables_the_home_tab_and_its_event() -> None:
    manifest = build_manifest("https://pmbot.example.com")

    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert "app_home_opened" in manifest["settings"]["event_subscriptions"]["bot_events"]
