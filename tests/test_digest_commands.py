"""`/digest`: the subscribe modal (defaults, editing, inline errors), who may change or stop a
digest, the list with date tokens, preview equal to what `now` posts, help, and text that never pings."""

from __future__ import annotations

import json
from datetime import time, timedelta

from sqlalchemy import select

from bot.local_time import next_weekly
from bot.services.digests import service as form
from bot.services.digests.schedule import job_id
from bot.views import ids
from storage.models import AuditEntry
from tests.digest_schedule_steps import (
    BERLIN,
    NEW_YORK,
    digest,
    digest_jobs,
    posts_in,
    runs,
    said,
    submit_subscription,
    subscribe,
    subscription_of,
    sweep_at,
    utc,
)
from tests.fakes import Call, payloads
from tests.fakes.signing import new_trigger_id, signed_form
from tests.harness import ADMIN, ALICE, BOB, SECRET, Harness, ephemeral_text, opened_metadata
from tests.slack_limits import problems_in_message, problems_in_view

TEAM = "C_TEAM"
BROADCASTS = ("<!channel>", "<!here>", "<!everyone>")


async def opened_modal(pmbot: Harness) -> dict:
    """The view the loading modal was replaced with."""
    [update] = await pmbot.fake.wait_for("views.update")
    return update.params["view"]


def initial(view: dict, block_id: str) -> object:
    """The initial value of the input block `block_id`."""
    [block] = [block for block in view["blocks"] if block.get("block_id") == block_id]
    element = block["element"]
    for key in ("initial_value", "initial_time", "initial_option", "initial_options"):
        if key in element:
            picked = element[key]
            return picked["value"] if block_id == form.TIMEZONE else picked  # the zone, by name
    return None


async def audit_actions(pmbot: Harness) -> list[str]:
    """The digest subscriptions' audit log, oldest first."""
    query = (
        select(AuditEntry.action).where(AuditEntry.entity == "digest_subscription").order_by(AuditEntry.id)
    )
    async with pmbot.services.db.read() as session:
        return list((await session.execute(query)).scalars())


def pings(call: Call) -> list[str]:
    """Broadcast tokens in whatever pmbot sent."""
    sent = json.dumps(call.params, ensure_ascii=False)
    return [token for token in BROADCASTS if token in sent]


async def test_subscribe_opens_a_modal_in_the_subscribers_own_timezone(pmbot: Harness) -> None:
    await digest(pmbot, "subscribe", channel=TEAM, user=BOB)

    view = await opened_modal(pmbot)
    assert problems_in_view(view) == []
    assert view["callback_id"] == ids.DIGEST_MODAL and json.loads(opened_metadata(view)) == {"channel": TEAM}
    assert initial(view, form.TIMEZONE) == NEW_YORK
    assert initial(view, form.TIME) == "09:00"
    assert initial(view, form.WEEKDAY)["value"] == "0"  # type: ignore[index]
    assert len(initial(view, form.SECTIONS)) == 5  # type: ignore[arg-type]


async def test_the_modal_starts_from_the_workspaces_digest_defaults(pmbot: Harness) -> None:
    values = {
        ids.DEFAULT_DIGEST_DAY: {ids.VALUE: payloads.static_select("2")},
        ids.DEFAULT_DIGEST_TIME: {ids.VALUE: {"type": "timepicker", "selected_time": "08:15"}},
    }
    response = await pmbot.submit_as_a_person(ids.DIGEST_DEFAULTS_MODAL, values, user=ADMIN)
    assert response.status_code == 200 and response.text in ("", "{}"), response.text

    await digest(pmbot, "subscribe", channel=TEAM, user=ALICE)

    view = await opened_modal(pmbot)
    assert initial(view, form.WEEKDAY)["value"] == "2"  # type: ignore[index]
    assert (initial(view, form.TIME), initial(view, form.TIMEZONE)) == ("08:15", BERLIN)


async def test_subscribing_again_edits_the_channels_subscription(pmbot: Harness) -> None:
    await subscribe(pmbot, TEAM, user=ALICE, zone=BERLIN)
    [confirmation] = await pmbot.fake.wait_for("chat.postEphemeral")
    assert confirmation.params["user"] == ALICE
    # When it posts, in the zone it was set in, and the next one in the reader's own time.
    said = confirmation.params["text"]
    assert said.startswith(
        f"Saved: <#C_TEAM> gets the digest on Mondays at 09:00 ({BERLIN} time); next: <!date^"
    )
    assert "`/digest subscribe` here changes it." in said

    await digest(pmbot, "subscribe", channel=TEAM, user=ALICE)
    view = await opened_modal(pmbot)
    assert initial(view, form.TIMEZONE) == BERLIN and "Change" in view["blocks"][0]["text"]["text"]
    await subscribe(pmbot, TEAM, user=ALICE, zone=NEW_YORK, day=4, at="16:30", sections=["requests"])

    changed = await subscription_of(pmbot, TEAM)
    assert changed is not None
    assert (changed.weekday, changed.hour, changed.minute, changed.timezone) == (4, 16, 30, NEW_YORK)
    assert changed.sections == ["requests"] and changed.created_by == ALICE
    assert await audit_actions(pmbot) == ["digest_subscribed", "digest_changed"]
    fires = pmbot.services.scheduler.next_fire_time(job_id(changed.id or 0))
    assert fires is not None and (fires.weekday(), fires.strftime("%H:%M")) == (4, "16:30")


async def test_bad_choices_are_shown_inline_and_nothing_is_stored(pmbot: Harness) -> None:
    response = await submit_subscription(pmbot, TEAM, zone="Mars/Olympus_Mons", sections=[], at=None)

    errors = response.json()["errors"]
    assert set(errors) == {form.TIMEZONE, form.SECTIONS, form.TIME}
    assert "timezone" in errors[form.TIMEZONE] and "section" in errors[form.SECTIONS]
    assert await subscription_of(pmbot, TEAM) is None and await audit_actions(pmbot) == []


async def test_only_the_subscriber_or_an_admin_may_change_or_stop_a_digest(pmbot: Harness) -> None:
    await subscribe(pmbot, TEAM, user=ALICE)
    subscription = await subscription_of(pmbot, TEAM)
    assert subscription is not None

    _, name = await digest(pmbot, "unsubscribe", channel=TEAM, user=BOB)
    assert "Only <@U_ALICE>" in (await said(pmbot, name))["text"]
    response = await submit_subscription(pmbot, TEAM, user=BOB, day=3)
    refused = response.json()["errors"][form.WEEKDAY]
    assert "Only @u_alice" in refused and "<@" not in refused  # inline errors are plain text: named
    await digest(pmbot, "subscribe", channel=TEAM, user=BOB)
    assert "Only <@U_ALICE>" in json.dumps(await opened_modal(pmbot))

    _, name = await digest(pmbot, "unsubscribe", channel=TEAM, user=ADMIN)
    assert "no more digests" in (await said(pmbot, name))["text"]
    assert await subscription_of(pmbot, TEAM) is None
    assert pmbot.services.scheduler.next_fire_time(job_id(subscription.id or 0)) is None
    assert await audit_actions(pmbot) == ["digest_subscribed", "digest_unsubscribed"]
    [told] = await pmbot.fake.wait_for("chat.postMessage", where=lambda call: call.params["channel"] == ALICE)
    assert told.params["text"] == (
        f"<@{ADMIN}> stopped the weekly digest you set up in <#{TEAM}>. "
        "To start it again, run `/digest subscribe` there."
    )


async def test_the_subscriber_stopping_their_own_digest_is_not_told_again(pmbot: Harness) -> None:
    await subscribe(pmbot, TEAM, user=ALICE)
    _, name = await digest(pmbot, "unsubscribe", channel=TEAM, user=ALICE)
    assert "no more digests" in (await said(pmbot, name))["text"]
    await pmbot.settled()
    assert [call for call in pmbot.fake.calls_to("chat.postMessage") if call.params["channel"] == ALICE] == []


async def test_the_list_shows_each_channels_next_digest_as_a_date_token(pmbot: Harness) -> None:
    pmbot.clock.current = utc(2026, 11, 26, 12, 0)
    await subscribe(pmbot, "C_BERLIN", zone=BERLIN)
    await subscribe(pmbot, "C_NEW_YORK", user=BOB, zone=NEW_YORK, day=4, at="16:30", skip_quiet=True)

    response, _ = await digest(pmbot, "list", channel=TEAM, user=BOB)

    assert problems_in_message(response.json()) == []
    shown = ephemeral_text(response)
    berlin = int(next_weekly(pmbot.clock.now(), 0, time(9), BERLIN).timestamp())
    new_york = int(next_weekly(pmbot.clock.now(), 4, time(16, 30), NEW_YORK).timestamp())
    assert "<#C_BERLIN> — Mondays at 09:00 Europe/Berlin" in shown and f"<!date^{berlin}^" in shown
    assert "<#C_NEW_YORK> — Fridays at 16:30 America/New_York" in shown and f"<!date^{new_york}^" in shown
    assert "skips quiet weeks" in shown


async def test_preview_is_what_now_posts_and_now_leaves_the_week_to_the_schedule(pmbot: Harness) -> None:
    pmbot.clock.current = created = utc(2026, 11, 18, 12, 0)
    await subscribe(pmbot, TEAM, zone=BERLIN)
    await pmbot.set_intake()
    pmbot.clock.advance(hours=1)
    await pmbot.file("<!channel> ship it <!here>")
    await pmbot.file("Export the roadmap to CSV")
    await pmbot.settled()
    pmbot.clock.advance(hours=1)

    _, name = await digest(pmbot, "preview", channel=TEAM)
    preview = await said(pmbot, name)
    await digest(pmbot, "now", channel=TEAM)
    [posted] = await pmbot.fake.wait_for(
        "chat.postMessage", where=lambda call: call.params["channel"] == TEAM
    )

    assert preview["response_type"] == "ephemeral"
    assert posted.params["blocks"] == preview["blocks"] and posted.params["text"] == preview["text"]
    assert "ship it" in json.dumps(posted.params["blocks"]) and pings(posted) == []
    assert problems_in_message(posted.params) == []

    await sweep_at(pmbot, utc(2026, 11, 23, 8, 0))  # the scheduled digest still covers its whole week
    assert len(posts_in(pmbot.fake, TEAM)) == 2
    scheduled = [job for job in await digest_jobs(pmbot) if job.payload["run_id"] is not None]
    assert [job.payload["since"] for job in scheduled] == [(created - timedelta(days=7)).isoformat()]
    assert [run.period for run in await runs(pmbot)] == ["2026-11-23"]


async def test_help_for_help_nothing_and_anything_unknown(pmbot: Harness) -> None:
    for typed in ("help", "", "frobnicate <!channel>"):
        response, _ = await digest(pmbot, typed, channel=TEAM)
        shown = ephemeral_text(response)
        assert "`/digest subscribe`" in shown and "`/digest now`" in shown
        assert response.json().get("response_type", "ephemeral") == "ephemeral"
    assert "I don't know `frobnicate &lt;!channel&gt;`" in shown


async def test_a_channel_named_like_a_broadcast_never_pings(pmbot: Harness) -> None:
    fields = {
        "token": "verification",
        "team_id": "T_TEST",
        "team_domain": "acme",
        "channel_id": TEAM,
        "channel_name": "<!channel>",
        "user_id": ALICE,
        "user_name": "alice",
        "command": "/digest",
        "text": "subscribe",
        "api_app_id": "A_TEST",
        "is_enterprise_install": "false",
        "response_url": pmbot.fake.response_url("named"),
        "trigger_id": new_trigger_id(),
    }
    await pmbot.send(signed_form(SECRET, fields, "slash_commands", None))
    await opened_modal(pmbot)
    await subscribe(pmbot, TEAM)
    response, _ = await digest(pmbot, "list", channel=TEAM)

    assert all(pings(call) == [] for call in pmbot.fake.calls)
    assert not any(token in response.text for token in BROADCASTS)


async def test_a_digest_that_cannot_be_posted_tells_who_asked(pmbot: Harness) -> None:
    pmbot.fake.closed_channels.add(TEAM)
    await subscribe(pmbot, TEAM)

    await digest(pmbot, "now", channel=TEAM, user=BOB)

    [dm] = await pmbot.fake.wait_for("chat.postMessage", where=lambda call: call.params["channel"] == BOB)
    assert "not_in_channel" in dm.params["text"] and "/invite @pmbot" in dm.params["text"]


async def test_the_timezone_is_picked_by_typing_a_city(pmbot: Harness) -> None:
    response = await pmbot.send(
        payloads.block_suggestion(
            SECRET, action_id=ids.TIMEZONE_PICKER, block_id=form.TIMEZONE, value="new yo"
        )
    )

    options = response.json()["options"]
    assert options[0]["value"] == NEW_YORK and options[0]["text"]["text"] == "America/New York"
    everything = (await pmbot.send(payloads.block_suggestion(SECRET, action_id=ids.TIMEZONE_PICKER))).json()
    assert 0 < len(everything["options"]) <= 100  # Slack shows at most 100
