"""`/launch` answers, its modals (from the command, the buttons and the Home tab), and templates."""

from __future__ import annotations

from bot.manifest import COMMANDS
from bot.services.launches import changes as fields
from bot.services.launches import templates
from bot.views import ids
from tests.fakes import payloads
from tests.harness import ADMIN, ALICE, BOB, SECRET, Harness, ephemeral_text
from tests.launch_steps import (
    LAUNCHES,
    create_launch,
    items_of,
    launch_command,
    save_template,
    tick,
)
from tests.slack_limits import problems_in_message, problems_in_view


async def filled_modal(pmbot: Harness, opened_before: int) -> dict[str, object]:
    """The modal that replaced the loading one opened after `opened_before` views.open calls."""
    await pmbot.fake.wait_for("views.open", count=opened_before + 1)
    [update] = (await pmbot.fake.wait_for("views.update", count=opened_before + 1))[opened_before:]
    view = update.params["view"]
    assert problems_in_view(view) == [], problems_in_view(view)
    return view


async def test_list_one_launch_by_ref_or_name_and_help(pmbot: Harness) -> None:
    launch = await create_launch(pmbot, "Checkout v2 <b>")
    await tick(pmbot, launch, (await items_of(pmbot, 1))[0].id or 0, user=ALICE)

    listed = await launch_command(pmbot, "list")
    assert "LCH-1 · Checkout v2 &lt;b&gt;" in ephemeral_text(listed) and "▱▱▱▱▱ 1/13" in ephemeral_text(
        listed
    )
    assert problems_in_message(listed.json()) == []
    for typed in ("LCH-1", "lch-1", "checkout"):
        shown = ephemeral_text(await launch_command(pmbot, typed))
        assert (
            "LCH-1 · Checkout v2" in shown and "☑ Spec signed off" in shown and "☐ QA plan written" in shown
        )
    missing = ephemeral_text(await launch_command(pmbot, "nothing like it"))
    assert "No launch matches “nothing like it”" in missing and "/launch new" in missing
    assert "/launch gonogo" in ephemeral_text(await launch_command(pmbot, "help"))
    assert "Say which launch" in ephemeral_text(await launch_command(pmbot, "gonogo"))


async def test_launch_new_opens_the_modal_at_once_with_the_channel_and_owner_filled(pmbot: Harness) -> None:
    response = await launch_command(pmbot, "new")
    assert response.status_code == 200
    view = await filled_modal(pmbot, 0)
    assert view["callback_id"] == ids.LAUNCH_MODAL
    blocks = {block["block_id"]: block for block in view["blocks"] if "block_id" in block}  # type: ignore[union-attr]
    assert blocks[fields.CHANNEL]["element"]["initial_conversation"] == LAUNCHES
    assert blocks[fields.OWNER]["element"]["initial_user"] == ALICE
    assert blocks[fields.TEMPLATE]["element"]["initial_option"]["value"] == templates.STANDARD

    await pmbot.send(payloads.block_action(SECRET, action_id=ids.HOME_NEW_LAUNCH, value="home", user_id=BOB,
                                           view={"type": "home"}))  # fmt: skip
    assert (await filled_modal(pmbot, 1))["callback_id"] == ids.LAUNCH_MODAL


async def test_templates_admins_write_with_errors_naming_each_bad_line(pmbot: Harness) -> None:
    bad = "-7d Docs published\nDocs without days\n\n+400d Too far\n-1d []  Empty phase\n# a comment\n0d   "
    errors = (await save_template(pmbot, "Mobile", bad, user=ADMIN)).json()["errors"]
    message = errors[templates.TEMPLATE_ITEMS]
    assert message.startswith("Line 2 (“Docs without days”): start with the days from launch day")
    assert "Line 4 (“+400d Too far”): keep the days within 365" in message
    assert "Line 5" in message and "…and 1 more bad line." in message
    reserved = (await save_template(pmbot, "standard LAUNCH", "-1d Thing", user=ADMIN)).json()["errors"]
    assert "built in" in reserved[templates.TEMPLATE_NAME]
    refused = (await save_template(pmbot, "Mobile", "-1d Thing", user=BOB)).json()["errors"]
    assert "Only admins" in refused[templates.TEMPLATE_ITEMS]

    good = "-14d [Store] Store listing @marketing\n-2d Build submitted\n0d [Store] Release"
    assert (await save_template(pmbot, "Mobile", good, user=ADMIN)).text in ("", "{}")
    listed = ephemeral_text(await launch_command(pmbot, "templates", user=ADMIN))
    assert "*Standard launch* (built in, 13 items)" in listed and "*Mobile* (3 items)" in listed
    assert (
        "-14d [Store] Store listing @marketing" in listed and "-2d [Before launch] Build submitted" in listed
    )

    launch = await create_launch(pmbot, "App 3.0", template="Mobile")
    phases = [item.phase for item in await items_of(pmbot, launch.number)]
    assert phases == ["Store", "Before launch", "Store"]


async def test_the_template_modal_is_for_admins_from_the_home_tab_too(pmbot: Harness) -> None:
    await pmbot.send(payloads.block_action(SECRET, action_id=ids.HOME_LAUNCH_TEMPLATES, value="home",
                                           user_id=BOB, view={"type": "home"}))  # fmt: skip
    refused = await filled_modal(pmbot, 0)
    assert refused["title"]["text"] == "Not allowed"  # type: ignore[index]
    await pmbot.send(payloads.block_action(SECRET, action_id=ids.HOME_LAUNCH_TEMPLATES, value="home",
                                           user_id=ADMIN, view={"type": "home"}))  # fmt: skip
    assert (await filled_modal(pmbot, 1))["callback_id"] == ids.LAUNCH_TEMPLATE_MODAL


def test_the_manifest_declares_launch() -> None:
    assert "/launch" in [command["command"] for command in COMMANDS]
