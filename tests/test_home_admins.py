"""pmbot admins and the admin settings on the Home tab: who sees them, who may submit them, the audit."""

from __future__ import annotations

from typing import Any

import pytest

from bot.services.settings.service import DigestDefaults
from bot.views import ids
from storage import audit
from tests.fakes import payloads
from tests.harness import ADMIN, ALICE, BOB, CAROL, Harness
from tests.home_steps import TEAM, buttons, click_in_view, next_publish, open_home, publishes, shown
from tests.roadmap_steps import (
    ANNOUNCE,
    APPROVALS,
    answer,
    approve,
    card_calls,
    get_proposal,
    propose_add,
    set_policy,
)

ADMINS_ARE = "Admins are the workspace's admins and owners, and the people named pmbot admins."
ADMIN_BUTTONS = {
    ids.HOME_OPEN_SETTINGS,
    ids.HOME_OPEN_POLICY,
    ids.HOME_OPEN_ADMINS,
    ids.HOME_DIGEST_DEFAULTS,
    ids.HOME_LAUNCH_TEMPLATES,
}


def admins_values(users: list[str]) -> dict[str, Any]:
    return {ids.PMBOT_ADMINS: {ids.VALUE: payloads.multi_users_select(users)}}


def digest_values(weekday: str | None, at: str | None) -> dict[str, Any]:
    return {
        ids.DEFAULT_DIGEST_DAY: {ids.VALUE: payloads.static_select(weekday)},
        ids.DEFAULT_DIGEST_TIME: {ids.VALUE: payloads.timepicker(at)},
    }


def settings_values() -> dict[str, Any]:
    return {
        ids.INTAKE_CHANNEL: {ids.VALUE: payloads.conversations_select("C_NEW_INTAKE")},
        ids.TRIAGERS: {ids.VALUE: payloads.multi_users_select([BOB])},
    }


def policy_values() -> dict[str, Any]:
    return {
        ids.APPROVERS: {ids.VALUE: payloads.multi_users_select([BOB, CAROL])},
        ids.APPROVER_GROUP: {ids.APPROVER_GROUP_PICKER: payloads.external_select(None)},
        ids.REQUIRED_APPROVALS: {ids.VALUE: {"type": "number_input", "value": "1"}},
        ids.EXPIRY_DAYS: {ids.VALUE: {"type": "number_input", "value": "5"}},
        ids.APPROVALS_CHANNEL: {ids.VALUE: payloads.conversations_select(APPROVALS)},
        ids.ANNOUNCEMENTS_CHANNEL: {ids.VALUE: payloads.conversations_select(ANNOUNCE)},
    }


# Every settings modal, a valid submission of it, and the block its refusal is shown on.
SETTINGS_SUBMISSIONS = {
    "requests": (ids.SETTINGS_MODAL, settings_values, ids.INTAKE_CHANNEL),
    "approvals": (ids.POLICY_MODAL, policy_values, ids.APPROVERS),
    "admins": (ids.ADMINS_MODAL, lambda: admins_values([ALICE]), ids.PMBOT_ADMINS),
    "digest": (ids.DIGEST_DEFAULTS_MODAL, lambda: digest_values("4", "16:30"), ids.DEFAULT_DIGEST_TIME),
}


async def name_admins(pmbot: Harness, users: list[str], *, by: str = ADMIN) -> None:
    """Name the pmbot admins through their modal."""
    response = await pmbot.submit_as_a_person(ids.ADMINS_MODAL, admins_values(users), user=by)
    assert response.status_code == 200 and response.text in ("", "{}"), response.text


async def workspace_log(pmbot: Harness) -> list[Any]:
    async with pmbot.services.db.read() as session:
        return await audit.list_changes(session, team_id=TEAM, entity="workspace", entity_id=0)


async def test_a_named_pmbot_admin_sees_the_settings_and_opens_every_modal(pmbot: Harness) -> None:
    await pmbot.set_intake(triagers=[BOB])
    await name_admins(pmbot, [CAROL])

    home = await open_home(pmbot, CAROL)

    assert set(buttons(home)) >= ADMIN_BUTTONS
    assert "*pmbot admins*\n<@U_CAROL> (besides the workspace's admins and owners)" in shown(home)
    assert "Weekly digest defaults" in shown(home) and "Launch templates" in shown(home)
    opened = []
    for action_id in (
        ids.HOME_OPEN_SETTINGS,
        ids.HOME_OPEN_POLICY,
        ids.HOME_OPEN_ADMINS,
        ids.HOME_DIGEST_DEFAULTS,
    ):
        await click_in_view(pmbot, action_id, "settings", user=CAROL, view=home)
        opened.append((await pmbot.fake.wait_for("views.update", count=len(opened) + 1))[-1])
    callbacks = [call.params["view"].get("callback_id") for call in opened]
    assert callbacks == [ids.SETTINGS_MODAL, ids.POLICY_MODAL, ids.ADMINS_MODAL, ids.DIGEST_DEFAULTS_MODAL]
    assert opened[2].params["view"]["blocks"][1]["element"]["initial_users"] == [CAROL]


async def test_a_named_pmbot_admin_can_submit_every_settings_modal(pmbot: Harness) -> None:
    await pmbot.set_intake()
    await name_admins(pmbot, [CAROL])

    for callback_id, values, _block in SETTINGS_SUBMISSIONS.values():
        submitted = values() if callback_id != ids.ADMINS_MODAL else admins_values([CAROL, ALICE])
        response = await pmbot.submit_as_a_person(callback_id, submitted, user=CAROL)
        assert response.status_code == 200 and response.text in ("", "{}"), (callback_id, response.text)

    assert (await pmbot.services.workspace.get(TEAM)).intake_channel_id == "C_NEW_INTAKE"
    assert (await pmbot.services.workspace.approval_settings(TEAM)).approver_ids == [BOB, CAROL]
    assert await pmbot.services.workspace.admin_ids(TEAM) == [ALICE, CAROL]
    assert await pmbot.services.workspace.digest_defaults(TEAM) == DigestDefaults(4, 16, 30)
    actions = [(entry.actor_id, entry.action) for entry in await workspace_log(pmbot)][-4:]
    assert actions == [
        (CAROL, "settings_changed"),
        (CAROL, "approval_policy_changed"),
        (CAROL, "admins_changed"),
        (CAROL, "digest_defaults_changed"),
    ]


@pytest.mark.parametrize("which", list(SETTINGS_SUBMISSIONS))
async def test_a_non_admins_submission_of_any_settings_modal_is_refused(pmbot: Harness, which: str) -> None:
    callback_id, values, block_id = SETTINGS_SUBMISSIONS[which]
    await pmbot.set_intake(triagers=[ALICE])  # a triager, but no admin
    await name_admins(pmbot, [CAROL])
    before = await workspace_log(pmbot)

    response = await pmbot.submit(callback_id, values(), user=ALICE)

    body = response.json()
    assert body["response_action"] == "errors"
    assert list(body["errors"]) == [block_id]
    assert body["errors"][block_id].startswith("Only admins can ") and ADMINS_ARE in body["errors"][block_id]
    assert len(await workspace_log(pmbot)) == len(before)
    assert await pmbot.services.workspace.admin_ids(TEAM) == [CAROL]
    assert await pmbot.services.workspace.digest_defaults(TEAM) == DigestDefaults()


async def test_a_non_admin_sees_no_settings_and_is_refused_in_the_new_modals(pmbot: Harness) -> None:
    await pmbot.set_intake()
    await name_admins(pmbot, [CAROL])
    admin_home = await open_home(pmbot, ADMIN)

    alice = await open_home(pmbot, ALICE)
    for action_id in (ids.HOME_OPEN_ADMINS, ids.HOME_DIGEST_DEFAULTS):  # forged: Alice has no such button
        await click_in_view(pmbot, action_id, "forged", user=ALICE, view=admin_home)

    assert not ADMIN_BUTTONS & set(buttons(alice))
    assert "Settings" not in shown(alice) and "pmbot admins" not in shown(alice)
    for update in await pmbot.fake.wait_for("views.update", count=2):
        assert "callback_id" not in update.params["view"] and "submit" not in update.params["view"]
        assert "Only admins can" in update.params["view"]["blocks"][0]["text"]["text"]


async def test_naming_and_removing_an_admin_is_audited_and_refreshes_their_home(pmbot: Harness) -> None:
    await pmbot.set_intake()
    assert "Settings" not in shown(await open_home(pmbot, CAROL))
    seen = len(publishes(pmbot, CAROL))

    await name_admins(pmbot, [CAROL])

    named = await next_publish(pmbot, CAROL, seen)
    assert ids.HOME_OPEN_ADMINS in buttons(named.params["view"])
    seen = len(publishes(pmbot, CAROL))
    await name_admins(pmbot, [])
    removed = await next_publish(pmbot, CAROL, seen)
    assert "Settings" not in shown(removed.params["view"])
    first, second = [entry for entry in await workspace_log(pmbot) if entry.action == "admins_changed"]
    assert (first.actor_id, first.before, first.after) == (ADMIN, {"admins": []}, {"admins": [CAROL]})
    assert (second.before, second.after) == ({"admins": [CAROL]}, {"admins": []})


async def test_a_pmbot_admin_may_not_remove_themselves_but_a_workspace_admin_may_clear_the_list(
    pmbot: Harness,
) -> None:
    await name_admins(pmbot, [CAROL, BOB])

    refused = await pmbot.submit(ids.ADMINS_MODAL, admins_values([BOB]), user=CAROL)
    await name_admins(pmbot, [CAROL], by=CAROL)  # removing someone else is fine
    await name_admins(pmbot, [], by=ADMIN)  # Slack's admins stay admins: nobody is locked out

    assert refused.json()["errors"] == {
        ids.PMBOT_ADMINS: "Keep yourself in the list: you would lose access to these settings. "
        "Another admin can remove you."
    }
    assert await pmbot.services.workspace.admin_ids(TEAM) == []
    assert [e.after for e in await workspace_log(pmbot)] == [
        {"admins": [BOB, CAROL]},
        {"admins": [CAROL]},
        {"admins": []},
    ]


async def test_digest_defaults_are_saved_audited_shown_and_offered_again(pmbot: Harness) -> None:
    await pmbot.set_intake()
    home = await open_home(pmbot, ADMIN)
    assert "on Monday at 09:00" in shown(home)

    missing = await pmbot.submit(ids.DIGEST_DEFAULTS_MODAL, digest_values("3", None), user=ADMIN)
    saved = await pmbot.submit(ids.DIGEST_DEFAULTS_MODAL, digest_values("3", "16:45"), user=ADMIN)

    assert list(missing.json()["errors"]) == [ids.DEFAULT_DIGEST_TIME]
    assert saved.status_code == 200 and saved.text in ("", "{}")
    assert await pmbot.services.workspace.digest_defaults(TEAM) == DigestDefaults(3, 16, 45)
    [entry] = [e for e in await workspace_log(pmbot) if e.action == "digest_defaults_changed"]
    assert (entry.actor_id, entry.before, entry.after) == (
        ADMIN,
        {"weekday": 0, "hour": 9, "minute": 0},
        {"weekday": 3, "hour": 16, "minute": 45},
    )
    home = await open_home(pmbot, ADMIN)
    assert "on Thursday at 16:45" in shown(home)
    await click_in_view(pmbot, ids.HOME_DIGEST_DEFAULTS, "settings:digest", user=ADMIN, view=home)
    [modal] = await pmbot.fake.wait_for("views.update")
    inputs = {b["block_id"]: b["element"] for b in modal.params["view"]["blocks"] if b["type"] == "input"}
    assert inputs[ids.DEFAULT_DIGEST_DAY]["initial_option"]["value"] == "3"
    assert inputs[ids.DEFAULT_DIGEST_TIME]["initial_time"] == "16:45"


async def test_a_settings_save_refreshes_every_named_admins_home(pmbot: Harness) -> None:
    await pmbot.set_intake()
    await name_admins(pmbot, [CAROL])
    assert "Intake channel: <#C_INTAKE>" in shown(await open_home(pmbot, CAROL))
    seen = len(publishes(pmbot, CAROL))

    await pmbot.submit(ids.SETTINGS_MODAL, settings_values(), user=ADMIN)

    refreshed = await next_publish(pmbot, CAROL, seen)
    assert "Intake channel: <#C_NEW_INTAKE>" in shown(refreshed.params["view"])


async def test_while_no_approvers_are_named_a_pmbot_admin_approves_and_hears_of_proposals(
    pmbot: Harness,
) -> None:
    await name_admins(pmbot, [CAROL])
    assert "Nothing waits for your vote" in shown(await open_home(pmbot, CAROL))
    seen = len(publishes(pmbot, CAROL))

    await propose_add(pmbot, "Global search", user=ALICE)

    refreshed = await next_publish(pmbot, CAROL, seen)
    assert "*CHG-1* Add “Global search”" in shown(refreshed.params["view"])
    assert await pmbot.services.permissions.is_approver(TEAM, CAROL)
    assert not await pmbot.services.permissions.is_approver(TEAM, BOB)


async def test_while_no_triagers_are_named_a_pmbot_admin_triages(pmbot: Harness) -> None:
    await pmbot.set_intake()
    await name_admins(pmbot, [CAROL])
    number = await pmbot.file("Export the roadmap to CSV", user=ALICE)

    await pmbot.click(ids.ACCEPT, number, user=CAROL)

    async def accepted() -> bool:
        return (await pmbot.services.requests.get(TEAM, number)).request.status == "accepted"

    await pmbot.until(accepted)
    assert not await pmbot.services.permissions.is_triager(TEAM, BOB)


async def test_while_no_approver_is_named_the_pmbot_admins_get_the_approval_card(pmbot: Harness) -> None:
    await name_admins(pmbot, [CAROL])
    await set_policy(pmbot, [], 1)

    await propose_add(pmbot, "Dark mode", user=ALICE)
    await pmbot.settled()

    assert [call for call in card_calls(pmbot, 1, "chat.postMessage") if call.params["channel"] == CAROL]
    said = await answer(pmbot, await approve(pmbot, 1, CAROL))
    assert (await get_proposal(pmbot, 1)).status == "approved", said


async def test_on_a_first_run_everyone_else_is_told_which_pmbot_admins_to_ask(pmbot: Harness) -> None:
    await name_admins(pmbot, [CAROL])

    home = await open_home(pmbot, ALICE)

    assert "Ask a pmbot admin (<@U_CAROL>) or a workspace admin" in shown(home)


async def test_while_no_approver_is_named_the_pmbot_admins_are_reminded(pmbot: Harness) -> None:
    await name_admins(pmbot, [CAROL])
    await set_policy(pmbot, [], 1)
    await propose_add(pmbot, "Webhooks", user=ALICE)
    await pmbot.settled()

    pmbot.clock.advance(days=2, minutes=1)
    assert await pmbot.services.roadmap.sweep() == 1
    await pmbot.settled()

    reminders = [
        call
        for call in pmbot.fake.calls_to("chat.postMessage")
        if call.params["text"] == "CHG-1 waits for your vote"
    ]
    assert [call.params["channel"] for call in reminders] == [CAROL]
