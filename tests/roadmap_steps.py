"""Steps the roadmap scenarios share: set the policy, propose, click a card, read what pmbot said."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable
from typing import Any

import httpx
from sqlalchemy import select

from bot.interactions.replies import NOTHING_HAPPENED
from bot.services.roadmap import proposals as form
from bot.views import ids
from storage import audit
from storage import requests as request_queries
from storage import roadmap as queries
from storage.models import Proposal, ProposalVote, Request, RoadmapItem
from tests.fakes import Call, payloads
from tests.harness import ADMIN, ALICE, SECRET, Harness

TEAM = "T_TEST"
APPROVALS, ANNOUNCE = "C_APPROVALS", "C_ANNOUNCE"
RATIONALE = "Customers keep asking"

_clicks = itertools.count(1)


async def set_policy(
    pmbot: Harness,
    approvers: list[str],
    required: int,
    *,
    expiry_days: int = 7,
    channels: bool = True,
    approvals: str | None = APPROVALS,
) -> None:
    """Save the approval policy through the policy modal, as an admin (`channels` False: none)."""
    values = {
        ids.APPROVERS: {ids.VALUE: payloads.multi_users_select(approvers)},
        ids.APPROVER_GROUP: {ids.APPROVER_GROUP_PICKER: payloads.external_select(None)},
        ids.REQUIRED_APPROVALS: {ids.VALUE: {"type": "number_input", "value": str(required)}},
        ids.EXPIRY_DAYS: {ids.VALUE: {"type": "number_input", "value": str(expiry_days)}},
        ids.APPROVALS_CHANNEL: {ids.VALUE: payloads.conversations_select(approvals if channels else None)},
        ids.ANNOUNCEMENTS_CHANNEL: {ids.VALUE: payloads.conversations_select(ANNOUNCE if channels else None)},
    }
    response = await pmbot.submit_as_a_person(ids.POLICY_MODAL, values, user=ADMIN)
    assert response.status_code == 200 and response.text in ("", "{}"), response.text


def change(
    kind: str,
    *,
    item: int | None = None,
    title: str | None = None,
    description: str | None = None,
    horizon: str | None = None,
    target_date: str | None = None,
    owner: str | None = None,
    rationale: str | None = RATIONALE,
    linked: Iterable[int] = (),
) -> dict[str, Any]:
    """The propose modal's state as Slack reports it: every input block, empty ones as null."""
    chosen = [payloads.option(str(n), f"REQ-{n}") for n in linked]
    return {
        form.KIND: {ids.VALUE: payloads.static_select(kind)},
        form.ITEM: {ids.ITEM_PICKER: payloads.external_select(str(item) if item else None, f"RM-{item}")},
        form.TITLE: {ids.VALUE: payloads.plain_text(title)},
        form.DESCRIPTION: {ids.VALUE: payloads.plain_text(description)},
        form.HORIZON: {ids.VALUE: payloads.static_select(horizon)},
        form.TARGET_DATE: {ids.VALUE: payloads.datepicker(target_date)},
        form.OWNER: {ids.VALUE: payloads.users_select(owner)},
        form.RATIONALE: {ids.VALUE: payloads.plain_text(rationale)},
        form.LINKED: {ids.REQUEST_PICKER: {"type": "multi_external_select", "selected_options": chosen}},
    }


async def submit_change(
    pmbot: Harness, values: dict[str, Any], *, user: str = ALICE, resubmit: int | None = None
) -> httpx.Response:
    """Submit the propose modal (a resubmission carries the proposal's number in private_metadata)."""
    metadata = json.dumps({"number": resubmit})
    return await pmbot.submit(ids.PROPOSE_MODAL, values, user=user, private_metadata=metadata)


async def propose(pmbot: Harness, kind: str, *, user: str = ALICE, **fields: Any) -> None:
    """Propose a change that the modal accepts (tried again, as a person would, after "nothing was saved")."""
    for _ in range(3):
        response = await submit_change(pmbot, change(kind, **fields), user=user)
        if NOTHING_HAPPENED not in response.text:
            break
    assert response.status_code == 200 and response.text in ("", "{}"), response.text


async def propose_add(
    pmbot: Harness, title: str, *, user: str = ALICE, linked: Iterable[int] = (), horizon: str = "next"
) -> None:
    """Propose adding an item to a horizon."""
    await propose(pmbot, "add", user=user, title=title, horizon=horizon, linked=linked)


async def click(
    pmbot: Harness, action_id: str, number: int, *, user: str, channel: str = APPROVALS, name: str = ""
) -> str:
    """Click a button of CHG-<number>'s card; returns the name of the click's response_url."""
    name = name or f"{action_id}-{user}-{next(_clicks)}"
    response = await pmbot.send(
        payloads.block_action(
            SECRET,
            action_id=action_id,
            block_id=f"{ids.PROPOSAL_BLOCK_PREFIX}{number}",
            value=str(number),
            user_id=user,
            channel_id=channel,
            response_url=pmbot.fake.response_url(name),
        )
    )
    assert response.status_code == 200, response.text
    return name


async def approve(pmbot: Harness, number: int, user: str) -> str:
    """Click Approve on CHG-<number> (the response_url is named `approve-<user>`)."""
    return await click(pmbot, ids.APPROVE, number, user=user, name=f"approve-{user}")


async def answer(pmbot: Harness, name: str) -> str:
    """The ephemeral text pmbot posted to the response_url `name`."""
    [said] = await pmbot.fake.wait_for("response_url", where=lambda call: call.params["name"] == name)
    assert said.params.get("response_type") == "ephemeral", said.params
    return said.params["text"]


async def vote(pmbot: Harness, action_id: str, number: int, user: str) -> str:
    """Click a button and return what pmbot told the clicker."""
    return await answer(pmbot, await click(pmbot, action_id, number, user=user))


async def open_ask_modal(pmbot: Harness, action_id: str, number: int, *, user: str) -> dict[str, Any]:
    """Click Reject or Request changes and return the modal pmbot filled in (or its refusal)."""
    before = len(pmbot.fake.calls_to("views.update"))
    await click(pmbot, action_id, number, user=user)
    updated = await pmbot.fake.wait_for("views.update", count=before + 1)
    return updated[-1].params["view"]


async def submit_comment(pmbot: Harness, view: dict[str, Any], comment: str, *, user: str) -> httpx.Response:
    """Submit a reject or request-changes modal with `comment`."""
    values = {ids.COMMENT: {ids.VALUE: payloads.plain_text(comment)}}
    return await pmbot.submit(
        view["callback_id"], values, user=user, private_metadata=view["private_metadata"]
    )


async def get_proposal(pmbot: Harness, number: int) -> Proposal:
    async with pmbot.services.db.read() as session:
        proposal = await queries.get_proposal(session, TEAM, number)
    assert proposal is not None
    return proposal


async def all_votes(pmbot: Harness, number: int) -> list[ProposalVote]:
    """Every vote row of CHG-<number>, of every revision."""
    proposal = await get_proposal(pmbot, number)
    async with pmbot.services.db.read() as session:
        query = select(ProposalVote).where(ProposalVote.proposal_id == proposal.id).order_by(ProposalVote.id)
        return list((await session.execute(query)).scalars())


async def roadmap_items(pmbot: Harness) -> list[RoadmapItem]:
    async with pmbot.services.db.read() as session:
        return await queries.list_items(session, TEAM)


async def get_item(pmbot: Harness, number: int) -> RoadmapItem:
    async with pmbot.services.db.read() as session:
        item = await queries.get_item(session, TEAM, number)
    assert item is not None
    return item


async def get_request(pmbot: Harness, number: int) -> Request:
    async with pmbot.services.db.read() as session:
        request = await request_queries.get_request(session, TEAM, number)
    assert request is not None
    return request


async def audit_actions(pmbot: Harness, entity: str, entity_id: int) -> list[str]:
    async with pmbot.services.db.read() as session:
        entries = await audit.list_changes(session, team_id=TEAM, entity=entity, entity_id=entity_id)
    return [entry.action for entry in entries]


def card_calls(pmbot: Harness, number: int, method: str = "chat.update") -> list[Call]:
    """Posts (or updates) of CHG-<number>'s approval card, wherever it is."""
    return [
        call
        for call in pmbot.fake.calls_to(method)
        if not call.failed and call.params.get("text", "").startswith(f"CHG-{number}: ")
    ]


def posts_to(pmbot: Harness, channel: str) -> list[Call]:
    """Messages pmbot posted to a channel, or to a user id (which opens the DM)."""
    return [
        call
        for call in pmbot.fake.calls_to("chat.postMessage")
        if call.params.get("channel") == channel and not call.failed
    ]


def notices_to(pmbot: Harness, user: str) -> list[Call]:
    """DMs to `user` other than their copy of an approval card (whose text is `CHG-n: …`)."""
    return [
        call
        for call in posts_to(pmbot, user)
        if not call.params.get("text", "").startswith("CHG-")
        or not call.params["text"].split(" ", 1)[0].endswith(":")
    ]


def shown(call: Call) -> str:
    """Everything a message shows: fallback text, section and context texts, button labels."""
    parts = [call.params.get("text", "")]
    for block in call.params.get("blocks", []):
        parts.append((block.get("text") or {}).get("text", ""))
        for element in block.get("elements", []):
            parts.append(element.get("text", "") if element["type"] == "mrkdwn" else "")
            parts.append((element.get("text") or {}).get("text", "") if element["type"] == "button" else "")
    return "\n".join(part for part in parts if part)


def buttons(call: Call) -> list[str]:
    """The action_ids of a message's buttons."""
    return [
        element["action_id"]
        for block in call.params.get("blocks", [])
        if block["type"] == "actions"
        for element in block["elements"]
    ]


def diff_text(call: Call) -> str:
    """The before → after section of an approval card (its third block)."""
    return call.params["blocks"][2]["text"]["text"]


def latest_messages(pmbot: Harness) -> dict[tuple[str, str], Call]:
    """Every message pmbot posted, as it reads now: its last post or update, by (channel, ts)."""
    latest: dict[tuple[str, str], Call] = {}
    for call in pmbot.fake.calls:
        if call.failed or call.method not in ("chat.postMessage", "chat.update"):
            continue
        spot = call.response if call.method == "chat.postMessage" else call.params
        latest[(spot["channel"], spot["ts"])] = call
    return latest


def live_buttons(pmbot: Harness, user: str) -> dict[str, list[str]]:
    """The buttons every DM to `user` still shows, by the message's fallback text."""
    return {
        call.params.get("text", ""): buttons(call)
        for (channel, _), call in latest_messages(pmbot).items()
        if channel == "D" + user and buttons(call)
    }


def link_to(post: Call) -> str:
    """The permalink of a message pmbot posted (the fake's workspace is https://acme.slack.com/)."""
    return (
        f"https://acme.slack.com/archives/{post.response['channel']}/p{post.response['ts'].replace('.', '')}"
    )
