"""Steps for the similar-request scenarios: the request modal as a person types in it, and clicks."""

from __future__ import annotations

import json
from typing import Any

import httpx

from bot.views import ids
from storage import requests as queries
from storage.models import Request
from tests.fakes import payloads
from tests.harness import ALICE, SECRET, Harness

TEAM = "T_TEST"
OTHER_TEAM = "T_OTHER"


async def stored(pmbot: Harness, number: int, team_id: str = TEAM) -> Request:
    async with pmbot.services.db.read() as session:
        request = await queries.get_request(session, team_id, number)
    assert request is not None
    return request


async def upvoters_and_followers(pmbot: Harness, number: int) -> tuple[int, list[str]]:
    request = await stored(pmbot, number)
    async with pmbot.services.db.read() as session:
        return await queries.count_upvotes(session, request), await queries.list_follower_ids(
            session, request
        )


async def open_form(pmbot: Harness, *, user: str = ALICE) -> dict[str, Any]:
    """`/request` with no text: the modal as Slack holds it."""
    before = len(pmbot.fake.calls_to("views.open"))
    await pmbot.command("", user=user)
    [*_, opened] = await pmbot.fake.wait_for("views.open", count=before + 1)
    return pmbot.fake.views[opened.response["view"]["id"]]


async def type_title(
    pmbot: Harness, view: dict[str, Any], typed: str, *, user: str = ALICE
) -> httpx.Response:
    """What Slack sends when the person pauses while typing the title (dispatch_action)."""
    state = {"values": {ids.TITLE: {ids.VALUE: {"type": "plain_text_input", "value": typed}}}}
    return await pmbot.send(
        payloads.block_action(
            SECRET,
            action_id=ids.VALUE,
            block_id=ids.TITLE,
            value=typed,
            action_type="plain_text_input",
            user_id=user,
            view={**_as_sent(view), "state": state},
        )
    )


async def click_in_form(
    pmbot: Harness, view: dict[str, Any], action_id: str, value: str, *, user: str = ALICE
) -> httpx.Response:
    """Click a button inside the modal as it stands."""
    block_id = next(
        block["block_id"]
        for block in view["blocks"]
        if block.get("accessory", {}).get("action_id") == action_id and block["accessory"]["value"] == value
    )
    return await pmbot.send(
        payloads.block_action(
            SECRET, action_id=action_id, block_id=block_id, value=value, user_id=user, view=_as_sent(view)
        )
    )


def _as_sent(view: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in view.items() if name != "team_id"}


def suggested_numbers(view: dict[str, Any]) -> list[int]:
    """The requests the modal suggests, in order."""
    prefix = ids.SIMILAR_BLOCK_PREFIX
    found = [block.get("block_id", "").removeprefix(prefix) for block in view["blocks"]]
    return [int(number) for number in found if number.isdigit()]


def block_texts(blocks: list[dict[str, Any]]) -> str:
    """Every text a list of blocks shows, joined (sections, context elements, buttons)."""
    parts: list[str] = []
    for block in blocks:
        parts.append(block.get("text", {}).get("text", "") if isinstance(block.get("text"), dict) else "")
        parts += [
            element.get("text", "") for element in block.get("elements", []) if isinstance(element, dict)
        ]
        parts += [
            element["text"]["text"]
            for element in block.get("elements", [])
            if isinstance(element, dict) and isinstance(element.get("text"), dict)
        ]
        if block.get("accessory"):
            parts.append(block["accessory"].get("text", {}).get("text", ""))
    return "\n".join(part for part in parts if isinstance(part, str) and part)


def merge_button(response: httpx.Response) -> dict[str, Any]:
    """The "Merge into REQ-n" button of a quick filing's answer."""
    for block in response.json()["blocks"]:
        accessory = block.get("accessory") or {}
        if accessory.get("action_id") == ids.SIMILAR_MERGE:
            return accessory
    raise AssertionError(f"no merge button in {json.dumps(response.json())}")


def shortcut_on(pmbot: Harness, message: dict[str, Any], *, user: str = ALICE) -> payloads.SignedRequest:
    """ "File as request" on `message` in #sales, as `user` clicks it."""
    return payloads.message_shortcut(
        SECRET,
        callback_id=ids.FILE_AS_REQUEST,
        message=message,
        channel_id="C_SALES",
        user_id=user,
        response_url=pmbot.fake.response_url(f"shortcut-{message['ts']}"),
    )
