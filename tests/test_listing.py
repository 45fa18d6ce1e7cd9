"""`/request list …`, paging through the list, `/request REQ-n` with its history, and help."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import httpx
import pytest

from bot.views import ids
from tests.fakes import Call, payloads
from tests.harness import ADMIN, ALICE, BOB, CAROL, SECRET, Harness, ephemeral_text
from tests.slack_limits import problems_in_message

LIST_URL = "list-pages"


async def ask(pmbot: Harness, text: str, *, user: str = ALICE) -> dict[str, Any]:
    """Run `/request <text>` and return the ack's body, checked against Slack's limits."""
    response = await pmbot.command(text, user=user, response_url=pmbot.fake.response_url("command"))
    assert response.status_code == 200
    # Bolt answers an ack with only text as plain text, which Slack shows as an ephemeral message.
    is_json = response.headers["content-type"].startswith("application/json")
    body = response.json() if is_json else {"text": response.text}
    assert problems_in_message(body) == [], body
    return body


def refs(body: dict[str, Any]) -> list[int]:
    """The request numbers a list shows, in order."""
    shown = json.dumps(body.get("blocks", []))
    return [int(number) for number in re.findall(r"\*REQ-(\d+)\*", shown)]


def buttons(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The buttons of a message, by their text."""
    return {
        element["text"]["text"]: element
        for block in body.get("blocks", [])
        if block["type"] == "actions"
        for element in block["elements"]
    }


async def press(pmbot: Harness, button: dict[str, Any], *, user: str = ALICE) -> Call:
    """Press a pager button of an ephemeral list; returns what pmbot sent to the response_url."""
    before = len(pmbot.fake.calls_to("response_url"))
    click = payloads.block_action(
        SECRET,
        action_id=button["action_id"],
        block_id="pager",
        value=button["value"],
        user_id=user,
        container={"type": "message", "message_ts": "1700000000.000100", "is_ephemeral": True},
        response_url=pmbot.fake.response_url(LIST_URL),
    )
    response = await pmbot.send(click)
    assert response.status_code == 200
    answers = await pmbot.fake.wait_for("response_url", count=before + 1)
    answer = answers[-1]
    assert problems_in_message(answer.params) == [], answer.params
    return answer


async def file_many(pmbot: Harness, count: int, *, user: str = ALICE) -> None:
    """File `count` requests one after another, so their numbers follow the order."""
    for n in range(count):
        await pmbot.file(f"Request {n + 1}", user=user)


async def decide(pmbot: Harness, action: str, number: int, text: str = "Not now") -> None:
    """Accept or decline REQ-<number> as an admin (no triagers are named in these tests)."""
    if action == "accept":
        response = await pmbot.click(ids.ACCEPT, number, user="U_ADMIN")
        assert response.status_code == 200
        await pmbot.until(lambda: has_status(pmbot, number, "accepted"))
        return
    response = await pmbot.submit(
        ids.DECLINE_MODAL,
        {ids.REASON: {ids.VALUE: payloads.plain_text(text)}},
        user="U_ADMIN",
        private_metadata=json.dumps({"number": number}),
    )
    assert response.status_code == 200 and response.text in ("", "{}"), response.text


async def has_status(pmbot: Harness, number: int, status: str) -> bool:
    detail = await pmbot.services.requests.get("T_TEST", number)
    return detail.request.status == status


# Scopes


async def test_list_shows_open_requests_newest_first(pmbot: Harness) -> None:
    await file_many(pmbot, 4)
    await decide(pmbot, "decline", 2)

    body = await ask(pmbot, "list")

    assert refs(body) == [4, 3, 1]
    assert body["blocks"][0]["text"]["text"] == "Requests: open"
    assert "Next page" not in buttons(body)


async def test_list_with_nothing_filed_says_so(pmbot: Harness) -> None:
    body = await ask(pmbot, "list")

    assert refs(body) == []
    assert "Nothing here." in ephemeral_text_of(body)


async def test_list_mine_shows_what_i_asked_for_or_filed(pmbot: Harness) -> None:
    await pmbot.file("Alice's first", user=ALICE)
    await pmbot.file("Bob's request", user=BOB)
    await pmbot.file("Alice's second", user=ALICE)
    await decide(pmbot, "decline", 3)

    alice = await ask(pmbot, "list mine", user=ALICE)
    bob = await ask(pmbot, "list mine", user=BOB)
    carol = await ask(pmbot, "list mine", user=CAROL)

    assert refs(alice) == [3, 1]  # closed ones too: they are still hers
    assert refs(bob) == [2]
    assert refs(carol) == []


async def test_list_all_and_list_by_status(pmbot: Harness) -> None:
    await file_many(pmbot, 5)
    await decide(pmbot, "decline", 2)
    await decide(pmbot, "decline", 4)
    await decide(pmbot, "accept", 5)

    everything = await ask(pmbot, "list all")
    declined = await ask(pmbot, "list declined")
    accepted = await ask(pmbot, "LIST Accepted")

    assert refs(everything) == [5, 4, 3, 2, 1]
    assert refs(declined) == [4, 2]
    assert all("Declined" in block["text"]["text"] for block in declined["blocks"][1:])
    assert refs(accepted) == [5]


async def test_list_with_a_bad_scope_shows_usage(pmbot: Harness) -> None:
    await file_many(pmbot, 1)

    body = await ask(pmbot, "list everything-ever")

    said = ephemeral_text_of(body)
    assert "`list` takes one of: open, mine, all" in said
    assert "`/request list [mine|open|all|<status>]`" in said
    assert refs(body) == []


# Paging


async def test_a_long_list_pages_with_next_and_previous(pmbot: Harness) -> None:
    await file_many(pmbot, 40)

    first = await ask(pmbot, "list")

    assert len(first["blocks"]) <= 50
    assert refs(first) == list(range(40, 25, -1))
    assert set(buttons(first)) == {"Next page"}

    second = await press(pmbot, buttons(first)["Next page"])

    assert second.params["replace_original"] in (True, "true")
    assert second.params["response_type"] == "ephemeral"
    assert refs(second.params) == list(range(25, 10, -1))
    assert set(buttons(second.params)) == {"Previous", "Next page"}

    third = await press(pmbot, buttons(second.params)["Next page"])

    assert refs(third.params) == list(range(10, 0, -1))
    assert set(buttons(third.params)) == {"Previous"}

    back = await press(pmbot, buttons(third.params)["Previous"])

    assert refs(back.params) == refs(second.params)


async def test_paging_keeps_the_scope(pmbot: Harness) -> None:
    await file_many(pmbot, 20, user=BOB)
    await file_many(pmbot, 17, user=ALICE)

    mine = await ask(pmbot, "list mine", user=ALICE)
    assert refs(mine) == list(range(37, 22, -1))
    rest = await press(pmbot, buttons(mine)["Next page"], user=ALICE)

    assert refs(rest.params) == [22, 21]
    assert rest.params["blocks"][0]["text"]["text"] == "Requests: mine"


async def test_a_forged_page_value_falls_back_to_something_sane(pmbot: Harness) -> None:
    await file_many(pmbot, 3)
    forged = {"action_id": ids.LIST_PAGE, "value": json.dumps({"scope": "<!channel>", "page": -7})}

    answer = await press(pmbot, forged)

    assert refs(answer.params) == [3, 2, 1]
    assert "<!channel>" not in json.dumps(answer.params)


async def test_a_list_of_long_titles_stays_within_slacks_limits(pmbot: Harness) -> None:
    long_title = "Make the <dashboard> & reports load faster for teams with many projects " * 3
    await asyncio.gather(*(pmbot.file(f"{long_title}{n}") for n in range(16)))

    body = await ask(pmbot, "list")

    assert len(refs(body)) == 15 and "Next page" in buttons(body)


# One request


async def test_one_request_with_its_history(pmbot: Harness) -> None:
    await file_many(pmbot, 3)
    await pmbot.click(ids.FOLLOW, 3, user=BOB)
    await pmbot.fake.wait_for("response_url", where=lambda call: call.params["name"] == f"{ids.FOLLOW}-{BOB}")
    await decide(pmbot, "accept", 3)

    body = await ask(pmbot, "REQ-3")

    said = ephemeral_text_of(body)
    assert body["blocks"][0]["text"]["text"] == "REQ-3 · Request 3"
    assert "*History*" in said
    history = [block["elements"][0]["text"] for block in body["blocks"] if block["type"] == "context"]
    lines = [line for line in history if "<!date^" in line]
    assert [line.split("> · ", 1)[-1] for line in lines] == [
        "Filed by <@U_ALICE>",
        f"Followed by <@{BOB}>",
        "Accepted (was New) by <@U_ADMIN>",
    ]


def action_ids(body: dict[str, Any]) -> list[str]:
    return [e["action_id"] for b in body["blocks"] if b["type"] == "actions" for e in b["elements"]]


async def test_one_request_shows_each_reader_only_the_buttons_they_may_use(pmbot: Harness) -> None:
    await file_many(pmbot, 3)  # Alice asked for them; nobody is named triager, so admins triage
    await pmbot.click(ids.FOLLOW, 3, user=BOB)
    await pmbot.fake.wait_for("response_url", where=lambda call: call.params["name"] == f"{ids.FOLLOW}-{BOB}")
    await decide(pmbot, "accept", 3)

    triage_moves = [ids.DECLINE, ids.NEED_INFO, ids.MARK_DUPLICATE, ids.ASSIGN]  # accepted: no Accept again
    assert action_ids(await ask(pmbot, "REQ-3", user=ADMIN)) == [*triage_moves, ids.FOLLOW, ids.UPVOTE]
    assert action_ids(await ask(pmbot, "REQ-3", user=BOB)) == [ids.UNFOLLOW, ids.UPVOTE]
    mine = action_ids(await ask(pmbot, "REQ-3", user=ALICE))
    assert ids.UPVOTE not in mine and not set(mine) & {*triage_moves, ids.ACCEPT}, mine  # no self +1


async def test_one_request_is_found_however_its_id_is_typed(pmbot: Harness) -> None:
    await file_many(pmbot, 3)

    for typed in ("REQ-2", "req-2", "REQ2"):
        body = await ask(pmbot, typed)
        assert body["blocks"][0]["text"]["text"] == "REQ-2 · Request 2", typed


async def test_a_long_history_is_cut_to_fit_a_message(pmbot: Harness) -> None:
    await pmbot.file("Popular one")
    people = [f"U_FAN{n:02d}" for n in range(40)]
    for person in people:
        await pmbot.click(ids.UPVOTE, 1, user=person)
    await pmbot.until(lambda: upvotes_are(pmbot, 1, len(people)))

    body = await ask(pmbot, "REQ-1")

    assert "earlier changes not shown" in json.dumps(body["blocks"])
    assert len(body["blocks"]) <= 50


async def upvotes_are(pmbot: Harness, number: int, count: int) -> bool:
    return (await pmbot.services.requests.get("T_TEST", number)).upvotes == count


async def test_an_unknown_request_says_it_does_not_exist(pmbot: Harness) -> None:
    await file_many(pmbot, 1)

    body = await ask(pmbot, "REQ-999")

    assert body["text"] == "There is no REQ-999 in this workspace."


async def test_another_workspaces_request_is_not_shown(pmbot: Harness) -> None:
    await file_many(pmbot, 1)

    response = await pmbot.command("REQ-1", team_id="T_OTHER", response_url=pmbot.fake.response_url("x"))

    assert response.text == "There is no REQ-1 in this workspace."


# Help


@pytest.mark.parametrize("typed", ["help", "HELP"])
async def test_help_shows_usage(pmbot: Harness, typed: str) -> None:
    body = await ask(pmbot, typed, user=ADMIN)

    said = ephemeral_text_of(body)
    for usage in ("`/request <title>`", "`/request list", "`/request REQ-12`", "`/request settings`"):
        assert usage in said


async def test_help_shows_the_admins_lines_only_to_an_admin(pmbot: Harness) -> None:
    said = ephemeral_text_of(await ask(pmbot, "help", user=ALICE))

    assert "`/request list" in said and "`/request help`" in said
    assert "`/request settings`" not in said and "(admins)" not in said


def ephemeral_text_of(body: dict[str, Any]) -> str:
    """The text of an ack body (its fallback text and the text of its sections)."""
    response = httpx.Response(200, json=body)
    return ephemeral_text(response)
