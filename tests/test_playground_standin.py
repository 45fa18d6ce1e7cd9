"""The playground's Slack stand-in answers the real slack_sdk client as Slack does."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from aiohttp import web
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.playground import sample
from bot.playground.bridge import Bridge
from bot.playground.server import build_app
from bot.playground.state import MAX_VIEW_STACK, PlaygroundState
from bot.playground.web_api import SlackWebApi

SAM = sample.STAKEHOLDER.id
MODAL = {"type": "modal", "title": {"type": "plain_text", "text": "Hi"}, "blocks": []}


@pytest.fixture
async def standin() -> AsyncIterator[tuple[Bridge, str]]:
    state = PlaygroundState.load(None)
    api = SlackWebApi(state, workspace_url="https://pmbot-playground.slack.com/")
    bridge = Bridge(api, events_url="http://127.0.0.1:9/unused", signing_secret="s", response_base="")
    runner = web.AppRunner(build_app(bridge), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    origin = f"http://{host}:{port}/"
    bridge.response_base = f"{origin}response/"
    yield bridge, origin
    await runner.cleanup()


def client(origin: str, token: str = sample.BOT_TOKEN) -> AsyncWebClient:
    return AsyncWebClient(token=token, base_url=f"{origin}api/")


async def test_a_post_to_a_person_lands_in_their_dm_and_an_update_edits_it_in_place(standin):
    bridge, origin = standin
    slack = client(origin)
    posted = await slack.chat_postMessage(channel=SAM, text="REQ-1 is now accepted")
    assert posted["channel"] == sample.dm_channel(SAM)
    await slack.chat_update(channel=posted["channel"], ts=posted["ts"], text="REQ-1 is now planned")
    [message] = bridge.state.visible_to(SAM)
    assert (message.text, message.edited) == ("REQ-1 is now planned", True)
    assert bridge.state.visible_to(sample.ADMIN.id) == []  # someone else's DM


async def test_a_wrong_token_or_an_unknown_channel_is_refused_as_slack_refuses_it(standin):
    _, origin = standin
    with pytest.raises(SlackApiError, match="invalid_auth"):
        await client(origin, "xoxb-someone-else").auth_test()
    with pytest.raises(SlackApiError, match="channel_not_found"):
        await client(origin).chat_postMessage(channel="C0NOWHERE", text="hi")
    with pytest.raises(SlackApiError, match="unknown_method"):
        await client(origin).api_call("reactions.add")


async def test_modals_stack_three_deep_and_a_stale_hash_is_refused(standin):
    bridge, origin = standin
    slack = client(origin)
    opened = await slack.views_open(trigger_id=bridge.state.new_trigger(SAM), view=MODAL)
    for _ in range(MAX_VIEW_STACK - 1):
        await slack.views_push(trigger_id=bridge.state.new_trigger(SAM), view=MODAL)
    with pytest.raises(SlackApiError, match="push_limit_reached"):
        await slack.views_push(trigger_id=bridge.state.new_trigger(SAM), view=MODAL)
    view = opened["view"]
    await slack.views_update(view_id=view["id"], hash=view["hash"], view=MODAL)
    with pytest.raises(SlackApiError, match="hash_conflict"):
        await slack.views_update(view_id=view["id"], hash=view["hash"], view=MODAL)
    with pytest.raises(SlackApiError, match="invalid_trigger_id"):
        await slack.views_open(trigger_id="never-handed-out", view=MODAL)
    assert len(bridge.state.stack_of(SAM)) == MAX_VIEW_STACK


async def test_a_response_url_answers_privately_replaces_and_deletes_the_original(standin):
    bridge, origin = standin
    posted = await client(origin).chat_postMessage(channel=sample.GENERAL, text="card")
    url = f"{origin}response/{bridge.state.new_response_target(SAM, sample.GENERAL, posted['ts'])}"
    async with httpx.AsyncClient() as http:
        await http.post(url, json={"text": "Only you", "response_type": "ephemeral"})
        await http.post(url, json={"text": "card, redrawn", "replace_original": True})
        assert [(m.text, m.only_for) for m in bridge.state.visible_to(SAM)] == [
            ("card, redrawn", None),
            ("Only you", SAM),
        ]
        assert [m.text for m in bridge.state.visible_to(sample.ADMIN.id)] == ["card, redrawn"]
        await http.post(url, json={"delete_original": True})
        for _ in range(2):
            await http.post(url, json={"text": "again"})
        refused = await http.post(url, json={"text": "a sixth answer"})
    assert refused.status_code == 404 and refused.text == "used_url"
    assert "card, redrawn" not in [m.text for m in bridge.state.messages]


async def test_page_actions_from_elsewhere_are_refused(standin):
    _, origin = standin
    said = {"as": SAM, "channel": sample.GENERAL, "text": "hi"}
    async with httpx.AsyncClient(base_url=origin) as http:
        as_a_form = await http.post("/ui/message", content=str(said), headers={"Content-Type": "text/plain"})
        rebound = await http.post("/ui/message", json=said, headers={"Host": "evil.example:3000"})
        assert (as_a_form.status_code, rebound.status_code) == (415, 403)
        assert (await http.post("/ui/message", json=said)).status_code == 200
