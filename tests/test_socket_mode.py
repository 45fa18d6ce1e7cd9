"""The same app over Socket Mode: envelopes from the fake Slack, acks with payloads, effects stored."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from bot.app import create_app
from bot.config import load_settings
from bot.runtime import Services, build_services
from bot.socket_mode import SocketModeConnection
from bot.views import ids
from bot.web import SlackWebApp
from storage import requests as queries
from storage.models import InboxEntry
from tests.fakes import FakeSlack, payloads
from tests.harness import ALICE, BOB, INTAKE, SECRET, FakeClock
from tests.test_request_filing import modal_values

TEAM = "T_TEST"


@dataclass
class SocketPmbot:
    """pmbot connected to the fake Slack over Socket Mode."""

    fake: FakeSlack
    services: Services
    connection: SocketModeConnection

    async def send(self, kind: str, payload: dict) -> dict:
        """Send one envelope; return the ack pmbot sent back."""
        return await self.fake.socket_send(kind, payload)


async def no_sockets(fake: FakeSlack) -> None:
    """Await the fake seeing every Socket Mode connection closed."""
    hub = fake.socket
    async with asyncio.timeout(10), hub._changed:
        await hub._changed.wait_for(lambda: not hub.sockets)


@pytest.fixture
async def socket_pmbot(fake: FakeSlack, database_url: str) -> AsyncIterator[SocketPmbot]:
    settings = load_settings(
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_APP_TOKEN="xapp-test",
        SLACK_API_URL=fake.base_url,
        DATABASE_URL=database_url,
    )
    services = build_services(settings, clock=FakeClock())
    bolt = create_app(services)
    connection = SocketModeConnection(bolt, settings)
    connection.answer_through(SlackWebApp(bolt, services).answer_slack)  # as `pmbot serve` wires it
    await services.start()
    await connection.start()
    await fake.wait_for_socket()
    try:
        yield SocketPmbot(fake, services, connection)
    finally:
        await connection.stop()
        await services.stop()


async def stored(pmbot: SocketPmbot, number: int, team_id: str = TEAM):
    async with pmbot.services.db.read() as session:
        return await queries.get_request(session, team_id, number)


async def test_connecting_uses_the_app_token(socket_pmbot: SocketPmbot) -> None:
    [opened] = socket_pmbot.fake.calls_to("apps.connections.open")

    assert opened.token == "xapp-test" and not opened.failed


async def test_a_slash_command_files_and_the_ack_carries_the_id(socket_pmbot: SocketPmbot) -> None:
    command = payloads.slash_command(SECRET, text="Ship it over sockets", user_id=ALICE)

    ack = await socket_pmbot.send(command.kind, command.payload)

    assert command.kind == "slash_commands"
    assert "Filed as *REQ-1*" in ack["payload"]["text"]
    assert ack["payload"]["blocks"][1]["elements"][0]["action_id"] == ids.ADD_DETAILS
    request = await stored(socket_pmbot, 1)
    assert (request.title, request.requester_id) == ("Ship it over sockets", ALICE)


async def test_envelopes_go_through_the_inbox_and_a_retried_one_has_its_effect_once(
    socket_pmbot: SocketPmbot,
) -> None:
    command = payloads.slash_command(SECRET, text="Ship it once over sockets", user_id=ALICE)

    first = await socket_pmbot.send(command.kind, command.payload)
    again = await socket_pmbot.fake.socket_send(command.kind, command.payload, retry_attempt=1)

    assert "Filed as *REQ-1*" in first["payload"]["text"]
    assert "Filed as *REQ-1*" in again["payload"]["text"]  # the first answer, from the inbox
    assert await stored(socket_pmbot, 2) is None
    async with socket_pmbot.services.db.read() as session:
        keys = (await session.execute(select(InboxEntry.key, InboxEntry.kind))).all()
    assert [kind for _, kind in keys] == ["command"]


async def test_an_invalid_modal_gets_inline_errors_in_the_ack(socket_pmbot: SocketPmbot) -> None:
    submission = payloads.view_submission(
        SECRET, callback_id=ids.REQUEST_MODAL, values=modal_values(title="")
    )

    ack = await socket_pmbot.send(submission.kind, submission.payload)

    assert ack["payload"]["response_action"] == "errors"
    assert set(ack["payload"]["errors"]) == {ids.TITLE}
    assert await stored(socket_pmbot, 1) is None


async def test_a_valid_modal_updates_the_view_in_the_ack(socket_pmbot: SocketPmbot) -> None:
    submission = payloads.view_submission(SECRET, callback_id=ids.REQUEST_MODAL, values=modal_values())

    ack = await socket_pmbot.send(submission.kind, submission.payload)

    assert ack["payload"]["response_action"] == "update"
    assert (await stored(socket_pmbot, 1)).title == "Bulk edit"


def follow_click(fake: FakeSlack, number: int, user: str, **fields: str) -> payloads.SignedRequest:
    return payloads.block_action(
        SECRET,
        action_id=ids.FOLLOW,
        block_id=f"{ids.CARD_BLOCK_PREFIX}{number}",
        value=str(number),
        user_id=user,
        channel_id=INTAKE,
        response_url=fake.response_url(f"follow-{user}"),
        **fields,
    )


async def test_a_follow_click_is_acked_and_stored(socket_pmbot: SocketPmbot) -> None:
    fake = socket_pmbot.fake
    command = payloads.slash_command(SECRET, text="Ship it over sockets", user_id=ALICE)
    await socket_pmbot.send(command.kind, command.payload)
    click = follow_click(fake, 1, BOB)

    ack = await socket_pmbot.send(click.kind, click.payload)

    assert "payload" not in ack  # a plain ack: the answer goes to the response_url
    [told] = await fake.wait_for("response_url", where=lambda call: call.params["name"] == f"follow-{BOB}")
    assert told.params["text"] == "You now follow REQ-1."
    async with socket_pmbot.services.db.read() as session:
        followers = await queries.list_follower_ids(session, await queries.get_request(session, TEAM, 1))
    assert followers == [ALICE, BOB]


async def test_a_click_that_fails_after_its_ack_is_still_acked(socket_pmbot: SocketPmbot) -> None:
    # Bolt 1.30 dropped the ack of a listener that raised right after acking (see bot.app.KeptAck).
    fake = socket_pmbot.fake
    click = follow_click(fake, 1, BOB, team_id="T_OTHER")

    ack = await socket_pmbot.send(click.kind, click.payload)

    assert ack["envelope_id"]
    [told] = await fake.wait_for("response_url", where=lambda call: call.params["name"] == f"follow-{BOB}")
    assert "There is no REQ-1" in told.params["text"]


async def test_an_event_envelope_is_acked(socket_pmbot: SocketPmbot) -> None:
    uninstalled = payloads.event(SECRET, event={"type": "app_uninstalled"})

    ack = await socket_pmbot.send(uninstalled.kind, uninstalled.payload)

    assert ack["envelope_id"] and "payload" not in ack


async def test_the_connection_closes_cleanly(
    fake: FakeSlack, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    settings = load_settings(
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_APP_TOKEN="xapp-test",
        SLACK_API_URL=fake.base_url,
        DATABASE_URL=database_url,
    )
    services = build_services(settings, clock=FakeClock())
    connection = SocketModeConnection(create_app(services), settings)
    await services.start()
    await connection.start()
    await fake.wait_for_socket()
    command = payloads.slash_command(SECRET, text="One before closing")
    assert "REQ-1" in (await fake.socket_send(command.kind, command.payload))["payload"]["text"]

    await connection.stop()
    await services.stop()

    await no_sockets(fake)
    assert [record for record in caplog.records if record.levelno >= logging.ERROR] == []
