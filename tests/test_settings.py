"""`/request settings`: the modal opens at once, admins save, everyone else is refused and audited nothing."""

from __future__ import annotations

from typing import Any

from bot.services.settings.service import WorkspaceSettings
from bot.views import ids
from storage import audit
from tests.fakes import Call, payloads
from tests.harness import ADMIN, ALICE, BOB, CAROL, INTAKE, Harness
from tests.slack_limits import problems_in_view

TEAM = "T_TEST"
ONLY_ADMINS = (
    "Only admins can change pmbot's settings. "
    "Admins are the workspace's admins and owners, and the people named pmbot admins."
)


def settings_values(channel: str | None, triagers: list[str]) -> dict[str, Any]:
    return {
        ids.INTAKE_CHANNEL: {ids.VALUE: payloads.conversations_select(channel)},
        ids.TRIAGERS: {ids.VALUE: payloads.multi_users_select(triagers)},
    }


async def open_settings(pmbot: Harness, user: str) -> tuple[Call, Call]:
    """Run `/request settings`; returns the views.open and the views.update that followed."""
    response = await pmbot.command("settings", user=user, response_url=pmbot.fake.response_url("settings"))
    assert response.status_code == 200 and response.text == ""
    [opened] = await pmbot.fake.wait_for("views.open")
    [updated] = await pmbot.fake.wait_for("views.update")
    return opened, updated


async def settings_log(pmbot: Harness) -> list[Any]:
    async with pmbot.services.db.read() as session:
        return await audit.list_changes(session, team_id=TEAM, entity="workspace", entity_id=0)


async def current(pmbot: Harness) -> WorkspaceSettings:
    return await pmbot.services.workspace.get(TEAM)


async def test_an_admin_gets_a_loading_modal_then_the_settings(pmbot: Harness) -> None:
    await pmbot.set_intake(triagers=[CAROL, BOB])

    opened, updated = await open_settings(pmbot, ADMIN)

    loading = opened.params["view"]
    assert "Loading" in loading["blocks"][0]["text"]["text"]
    assert "submit" not in loading and "callback_id" not in loading
    assert updated.params["view_id"] == opened.response["view"]["id"]
    assert updated.params["hash"] == opened.response["view"]["hash"]
    assert not updated.failed
    view = updated.params["view"]
    assert view["callback_id"] == ids.SETTINGS_MODAL
    assert problems_in_view(view) == []
    inputs = {block["block_id"]: block["element"] for block in view["blocks"] if block["type"] == "input"}
    assert inputs[ids.INTAKE_CHANNEL]["initial_conversation"] == INTAKE
    assert inputs[ids.TRIAGERS]["initial_users"] == [BOB, CAROL]


async def test_a_first_time_admin_sees_empty_settings(pmbot: Harness) -> None:
    _, updated = await open_settings(pmbot, ADMIN)

    # The trigger id was used before the slow look-up of the person's admin flag.
    order = [call.method for call in pmbot.fake.calls if call.method in ("views.open", "users.info")]
    assert order == ["views.open", "users.info"]
    view = updated.params["view"]
    inputs = {block["block_id"]: block["element"] for block in view["blocks"] if block["type"] == "input"}
    assert "initial_conversation" not in inputs[ids.INTAKE_CHANNEL]
    assert "initial_users" not in inputs[ids.TRIAGERS]


async def test_a_non_admin_is_shown_a_refusal_with_nothing_to_save(pmbot: Harness) -> None:
    _, updated = await open_settings(pmbot, ALICE)

    view = updated.params["view"]
    assert ONLY_ADMINS in view["blocks"][0]["text"]["text"]
    assert "submit" not in view and "callback_id" not in view
    assert not any(block["type"] == "input" for block in view["blocks"])
    # One refusal: the modal on screen says it, no ephemeral message repeats it.
    assert pmbot.fake.calls_to("response_url") == []


async def test_a_refusal_the_modal_cannot_show_is_said_ephemerally_instead(pmbot: Harness) -> None:
    pmbot.fake.fail_next("views.update", error="not_found")

    response = await pmbot.command("settings", user=ALICE, response_url=pmbot.fake.response_url("settings"))

    assert response.status_code == 200
    [told] = await pmbot.fake.wait_for("response_url")
    assert told.params["text"] == ONLY_ADMINS and told.params["response_type"] == "ephemeral"


async def test_a_triager_who_is_not_an_admin_is_refused_too(pmbot: Harness) -> None:
    await pmbot.set_intake(triagers=[CAROL])

    _, updated = await open_settings(pmbot, CAROL)

    assert ONLY_ADMINS in updated.params["view"]["blocks"][0]["text"]["text"]


async def test_a_forged_submission_by_a_non_admin_is_refused_and_changes_nothing(pmbot: Harness) -> None:
    await pmbot.set_intake(triagers=[CAROL])
    before_log = await settings_log(pmbot)
    posts_before = len(pmbot.fake.calls_to("chat.postMessage"))

    response = await pmbot.submit(ids.SETTINGS_MODAL, settings_values("C_MINE", [ALICE]), user=ALICE)

    body = response.json()
    assert body["response_action"] == "errors"
    assert body["errors"] == {ids.INTAKE_CHANNEL: ONLY_ADMINS}
    assert await current(pmbot) == WorkspaceSettings(intake_channel_id=INTAKE, triager_ids=[CAROL])
    assert len(await settings_log(pmbot)) == len(before_log)
    assert len(pmbot.fake.calls_to("chat.postMessage")) == posts_before


async def test_an_admins_save_is_applied_confirmed_and_audited(pmbot: Harness) -> None:
    await pmbot.set_intake(channel="C_OLD", triagers=[CAROL])

    response = await pmbot.submit(ids.SETTINGS_MODAL, settings_values(INTAKE, [BOB, CAROL, BOB]), user=ADMIN)

    assert response.status_code == 200 and response.text in ("", "{}")
    assert await current(pmbot) == WorkspaceSettings(intake_channel_id=INTAKE, triager_ids=[BOB, CAROL])
    first, second = await settings_log(pmbot)
    assert (second.actor_id, second.action) == (ADMIN, "settings_changed")
    assert second.before == {"intake_channel_id": "C_OLD", "triagers": [CAROL]}
    assert second.after == {"intake_channel_id": INTAKE, "triagers": [BOB, CAROL]}
    assert first.after == {"intake_channel_id": "C_OLD", "triagers": [CAROL]}
    confirmations = await pmbot.fake.wait_for(
        "chat.postMessage", count=2, where=lambda call: call.params["channel"] == ADMIN
    )
    assert f"<#{INTAKE}>" in confirmations[-1].params["text"]
    assert "<@U_BOB>, <@U_CAROL>" in confirmations[-1].params["text"]


async def test_saving_without_a_channel_is_refused_inline(pmbot: Harness) -> None:
    response = await pmbot.submit(ids.SETTINGS_MODAL, settings_values(None, [CAROL]), user=ADMIN)

    body = response.json()
    assert body["response_action"] == "errors" and list(body["errors"]) == [ids.INTAKE_CHANNEL]
    assert await current(pmbot) == WorkspaceSettings(intake_channel_id=None, triager_ids=[])
    assert await settings_log(pmbot) == []


async def test_new_triagers_take_effect_at_once(pmbot: Harness) -> None:
    await pmbot.set_intake(triagers=[CAROL])
    number = await pmbot.file("Dark mode please")

    await pmbot.submit(ids.SETTINGS_MODAL, settings_values(INTAKE, [BOB]), user=ADMIN)
    await pmbot.click(ids.ACCEPT, number, user=BOB)

    await pmbot.until(lambda: accepted(pmbot, number))


async def accepted(pmbot: Harness, number: int) -> bool:
    return (await pmbot.services.requests.get(TEAM, number)).request.status == "accepted"
