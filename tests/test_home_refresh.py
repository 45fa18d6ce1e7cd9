"""Home tabs are re-published through the outbox when something of the person's changes, once a burst."""

from __future__ import annotations

from sqlalchemy import select

from bot.views import ids
from storage.models import HomeViewer, OutboxJob
from tests.fakes import payloads
from tests.harness import ADMIN, ALICE, BOB, CAROL, DAVE, Harness
from tests.home_steps import TEAM, next_publish, open_home, publishes, shown
from tests.roadmap_steps import RATIONALE, approve, change, propose_add, set_policy, submit_change


async def test_a_change_to_a_request_refreshes_its_requesters_home(pmbot: Harness) -> None:
    await pmbot.set_intake(triagers=[CAROL])
    number = await pmbot.file("Export the roadmap to CSV", user=ALICE)
    assert ":new: New" in shown(await open_home(pmbot, ALICE))
    seen = len(publishes(pmbot, ALICE))

    await pmbot.click(ids.ACCEPT, number, user=CAROL)

    refreshed = await next_publish(pmbot, ALICE, seen)
    assert f"*REQ-{number}* Export the roadmap to CSV\n:white_check_mark: Accepted" in shown(
        refreshed.params["view"]
    )


async def test_following_a_request_refreshes_the_followers_home(pmbot: Harness) -> None:
    await pmbot.set_intake()
    number = await pmbot.file("Dark mode", user=ALICE)
    assert "You follow no other open requests" in shown(await open_home(pmbot, BOB))
    seen = len(publishes(pmbot, BOB))

    await pmbot.click(ids.FOLLOW, number, user=BOB)

    refreshed = await next_publish(pmbot, BOB, seen)
    assert f"*REQ-{number}* Dark mode" in shown(refreshed.params["view"])


async def test_only_people_who_opened_the_home_tab_get_it_re_published(pmbot: Harness) -> None:
    await pmbot.set_intake(triagers=[CAROL])
    await open_home(pmbot, BOB)
    first = await pmbot.file("Export the roadmap to CSV", user=ALICE)
    await pmbot.click(ids.FOLLOW, first, user=BOB)
    await next_publish(pmbot, BOB, 1)  # opened, then re-published after following
    await pmbot.settled()
    assert publishes(pmbot, ALICE) == []  # Slack shows the tab to no one who never opened it
    assert len(publishes(pmbot, BOB)) == 2

    assert "Export the roadmap to CSV" in shown(await open_home(pmbot, ALICE))  # built fresh
    seen = len(publishes(pmbot, ALICE))
    await pmbot.file("Dark mode", user=ALICE)

    refreshed = await next_publish(pmbot, ALICE, seen)
    assert "Dark mode" in shown(refreshed.params["view"])
    async with pmbot.services.db.read() as session:
        viewers = (await session.execute(select(HomeViewer.user_id).order_by(HomeViewer.user_id))).scalars()
        assert list(viewers) == [ALICE, BOB]


async def test_a_burst_of_changes_gives_one_publish_per_person(pmbot: Harness) -> None:
    await pmbot.set_intake(triagers=[CAROL])
    for user in (ALICE, BOB, CAROL):
        await open_home(pmbot, user)
    number = await pmbot.file("Export the roadmap to CSV", user=ALICE)
    await pmbot.click(ids.FOLLOW, number, user=BOB)
    await pmbot.settled()
    before = {user: len(publishes(pmbot, user)) for user in (ALICE, BOB, CAROL)}
    await pmbot.services.outbox.stop()  # hold deliveries back while the burst happens

    await pmbot.click(ids.ACCEPT, number, user=CAROL)
    await pmbot.until(lambda: _status_is(pmbot, number, "accepted"))
    await pmbot.click(ids.ASSIGN, number, user=CAROL, selected_user=BOB)
    await pmbot.until(lambda: _assignee_is(pmbot, number, BOB))
    question = {ids.QUESTION: {ids.VALUE: payloads.plain_text("For which teams?")}}
    await pmbot.submit(ids.NEED_INFO_MODAL, question, user=CAROL, private_metadata=f'{{"number": {number}}}')
    await pmbot.until(lambda: _status_is(pmbot, number, "needs_info"))
    pmbot.services.outbox.start()
    await pmbot.settled()

    after = {user: len(publishes(pmbot, user)) for user in (ALICE, BOB, CAROL)}
    assert after == {ALICE: before[ALICE] + 1, BOB: before[BOB] + 1, CAROL: before[CAROL]}
    assert ":question: Needs info" in shown(publishes(pmbot, ALICE)[-1].params["view"])
    async with pmbot.services.db.read() as session:
        key = f"home:{TEAM}:{ALICE}"
        jobs = await session.execute(select(OutboxJob).where(OutboxJob.dedupe_key == key))
        [job] = jobs.scalars().all()
    assert job.generation >= 3  # filed, accepted, assigned, asked: one job, re-armed each time


async def test_a_proposal_refreshes_its_approvers_homes_and_a_vote_the_voters(pmbot: Harness) -> None:
    await set_policy(pmbot, [BOB, CAROL, DAVE], required=2)
    for user in (BOB, CAROL):
        await open_home(pmbot, user)
    seen = {user: len(publishes(pmbot, user)) for user in (BOB, CAROL)}

    await propose_add(pmbot, "Global search", user=ALICE)

    for user in (BOB, CAROL):
        refreshed = await next_publish(pmbot, user, seen[user])
        assert "*CHG-1* Add “Global search”" in shown(refreshed.params["view"])
    await pmbot.settled()
    seen = {user: len(publishes(pmbot, user)) for user in (BOB, CAROL)}

    await approve(pmbot, 1, BOB)

    bob = await next_publish(pmbot, BOB, seen[BOB])
    assert "CHG-1" not in shown(bob.params["view"])
    await pmbot.settled()
    assert "CHG-1" in shown(publishes(pmbot, CAROL)[-1].params["view"])


async def test_members_of_the_approvers_user_group_are_refreshed_too(pmbot: Harness) -> None:
    pmbot.fake.usergroups["S_PRODUCT"] = [BOB, DAVE]
    values = _policy_values(group="S_PRODUCT")
    response = await pmbot.submit(ids.POLICY_MODAL, values, user=ADMIN)
    assert response.status_code == 200, response.text
    await open_home(pmbot, BOB)
    seen = len(publishes(pmbot, BOB))

    response = await submit_change(pmbot, _add_change("Roadmap export"), user=ALICE)
    assert response.status_code == 200, response.text

    refreshed = await next_publish(pmbot, BOB, seen)
    assert "*CHG-1* Add “Roadmap export”" in shown(refreshed.params["view"])


async def test_an_approver_removed_from_the_policy_stops_seeing_the_vote(pmbot: Harness) -> None:
    await set_policy(pmbot, [BOB, DAVE], required=1)
    await propose_add(pmbot, "Global search", user=ALICE)
    assert "CHG-1" in shown(await open_home(pmbot, BOB))
    for user in (CAROL, ADMIN):
        await open_home(pmbot, user)
    seen = {user: len(publishes(pmbot, user)) for user in (BOB, CAROL, ADMIN)}

    await set_policy(pmbot, [CAROL, DAVE], required=1)

    bob = await next_publish(pmbot, BOB, seen[BOB])
    carol = await next_publish(pmbot, CAROL, seen[CAROL])
    admin = await next_publish(pmbot, ADMIN, seen[ADMIN])
    assert "Waiting for your vote" not in shown(bob.params["view"])
    assert "*CHG-1*" in shown(carol.params["view"])
    assert "Approvers: <@U_CAROL>" in shown(admin.params["view"])


async def test_saving_settings_refreshes_the_admins_home(pmbot: Harness) -> None:
    assert "Three settings" in shown(await open_home(pmbot, ADMIN))
    seen = len(publishes(pmbot, ADMIN))

    await pmbot.set_intake(triagers=[CAROL])

    refreshed = shown((await next_publish(pmbot, ADMIN, seen)).params["view"])
    assert "Three settings" not in refreshed
    assert "Intake channel: <#C_INTAKE>" in refreshed and "Triagers: <@U_CAROL>" in refreshed


async def _status_is(pmbot: Harness, number: int, status: str) -> bool:
    return (await pmbot.services.requests.get(TEAM, number)).request.status == status


async def _assignee_is(pmbot: Harness, number: int, user: str) -> bool:
    return (await pmbot.services.requests.get(TEAM, number)).request.assignee_id == user


def _policy_values(*, group: str) -> dict:
    return {
        ids.APPROVERS: {ids.VALUE: payloads.multi_users_select([])},
        ids.APPROVER_GROUP: {ids.APPROVER_GROUP_PICKER: payloads.external_select(group, group)},
        ids.REQUIRED_APPROVALS: {ids.VALUE: {"type": "number_input", "value": "1"}},
        ids.EXPIRY_DAYS: {ids.VALUE: {"type": "number_input", "value": "7"}},
        ids.APPROVALS_CHANNEL: {ids.VALUE: payloads.conversations_select(None)},
        ids.ANNOUNCEMENTS_CHANNEL: {ids.VALUE: payloads.conversations_select(None)},
    }


def _add_change(title: str) -> dict:
    return change("add", title=title, horizon="next", rationale=RATIONALE)
