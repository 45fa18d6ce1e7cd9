"""The fake Web API's history, metadata and "did the work, lost the answer" faults, as the real
slack_sdk client sees them."""

from __future__ import annotations

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes import FakeSlack

METADATA = {"event_type": "pmbot_post", "event_payload": {"job": "7"}}


def client(fake: FakeSlack, timeout: int = 5) -> AsyncWebClient:
    return AsyncWebClient(token="xoxb-test", base_url=fake.base_url, timeout=timeout, retry_handlers=[])


async def test_history_filters_by_time_and_shows_metadata_only_when_asked(fake: FakeSlack) -> None:
    now = [1_800_000_000.0]
    fake.seconds = lambda: now[0]
    slack = client(fake)
    first = await slack.chat_postMessage(channel="C1", text="one", metadata=METADATA)
    now[0] += 10
    second = await slack.chat_postMessage(channel="C1", text="two", metadata=METADATA)
    await slack.chat_postMessage(channel="C1", text="reply", thread_ts=second["ts"], metadata=METADATA)

    everything = await slack.conversations_history(channel="C1")
    assert [m["text"] for m in everything["messages"]] == ["two", "one"]
    assert all("metadata" not in m for m in everything["messages"])
    since = await slack.conversations_history(
        channel="C1", oldest=second["ts"], inclusive=True, include_all_metadata=True
    )
    assert [(m["text"], m["metadata"]) for m in since["messages"]] == [("two", METADATA)]
    assert (await slack.conversations_history(channel="C1", oldest=second["ts"]))["messages"] == []
    assert first["ts"] < second["ts"]
    thread = await slack.conversations_replies(channel="C1", ts=second["ts"], include_all_metadata=True)
    assert [m["text"] for m in thread["messages"]] == ["two", "reply"]


async def test_a_500_after_the_work_stores_the_message(fake: FakeSlack) -> None:
    fake.fail_next("chat.postMessage", status=500, after_work=True)

    with pytest.raises(SlackApiError) as failed:
        await client(fake).chat_postMessage(channel="C1", text="hello")

    assert failed.value.response.status_code == 500
    assert [m["text"] for m in fake.messages.values()] == ["hello"]


async def test_a_dropped_connection_after_the_work_stores_the_message(fake: FakeSlack) -> None:
    fake.fail_next("chat.postMessage", disconnect=True)

    with pytest.raises(aiohttp.ClientError):
        await client(fake).chat_postMessage(channel="C1", text="hello")

    assert [m["text"] for m in fake.messages.values()] == ["hello"]


async def test_an_html_page_labelled_json_reaches_the_client_as_an_unreadable_answer(fake: FakeSlack) -> None:
    fake.fail_next("chat.update", status=503, body="<html>busy</html>", content_type="application/json")

    with pytest.raises(SlackApiError) as failed:
        await client(fake).chat_update(channel="C1", ts="1.0", text="x")

    assert failed.value.response.status == 503  # an aiohttp response: slack_sdk could not parse it


async def test_every_third_call_fails_until_stopped(fake: FakeSlack) -> None:
    fake.fail_every("chat.postMessage", 3, status=500)
    slack = client(fake)
    outcomes = []
    for n in range(6):
        try:
            await slack.chat_postMessage(channel="C1", text=str(n))
            outcomes.append("ok")
        except SlackApiError:
            outcomes.append("500")
    fake.fail_every("chat.postMessage", 0)
    await slack.chat_postMessage(channel="C1", text="after")

    assert outcomes == ["ok", "ok", "500", "ok", "ok", "500"]


async def test_a_refused_token_answers_every_bot_call(fake: FakeSlack) -> None:
    fake.token_refusal = "token_revoked"

    with pytest.raises(SlackApiError) as failed:
        await client(fake).auth_test()

    assert failed.value.response["error"] == "token_revoked"
