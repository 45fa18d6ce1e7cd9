"""Steps the Home tab scenarios share: open the tab, read what it shows, click its buttons, seed lots."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx

from storage.models import Launch, LaunchItem, LaunchStatus, Proposal, ProposalVote, Request, RequestFollower
from tests.fakes import Call, payloads
from tests.harness import SECRET, Harness

TEAM = "T_TEST"


def publishes(pmbot: Harness, user: str) -> list[Call]:
    """Every successful views.publish of `user`'s Home tab, oldest first."""
    return [
        call
        for call in pmbot.fake.calls_to("views.publish")
        if call.params.get("user_id") == user and not call.failed
    ]


async def open_home(pmbot: Harness, user: str) -> dict[str, Any]:
    """Send a signed `app_home_opened` (Home tab) for `user`; return the view pmbot published.

    Publishes the outbox owes first go out, so the one awaited here is the answer to the event.
    """
    await pmbot.settled()
    before = len(publishes(pmbot, user))
    response = await pmbot.send(payloads.event(SECRET, event=payloads.app_home_opened_event(user)))
    assert response.status_code == 200, response.text
    return (await next_publish(pmbot, user, before)).params["view"]


async def next_publish(pmbot: Harness, user: str, seen: int) -> Call:
    """Wait for the publish of `user`'s home after the first `seen` ones."""
    found = await pmbot.fake.wait_for(
        "views.publish", count=seen + 1, where=lambda c: c.params.get("user_id") == user and not c.failed
    )
    return found[seen]


def shown(view: dict[str, Any]) -> str:
    """Everything the view shows: section, header and context texts, button labels."""
    parts: list[str] = []
    for block in view.get("blocks", []):
        parts.append((block.get("text") or {}).get("text", ""))
        accessory = block.get("accessory") or {}
        parts.append((accessory.get("text") or {}).get("text", ""))
        for element in block.get("elements", []):
            inner = element.get("text")
            parts.append(inner.get("text", "") if isinstance(inner, dict) else inner or "")
    return "\n".join(part for part in parts if part)


def buttons(view: dict[str, Any]) -> list[str]:
    """The action_ids of the view's buttons (in actions blocks and section accessories), in order."""
    found = []
    for block in view.get("blocks", []):
        if block.get("accessory", {}).get("type") == "button":
            found.append(block["accessory"]["action_id"])
        if block["type"] == "actions":
            found += [element["action_id"] for element in block["elements"]]
    return found


def button_value(view: dict[str, Any], action_id: str) -> str:
    """The value of the first button with `action_id`."""
    for block in view.get("blocks", []):
        candidates = [block.get("accessory") or {}, *block.get("elements", [])]
        for element in candidates:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return element.get("value", "")
    raise AssertionError(f"no button {action_id} in the view")


async def click_in_view(
    pmbot: Harness, action_id: str, value: str, *, user: str, view: dict[str, Any]
) -> httpx.Response:
    """Click a button on a view surface (Home tab or modal): no channel, no response_url."""
    surface = {key: field for key, field in view.items() if key != "team_id"}  # the builder sets it
    response = await pmbot.send(
        payloads.block_action(SECRET, action_id=action_id, value=value, user_id=user, view=surface)
    )
    assert response.status_code == 200, response.text
    return response


async def seed(
    pmbot: Harness,
    user: str,
    *,
    mine: int,
    followed: int,
    votes: int,
    other: str = "U_OTHER",
    start: int = 1,
) -> None:
    """Store many requests of `user`, requests of `other` that `user` follows, and pending proposals
    by `other`, straight into the database (filing hundreds through Slack would only be slow)."""
    now = pmbot.clock.now()
    async with pmbot.services.db.transaction() as session:
        rows = [
            Request(
                team_id=TEAM,
                number=n,
                title=f"Request <{n}> & more",
                requester_id=user if n < start + mine else other,
                filed_by_id=user if n < start + mine else other,
                created_at=now,
                updated_at=now + timedelta(seconds=n),
            )
            for n in range(start, start + mine + followed)
        ]
        session.add_all(rows)
        await session.flush()
        session.add_all(
            RequestFollower(request_id=row.id or 0, user_id=user, team_id=TEAM) for row in rows[mine:]
        )
        session.add_all(
            Proposal(
                team_id=TEAM,
                number=n,
                kind="add",
                proposer_id=other,
                rationale="Because",
                changes={"title": f"Item {n}"},
                expires_at=now + timedelta(days=7, minutes=n),
            )
            for n in range(start, start + votes)
        )


@dataclass(frozen=True)
class Item:
    """A checklist item to seed: who owns it, when it is due (days from today), whether it is done."""

    owner: str | None
    due_in: int
    done: bool = False
    title: str = "Write the release notes"


async def add_launch(
    pmbot: Harness,
    number: int,
    *,
    name: str,
    days_away: int,
    items: tuple[Item, ...] = (),
    status: LaunchStatus = LaunchStatus.PLANNED,
    owner: str = "U_OTHER",
    team_id: str = TEAM,
) -> None:
    """Store a launch and its checklist straight into the database (what `/launch new` would make)."""
    today = pmbot.clock.now().date()
    async with pmbot.services.db.transaction() as session:
        launch = Launch(
            team_id=team_id,
            number=number,
            name=name,
            launch_date=today + timedelta(days=days_away),
            channel_id="C_LAUNCHES",
            owner_id=owner,
            template_name="Standard",
            status=status,
            created_by=owner,
        )
        session.add(launch)
        await session.flush()
        session.add_all(
            LaunchItem(
                team_id=team_id,
                launch_id=launch.id or 0,
                position=position,
                phase="Prepare",
                title=item.title,
                offset_days=item.due_in - days_away,
                due_date=today + timedelta(days=item.due_in),
                owner_id=item.owner,
                done=item.done,
            )
            for position, item in enumerate(items)
        )


async def seed_queues(
    pmbot: Harness, user: str, *, assigned: int, proposals: int, other: str = "U_OTHER", start: int = 5000
) -> None:
    """Store requests of `other` assigned to `user` (new ones: they wait for triage too), and pending
    proposals by `user`, half of them with `other`'s vote."""
    now = pmbot.clock.now()
    async with pmbot.services.db.transaction() as session:
        session.add_all(
            Request(
                team_id=TEAM,
                number=n,
                title=f"Assigned <{n}>",
                requester_id=other,
                filed_by_id=other,
                assignee_id=user,
                created_at=now,
                updated_at=now,
            )
            for n in range(start, start + assigned)
        )
        own = [
            Proposal(
                team_id=TEAM,
                number=n,
                kind="add",
                proposer_id=user,
                rationale="Because",
                changes={"title": f"Mine {n}"},
                expires_at=now + timedelta(days=7, minutes=n),
            )
            for n in range(start, start + proposals)
        ]
        session.add_all(own)
        await session.flush()
        session.add_all(
            ProposalVote(proposal_id=p.id or 0, team_id=TEAM, approver_id=other, revision=1, choice="approve")
            for p in own[::2]
        )
