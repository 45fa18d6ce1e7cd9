"""The fakes, proved against the real slack_sdk and slack_bolt clients."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from urllib.parse import parse_qs

import pytest
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from tests.fakes import FakeSlack, payloads

SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-1-test-token"

# docs.slack.dev/authentication/verifying-requests-from-slack, worked example
DOC_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
DOC_TIMESTAMP = 1531420618
DOC_BODY = (
    b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
    b"&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
    b"&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
    b"&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)
DOC_SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as running:
        yield running


def client(fake: FakeSlack, **kwargs) -> AsyncWebClient:
    return AsyncWebClient(token=BOT_TOKEN, base_url=fake.base_url, **kwargs)


async def test_post_message_records_parsed_blocks_and_answers_like_slack(fake: FakeSlack):
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]

    first = await client(fake).chat_postMessage(channel="C_GENERAL", text="hi", blocks=blocks)
    second = await client(fake).chat_postMessage(channel="U_ALICE", text="dm")

    call = fake.calls_to("chat.postMessage")[0]
    assert call.params["blocks"] == blocks
    assert call.token == BOT_TOKEN
    assert first["ok"] is True and first["channel"] == "C_GENERAL"
    assert first["message"]["blocks"] == blocks
    assert first["ts"] == "1700000000.000100" and second["ts"] > first["ts"]
    assert second["channel"] == "DU_ALICE"
    assert fake.messages[("C_GENERAL", first["ts"])]["text"] == "hi"


async def test_form_encoded_calls_are_decoded_too(fake: FakeSlack):
    view = {"type": "home", "blocks": [{"type": "divider"}]}

    await client(fake).api_call("views.publish", data={"user_id": "U_ALICE", "view": json.dumps(view)})

    assert fake.calls_to("views.publish")[0].params["view"] == view
    assert fake.home_views["U_ALICE"]["blocks"] == [{"type": "divider"}]


async def test_auth_users_and_usergroups(fake: FakeSlack):
    fake.add_user("U_BOB", tz="America/New_York", is_admin=True)
    fake.usergroups["S_PMS"] = ["U_BOB"]
    web = client(fake)

    auth = await web.auth_test()
    bob = await web.users_info(user="U_BOB")
    group = await web.usergroups_users_list(usergroup="S_PMS")
    with pytest.raises(SlackApiError) as missing:
        await web.users_info(user="U_NOBODY")

    assert (auth["team_id"], auth["user_id"]) == ("T_TEST", "UBOT")
    assert bob["user"]["tz"] == "America/New_York" and bob["user"]["is_admin"] is True
    assert bob["user"]["tz_offset"] in (-5 * 3600, -4 * 3600)
    assert group["users"] == ["U_BOB"]
    assert missing.value.response["error"] == "user_not_found"


async def test_chat_and_conversation_methods(fake: FakeSlack):
    web = client(fake)
    posted = await web.chat_postMessage(channel="C_GENERAL", text="v1")

    updated = await web.chat_update(channel="C_GENERAL", ts=posted["ts"], text="v2")
    link = await web.chat_getPermalink(channel="C_GENERAL", message_ts=posted["ts"])
    ephemeral = await web.chat_postEphemeral(channel="C_GENERAL", user="U_ALICE", text="psst")
    dm = await web.conversations_open(users="U_ALICE")
    await web.chat_delete(channel="C_GENERAL", ts=posted["ts"])
    unknown = await web.api_call("reactions.add", json={"channel": "C_GENERAL", "name": "eyes"})

    assert updated["ts"] == posted["ts"] and updated["message"]["text"] == "v2"
    assert link["permalink"] == f"https://acme.slack.com/archives/C_GENERAL/p{posted['ts'].replace('.', '')}"
    assert ephemeral["message_ts"]
    assert dm["channel"]["id"] == "DU_ALICE"
    assert ("C_GENERAL", posted["ts"]) not in fake.messages
    assert unknown.data == {"ok": True} and fake.calls[-1].params["name"] == "eyes"


async def test_closed_channel_answers_not_in_channel(fake: FakeSlack):
    fake.closed_channels.add("C_PRIVATE")

    with pytest.raises(SlackApiError) as refused:
        await client(fake).chat_postMessage(channel="C_PRIVATE", text="hello")

    assert refused.value.response["error"] == "not_in_channel"
    assert fake.calls_to("chat.postMessage")[0].failed


async def test_views_get_ids_and_hashes_and_stale_hash_conflicts(fake: FakeSlack):
    web = client(fake)
    modal = {"type": "modal", "callback_id": "new_request", "title": {"type": "plain_text", "text": "New"}}

    opened = (await web.views_open(trigger_id="1.2.abc", view=modal))["view"]
    updated = (await web.views_update(view_id=opened["id"], hash=opened["hash"], view=modal))["view"]
    with pytest.raises(SlackApiError) as stale:
        await web.views_update(view_id=opened["id"], hash=opened["hash"], view=modal)

    assert opened["id"].startswith("V") and opened["callback_id"] == "new_request"
    assert updated["id"] == opened["id"] and updated["hash"] != opened["hash"]
    assert stale.value.response["error"] == "hash_conflict"


async def test_rate_limit_surfaces_as_429_with_retry_after(fake: FakeSlack):
    fake.fail_next("chat.postMessage", status=429, retry_after=1)

    with pytest.raises(SlackApiError) as limited:
        await client(fake, retry_handlers=[]).chat_postMessage(channel="C_GENERAL", text="hi")

    assert limited.value.response.status_code == 429
    assert limited.value.response.headers["Retry-After"] == "1"
    assert limited.value.response["error"] == "ratelimited"
    assert fake.calls_to("chat.postMessage")[0].status == 429


async def test_rate_limit_is_retried_after_retry_after_with_the_handler(fake: FakeSlack):
    fake.fail_next("chat.postMessage", status=429, retry_after=1)
    web = client(fake, retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=1)])

    response = await web.chat_postMessage(channel="C_GENERAL", text="hi")

    first, second = fake.calls_to("chat.postMessage")
    assert response["ok"] is True
    assert (first.failed, second.failed) == (True, False)
    assert second.at - first.at >= 1.0


async def test_server_error_surfaces_then_is_retried_with_the_handler(fake: FakeSlack):
    fake.fail_next("chat.postMessage", status=500)
    with pytest.raises(SlackApiError) as broken:
        await client(fake, retry_handlers=[]).chat_postMessage(channel="C_GENERAL", text="hi")

    fake.fail_next("chat.postMessage", status=500)
    web = client(fake, retry_handlers=[AsyncServerErrorRetryHandler(max_retry_count=1)])
    retried = await web.chat_postMessage(channel="C_GENERAL", text="hi")

    assert broken.value.response.status_code == 500
    assert broken.value.response["error"] == "internal_error"
    assert retried["ok"] is True
    assert [c.status for c in fake.calls_to("chat.postMessage")] == [500, 500, 200]


async def test_error_answers_and_queued_faults(fake: FakeSlack):
    fake.fail_next("chat.postMessage", error="channel_not_found", times=2)
    web = client(fake)

    for _ in range(2):
        with pytest.raises(SlackApiError) as failed:
            await web.chat_postMessage(channel="C_GONE", text="hi")
        assert failed.value.response.status_code == 200
        assert failed.value.response["error"] == "channel_not_found"
    assert (await web.chat_postMessage(channel="C_GONE", text="hi"))["ok"] is True


async def test_dropped_connection_is_resent_by_the_default_handler(fake: FakeSlack):
    fake.fail_next("chat.postMessage", disconnect=True)

    await client(fake).chat_postMessage(channel="C_GENERAL", text="once")

    dropped, resent = fake.calls_to("chat.postMessage")
    assert (dropped.status, resent.status) == (0, 200)
    assert [m["text"] for m in fake.messages.values()] == ["once", "once"]


async def test_wait_for_returns_matching_calls(fake: FakeSlack):
    web = client(fake)
    await web.chat_postMessage(channel="C_GENERAL", text="one")
    await web.chat_postMessage(channel="C_OTHER", text="two")

    calls = await fake.wait_for("chat.postMessage", where=lambda c: c.params["channel"] == "C_OTHER")

    assert [c.params["text"] for c in calls] == ["two"]


async def test_wait_for_times_out_with_the_recorded_methods(fake: FakeSlack):
    await client(fake).auth_test()

    with pytest.raises(AssertionError) as timed_out:
        await fake.wait_for("chat.postMessage", timeout=0.05)

    assert "chat.postMessage" in str(timed_out.value)
    assert "Recorded: [auth.test]" in str(timed_out.value)


async def test_response_url_posts_are_recorded(fake: FakeSlack):
    url = fake.response_url("cmd-1")

    response = await AsyncWebhookClient(url).send_dict({"text": "done", "response_type": "ephemeral"})

    (call,) = await fake.wait_for("response_url")
    assert response.status_code == 200 and response.body == "ok"
    assert call.params == {"text": "done", "response_type": "ephemeral", "name": "cmd-1"}


def test_signature_matches_slacks_documented_example():
    headers = payloads.sign(DOC_BODY, DOC_SECRET, timestamp=DOC_TIMESTAMP)

    assert headers["X-Slack-Signature"] == DOC_SIGNATURE
    assert headers["X-Slack-Request-Timestamp"] == str(DOC_TIMESTAMP)
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"


def test_signed_slash_command_verifies_and_has_slacks_fields():
    request = payloads.slash_command(SECRET, text="ship it", response_url="https://example.test/r")

    valid = SignatureVerifier(SECRET).is_valid(
        body=request.body,
        timestamp=request.headers["X-Slack-Request-Timestamp"],
        signature=request.headers["X-Slack-Signature"],
    )
    fields = {k: v[0] for k, v in parse_qs(request.body.decode(), keep_blank_values=True).items()}

    assert valid
    assert fields == request.payload
    assert list(fields) == [
        "token", "team_id", "team_domain", "channel_id", "channel_name", "user_id", "user_name",
        "command", "text", "api_app_id", "is_enterprise_install", "response_url", "trigger_id",
    ]  # fmt: skip
    assert (fields["command"], fields["text"], fields["user_id"]) == ("/request", "ship it", "U_ALICE")
    assert fields["trigger_id"] != payloads.slash_command(SECRET).payload["trigger_id"]


async def test_bolt_dispatches_every_builder(fake: FakeSlack):
    """Bolt routes each signed payload to the listener it was shaped for."""
    app = AsyncApp(signing_secret=SECRET, client=client(fake))
    seen: list[str] = []

    async def note(ack, body) -> None:
        seen.append(body.get("type") or body["command"])
        await ack()

    app.command("/request")(note)
    app.action("approve")(note)
    app.view_submission("new_request")(note)
    app.view_closed("new_request")(note)
    app.message_shortcut("file_request")(note)
    app.global_shortcut("open_request")(note)
    app.options("pick_project")(note)
    app.event("app_mention")(note)
    values = {
        "title": {"title": payloads.plain_text("Ship it")},
        "due": {"due": payloads.datepicker("2030-01-31")},
    }
    requests = [
        payloads.slash_command(SECRET),
        payloads.block_action(SECRET, action_id="approve", value="42"),
        payloads.block_action(SECRET, action_id="approve", selected_user="U_BOB", view={"callback_id": "x"}),
        payloads.view_submission(SECRET, callback_id="new_request", values=values),
        payloads.view_closed(SECRET, callback_id="new_request"),
        payloads.message_shortcut(SECRET, callback_id="file_request", message={"text": "bug!"}),
        payloads.global_shortcut(SECRET, callback_id="open_request"),
        payloads.block_suggestion(SECRET, action_id="pick_project", value="pm"),
        payloads.event(SECRET, event=payloads.app_mention_event("<@UBOT> hi"), retry_num=1),
    ]

    statuses = []
    for request in requests:
        bolt_request = AsyncBoltRequest(body=request.body.decode(), headers=request.headers)
        statuses.append((await app.async_dispatch(bolt_request)).status)

    assert statuses == [200] * len(requests)
    assert seen[:8] == [
        "/request", "block_actions", "block_actions", "view_submission", "view_closed",
        "message_action", "shortcut", "block_suggestion",
    ]  # fmt: skip


def test_block_action_shapes():
    from_message = payloads.block_action(SECRET, action_id="a", value="1", message={"ts": "1.2", "text": "x"})
    from_modal = payloads.block_action(
        SECRET, action_id="a", selected_option="p1", view={"id": "V1", "hash": "h", "private_metadata": "m"}
    )

    message_payload = json.loads(parse_qs(from_message.body.decode())["payload"][0])
    assert message_payload == from_message.payload
    assert message_payload["container"] == {
        "type": "message", "message_ts": "1.2", "channel_id": "C_GENERAL", "is_ephemeral": False,
    }  # fmt: skip
    assert message_payload["actions"][0]["type"] == "button" and message_payload["actions"][0]["value"] == "1"
    assert "response_url" in message_payload and "view" not in message_payload
    modal_payload = from_modal.payload
    assert modal_payload["container"] == {"type": "view", "view_id": "V1"}
    assert modal_payload["view"]["hash"] == "h" and modal_payload["view"]["private_metadata"] == "m"
    assert modal_payload["actions"][0]["type"] == "static_select"
    assert modal_payload["actions"][0]["selected_option"]["value"] == "p1"
    assert "response_url" not in modal_payload and "channel" not in modal_payload


def test_event_retry_headers():
    first = payloads.event(SECRET, event=payloads.message_event("hi"), event_id="Ev1")
    retry = payloads.event(SECRET, event=payloads.message_event("hi"), event_id="Ev1", retry_num=2)

    assert first.headers["Content-Type"] == "application/json"
    assert "X-Slack-Retry-Num" not in first.headers
    assert retry.headers["X-Slack-Retry-Num"] == "2"
    assert retry.headers["X-Slack-Retry-Reason"] == "http_timeout"
    assert json.loads(retry.body)["event_id"] == "Ev1"


async def test_socket_mode_round_trip_with_bolt(fake: FakeSlack):
    app = AsyncApp(client=client(fake))

    @app.command("/request")
    async def request_command(ack, command) -> None:
        await ack(f"got {command['text']}")

    handler = AsyncSocketModeHandler(app, app_token=APP_TOKEN)
    await handler.connect_async()
    try:
        await fake.wait_for_socket()
        ack = await fake.socket_send("slash_commands", payloads.slash_command(SECRET, text="ship it").payload)
        await fake.socket_disconnect()
        again = await fake.socket_send("slash_commands", payloads.slash_command(SECRET, text="again").payload)
    finally:
        await handler.close_async()

    assert ack["payload"] == {"text": "got ship it"}
    assert again["payload"] == {"text": "got again"}
    opens = fake.calls_to("apps.connections.open")
    assert len(opens) == 2 and opens[0].token == APP_TOKEN


async def test_socket_mode_without_a_listener_never_acks(fake: FakeSlack):
    app = AsyncApp(client=client(fake))
    handler = AsyncSocketModeHandler(app, app_token=APP_TOKEN)
    await handler.connect_async()
    try:
        with pytest.raises(AssertionError, match="no ack"):
            await fake.socket_send(
                "interactive", payloads.global_shortcut(SECRET, callback_id="x").payload, timeout=1
            )
    finally:
        await handler.close_async()
