"""Launch holes a played-through launch found; each test failed before its fix."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from bot.services.launches import changes as fields
from bot.services.launches import templates
from bot.views import ids
from storage.models import Launch
from tests.fakes import payloads
from tests.harness import ADMIN, ALICE, BOB, CAROL, SECRET, Harness
from tests.launch_steps import (
    TEAM,
    click,
    create_launch,
    in_days,
    items_of,
    launch_command,
    launch_values,
    save_template,
    submit_launch,
)
from tests.slack_limits import problems_in_view
from tests.test_triage import dm_text, dms_to


async def test_template_text_longer_than_the_modal_allows_is_refused_on_the_server(pmbot: Harness) -> None:
    lines = "\n".join(f"-{n % 30}d Item number {n:03d} with a longer title here" for n in range(80))
    assert len(lines) > templates.TEXT_MAX

    response = await save_template(pmbot, "Huge", lines, user="U_ADMIN")

    error = response.json()["errors"][templates.TEMPLATE_ITEMS]
    assert f"under {templates.TEXT_MAX:,} characters" in error


async def test_a_new_item_owner_is_told_it_is_theirs_to_do(pmbot: Harness) -> None:
    launch = await create_launch(pmbot)  # Alice owns it
    first, *_ = await items_of(pmbot, launch.number)
    values = {
        fields.ITEM_OWNER: {ids.VALUE: payloads.users_select(BOB)},
        fields.ITEM_DUE: {ids.VALUE: payloads.datepicker(first.due_date.isoformat())},
    }

    response = await pmbot.submit(
        ids.LAUNCH_ITEM_MODAL, values, user=ALICE, private_metadata=json.dumps({"item_id": first.id})
    )

    assert response.text in ("", "{}"), response.text
    [dm] = await pmbot.fake.wait_for("chat.postMessage", where=lambda call: call.params["channel"] == BOB)
    said_to_bob = dm_text(dm)
    assert f"<@{ALICE}> made you the owner of “{first.title}” on *LCH-1" in said_to_bob
    assert "It is yours to do" in said_to_bob and "because you follow" not in said_to_bob
    thread = (
        f"https://acme.slack.com/archives/{launch.channel_id}/p{(launch.parent_ts or '').replace('.', '')}"
    )
    assert f"tick it off in <{thread}|the launch's thread> in <#{launch.channel_id}>" in said_to_bob
    assert "overdue" not in said_to_bob  # due in the future


async def test_go_no_go_deciders_are_told_when_named(pmbot: Harness) -> None:
    await create_launch(pmbot, deciders=[BOB, CAROL, ALICE])
    await pmbot.settled()

    for decider in (BOB, CAROL):
        [dm] = dms_to(pmbot, decider)
        assert "made you a go / no-go decider for *LCH-1" in dm_text(dm)
    assert not [call for call in dms_to(pmbot, ALICE) if "decider" in dm_text(call)]  # she named herself


async def test_change_date_is_refused_before_its_form_for_anyone_but_the_owner(pmbot: Harness) -> None:
    launch = await create_launch(pmbot)
    updates = len(pmbot.fake.calls_to("views.update"))

    name = await click(pmbot, ids.LAUNCH_CHANGE_DATE, launch, user=BOB)

    [refusal] = (await pmbot.fake.wait_for("views.update", count=updates + 1))[-1:]
    assert "callback_id" not in refusal.params["view"]
    assert "Only LCH-1's owner and admins can change its date" in json.dumps(refusal.params["view"])
    # Said once, in the modal on screen: no ephemeral message repeats it.
    assert [c for c in pmbot.fake.calls_to("response_url") if c.params["name"] == name] == []
    assert "Its owner is <@U_ALICE>." in json.dumps(refusal.params["view"])


async def test_a_template_that_starts_overdue_is_said_in_the_modal_before_the_launch_is_made(
    pmbot: Harness,
) -> None:
    values = launch_values("Rushed", in_days(pmbot, 3))  # the Standard launch starts 21 days out

    first = await pmbot.submit(ids.LAUNCH_MODAL, values, user=ALICE)

    shown = first.json()
    assert shown["response_action"] == "update"
    warning = shown["view"]["blocks"][0]["text"]["text"]
    assert "would be overdue the moment it is created" in warning and "create it again" in warning
    assert not re.search(r"\d{4}-\d{2}-\d{2}", warning), "a date a person reads, not an ISO one"
    assert problems_in_view(shown["view"]) == []
    assert await launches(pmbot) == []

    again = await pmbot.submit(
        ids.LAUNCH_MODAL, values, user=ALICE, private_metadata=shown["view"]["private_metadata"]
    )

    assert again.text in ("", "{}"), again.text
    assert [launch.name for launch in await launches(pmbot)] == ["Rushed"]

    [rushed] = await launches(pmbot)
    late = next(item for item in await items_of(pmbot, rushed.number) if item.due_date < in_days(pmbot, 0))
    await pmbot.submit(
        ids.LAUNCH_ITEM_MODAL,
        {
            fields.ITEM_OWNER: {ids.VALUE: payloads.users_select(BOB)},
            fields.ITEM_DUE: {ids.VALUE: payloads.datepicker(late.due_date.isoformat())},
        },
        user=ALICE,
        private_metadata=json.dumps({"item_id": late.id}),
    )
    [dm] = await pmbot.fake.wait_for("chat.postMessage", where=lambda call: call.params["channel"] == BOB)
    assert "— already overdue. It is yours to do" in dm_text(dm)


async def launches(pmbot: Harness) -> list[Launch]:
    async with pmbot.services.db.read() as session:
        return list((await session.execute(select(Launch))).scalars())


async def test_past_100_templates_the_modal_offers_a_type_ahead_that_finds_every_one(pmbot: Harness) -> None:
    for n in range(120):
        await pmbot.services.launch_templates.save(TEAM, ADMIN, f"Template {n:03d}", "-1d Check")
    before = len(pmbot.fake.calls_to("views.open"))
    await launch_command(pmbot, "new")
    await pmbot.fake.wait_for("views.open", count=before + 1)
    [update] = (await pmbot.fake.wait_for("views.update", count=before + 1))[before:]
    view = update.params["view"]
    assert problems_in_view(view) == []
    [picker] = [b["element"] for b in view["blocks"] if b.get("block_id") == fields.TEMPLATE]
    assert picker["type"] == "external_select" and picker["action_id"] == ids.TEMPLATE_PICKER

    response = await pmbot.send(
        payloads.block_suggestion(
            SECRET,
            action_id=ids.TEMPLATE_PICKER,
            block_id=fields.TEMPLATE,
            value="template 119",
            view={"callback_id": ids.LAUNCH_MODAL},
        )
    )

    assert [o["value"] for o in response.json()["options"]] == ["Template 119"]
    values = launch_values("Late one", in_days(pmbot, 40))
    values[fields.TEMPLATE] = {ids.TEMPLATE_PICKER: payloads.external_select("Template 119", "Template 119")}
    assert (await submit_launch(pmbot, values)).text in ("", "{}")
    [made] = await launches(pmbot)
    assert made.template_name == "Template 119"
