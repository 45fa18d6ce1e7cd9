"""Refusals say who can do it (the triagers, approvers or pmbot admins by name) and never point
someone who is not an admin to an admin-only command or setting."""

from __future__ import annotations

from sqlalchemy import select

from bot.views import ids
from storage.models.inbox import InboxEntry, InboxStatus
from tests.harness import ADMIN, ALICE, BOB, CAROL, DAVE, Harness
from tests.launch_steps import click, create_launch, items_of, tick
from tests.roadmap_steps import propose_add, set_policy, vote
from tests.test_home_admins import name_admins
from tests.test_settings import open_settings
from tests.test_triage import click_card, refusal

REFUSED_MARK_LAUNCHED = ":warning: Only LCH-1's owner and admins can mark it launched."
ADMIN_ONLY = ("`/request settings`", "`/roadmap settings`", "`/digest settings`", "settings`")


def points_nowhere_admin_only(said: str) -> bool:
    return not any(command in said for command in ADMIN_ONLY)


async def test_a_triage_refusal_names_the_triagers(pmbot: Harness) -> None:
    await pmbot.set_intake(triagers=[CAROL, DAVE])
    number = await pmbot.file("Dark mode", user=ALICE)
    await pmbot.settled()

    await click_card(pmbot, ids.ACCEPT, number, user=BOB)

    said = (await refusal(pmbot, ids.ACCEPT, BOB)).params["text"]
    assert "Only triagers can accept requests: <@U_CAROL>, <@U_DAVE>." in said
    assert points_nowhere_admin_only(said), said


async def test_while_no_triager_is_named_the_refusal_names_the_pmbot_admins(pmbot: Harness) -> None:
    await pmbot.set_intake(triagers=[])
    await name_admins(pmbot, [CAROL])
    number = await pmbot.file("Dark mode", user=ALICE)
    await pmbot.settled()

    await click_card(pmbot, ids.ACCEPT, number, user=BOB)

    said = (await refusal(pmbot, ids.ACCEPT, BOB)).params["text"]
    assert "while none are named, admins triage" in said and "The pmbot admins are <@U_CAROL>." in said
    assert points_nowhere_admin_only(said), said


async def test_a_vote_refusal_names_the_approvers(pmbot: Harness) -> None:
    await set_policy(pmbot, [ALICE, BOB], required=1)
    await propose_add(pmbot, "Audit log", user=ALICE)
    await pmbot.settled()

    said = await vote(pmbot, ids.APPROVE, 1, CAROL)

    assert "Only approvers can vote on roadmap changes: <@U_ALICE>, <@U_BOB>" in said
    assert points_nowhere_admin_only(said), said


async def test_a_settings_refusal_names_the_pmbot_admins(pmbot: Harness) -> None:
    await name_admins(pmbot, [CAROL], by=ADMIN)

    _, update = await open_settings(pmbot, user=BOB)

    said = update.params["view"]["blocks"][0]["text"]["text"]
    assert "Only admins can change pmbot's settings." in said and "The pmbot admins are <@U_CAROL>." in said
    assert points_nowhere_admin_only(said), said


async def test_a_refused_launch_click_says_the_refusal_and_nothing_else(pmbot: Harness) -> None:
    launch = await create_launch(pmbot, deciders=[BOB])

    name = await click(pmbot, ids.LAUNCH_MARK_LAUNCHED, launch, user=BOB)
    await pmbot.fake.wait_for("response_url", where=lambda call: call.params["name"] == name)
    await pmbot.until(lambda: all_answered(pmbot))

    calls = pmbot.fake.calls_to("response_url")
    told = [call.params["text"] for call in calls if call.params["name"] == name]
    assert told == [f"{REFUSED_MARK_LAUNCHED} Its owner is <@{ALICE}>."], "a refusal is no database failure"


async def all_answered(pmbot: Harness) -> bool:
    """Every recorded interaction is finished (done or failed), so nothing more will be told."""
    async with pmbot.services.db.read() as session:
        statuses = (await session.execute(select(InboxEntry.status))).scalars().all()
    return all(status in (InboxStatus.DONE, InboxStatus.FAILED) for status in statuses)


async def test_a_refused_tick_of_an_item_nobody_owns_names_only_who_can(pmbot: Harness) -> None:
    launch = await create_launch(pmbot, deciders=[BOB, CAROL])
    unowned = next(item for item in await items_of(pmbot, launch.number) if item.owner_id is None)

    name = await tick(pmbot, launch, unowned.id or 0, user=DAVE, refused=True)

    [answer] = await pmbot.fake.wait_for("response_url", where=lambda call: call.params["name"] == name)
    assert answer.params["text"] == (
        ":warning: Only LCH-1's owner <@U_ALICE>, its go / no-go deciders <@U_BOB> <@U_CAROL> and admins "
        "(the workspace's admins and owners, and the pmbot admins) can change it; nothing changed."
    ), "no empty “the item's owner” when the item has none"
