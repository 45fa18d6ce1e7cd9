"""Seed one workspace for the digest benchmark: a year of requests, roadmap changes and launches.

Everything scales with the number of requests N, spread over the year before NOW (so a week holds
about N/52 new requests): N +1s, about 2.5 N audit entries (filing, triage, edits), N/10 roadmap
items and proposals (two votes and three posted cards each), N/100 launches with 20 checklist items
each (a quarter of them still to come). Rows go in with multi-row INSERTs, not the ORM.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.models import (
    AuditEntry,
    Launch,
    LaunchItem,
    Proposal,
    ProposalMessage,
    ProposalVote,
    Request,
    RequestUpvote,
    RoadmapItem,
    Role,
    Workspace,
    WorkspaceMember,
)

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
HISTORY = timedelta(days=365)
APPROVERS = ["U_APPROVER_1", "U_APPROVER_2", "U_APPROVER_3"]
IMPACTS = ["low", "medium", "medium", "high", "critical"]
TRIAGE = ["accepted", "accepted", "accepted", "declined", "asked_for_info", "marked_duplicate"]
STATUS_AFTER = {"accepted": "accepted", "declined": "declined", "asked_for_info": "needs_info"}
STATUS_AFTER["marked_duplicate"] = "duplicate"
DECIDED = ["approved"] * 6 + ["rejected"] * 2 + ["withdrawn", "expired"]
CHUNK = 5000


async def seed_team(db: Database, team_id: str, requests: int, *, seed: int = 7) -> None:
    """Fill the workspace `team_id` for `requests` requests and everything proportional to them."""
    rng = random.Random(seed)
    async with db.transaction() as session:
        await _insert(session, Workspace, [{"team_id": team_id, "last_request_number": requests}])
        members = [{"team_id": team_id, "user_id": user, "role": Role.APPROVER} for user in APPROVERS]
        await _insert(session, WorkspaceMember, members)
    await _requests(db, team_id, requests, rng)
    await _roadmap(db, team_id, max(requests // 10, 1), rng)
    await _launches(db, team_id, max(requests // 100, 1), rng)


async def _requests(db: Database, team_id: str, count: int, rng: random.Random) -> None:
    first_id = await _next_id(db, Request)
    requests, upvotes, audit = [], [], []
    for n in range(count):
        created = NOW - HISTORY * (1 - n / count) - timedelta(minutes=rng.random() * 60)
        decision = rng.choice(TRIAGE) if created < NOW - timedelta(days=rng.random() * 8) else None
        requests.append(_request(team_id, n, created, rng, STATUS_AFTER[decision] if decision else "new"))
        request_id = first_id + n
        voters = rng.sample(range(50), rng.choice([0, 0, 1, 1, 2, 3, 5]))
        upvotes += [{"request_id": request_id, "user_id": f"U_FAN{v}", "team_id": team_id} for v in voters]
        audit.append(_audit(team_id, request_id, "filed", created))
        if decision:
            at = min(created + timedelta(hours=rng.random() * 100), NOW - timedelta(minutes=1))
            audit.append(_audit(team_id, request_id, decision, at))
        if rng.random() < 0.5:
            audit.append(_audit(team_id, request_id, "edited", created + timedelta(minutes=5)))
    async with db.transaction() as session:
        await _insert(session, Request, requests, first_id=first_id)
        await _insert(session, RequestUpvote, upvotes)
        await _insert(session, AuditEntry, audit)


def _request(team_id: str, n: int, created: datetime, rng: random.Random, status: str) -> dict[str, Any]:
    return {
        "team_id": team_id,
        "number": n + 1,
        "title": f"Request {n + 1}: export the <roadmap> & share it with customers",
        "description": "",
        "kind": "feature",
        "impact": rng.choice(IMPACTS),
        "status": status,
        "requester_id": f"U_USER{n % 200}",
        "filed_by_id": f"U_USER{n % 200}",
        "card_channel_id": "C_INTAKE",
        "card_ts": f"{int(created.timestamp())}.{n % 1000000:06d}",
        "created_at": created,
        "updated_at": created,
    }


def _audit(team_id: str, entity_id: int, action: str, at: datetime) -> dict[str, Any]:
    return {
        "team_id": team_id,
        "actor_id": "U_TRIAGER",
        "entity": "request",
        "entity_id": entity_id,
        "action": action,
        "at": at,
    }


async def _roadmap(db: Database, team_id: str, count: int, rng: random.Random) -> None:
    first_item, first_proposal = await _next_id(db, RoadmapItem), await _next_id(db, Proposal)
    items, proposals, votes, cards = [], [], [], []
    for n in range(count):
        items.append({"team_id": team_id, "number": n + 1, "title": f"Item {n + 1} <b>", "horizon": "next"})
        submitted = NOW - HISTORY * (1 - n / count)
        open_now = submitted > NOW - timedelta(days=6)
        status = rng.choice(["pending", "pending", "changes_requested"]) if open_now else rng.choice(DECIDED)
        proposals.append(_proposal(team_id, n, first_item + n, submitted, status, rng))
        pid = first_proposal + n
        for approver in rng.sample(APPROVERS, 2):
            vote = {"proposal_id": pid, "team_id": team_id, "approver_id": approver, "revision": 1}
            votes.append({**vote, "choice": "approve", "at": submitted + timedelta(hours=1)})
        for target, channel in (("C_APPROVALS", "C_APPROVALS"), (APPROVERS[0], "D_1"), (APPROVERS[1], "D_2")):
            ts = f"{int(submitted.timestamp())}.{n % 1000000:06d}"
            cards.append(
                {"proposal_id": pid, "target": target, "team_id": team_id, "channel_id": channel, "ts": ts}
            )
    async with db.transaction() as session:
        await _insert(session, RoadmapItem, items, first_id=first_item)
        await _insert(session, Proposal, proposals, first_id=first_proposal)
        await _insert(session, ProposalVote, votes)
        await _insert(session, ProposalMessage, cards)


def _proposal(
    team_id: str, n: int, item_id: int, submitted: datetime, status: str, rng: random.Random
) -> dict[str, Any]:
    decided = (
        None if status in ("pending", "changes_requested") else submitted + timedelta(days=rng.random() * 6)
    )
    return {
        "team_id": team_id,
        "number": n + 1,
        "kind": "move",
        "item_id": item_id,
        "proposer_id": f"U_USER{n % 200}",
        "rationale": "Customers keep asking",
        "changes": {"horizon": "now"},
        "linked_request_ids": [],
        "status": status,
        "revision": 1,
        "required_approvals": 3,
        "created_at": submitted,
        "submitted_at": submitted,
        "expires_at": submitted + timedelta(days=7),
        "decided_at": decided,
    }


async def _launches(db: Database, team_id: str, count: int, rng: random.Random) -> None:
    first_id = await _next_id(db, Launch)
    launches, items = [], []
    for n in range(count):
        # Three quarters over the past year, a quarter over the next quarter.
        day = NOW.date() - timedelta(days=365) + timedelta(days=int(455 * n / count))
        shipped = day < NOW.date()
        launched_at = (
            datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=15) if shipped else None
        )
        launches.append(_launch(team_id, n, day, "launched" if shipped else "planned", launched_at))
        for position in range(20):
            due = day - timedelta(days=20 - position)
            done = due < NOW.date() - timedelta(days=rng.choice([0, 0, 0, 3])) or shipped
            items.append(_item(team_id, first_id + n, position, due, done))
    async with db.transaction() as session:
        await _insert(session, Launch, launches, first_id=first_id)
        await _insert(session, LaunchItem, items)


def _launch(team_id: str, n: int, day: date, status: str, launched_at: datetime | None) -> dict[str, Any]:
    return {
        "team_id": team_id,
        "number": n + 1,
        "name": f"Launch {n + 1} <beta>",
        "launch_date": day,
        "timezone": "UTC",
        "channel_id": "C_LAUNCHES",
        "owner_id": "U_OWNER",
        "decider_ids": [],
        "template_name": "standard",
        "status": status,
        "parent_ts": f"{int(NOW.timestamp())}.{n:06d}",
        "launched_at": launched_at,
        "created_by": "U_OWNER",
    }


def _item(team_id: str, launch_id: int, position: int, due: date, done: bool) -> dict[str, Any]:
    return {
        "team_id": team_id,
        "launch_id": launch_id,
        "position": position,
        "phase": "build",
        "title": f"Checklist item {position} & more",
        "offset_days": position - 20,
        "due_date": due,
        "owner_id": "U_OWNER",
        "done": done,
    }


async def _next_id(db: Database, model: Any) -> int:
    async with db.read() as session:
        return int((await session.execute(select(func.coalesce(func.max(model.id), 0)))).scalar_one()) + 1


async def _insert(
    session: AsyncSession, model: Any, rows: Sequence[dict[str, Any]], *, first_id: int | None = None
) -> None:
    """Multi-row INSERTs of plain dicts, in chunks; ids given explicitly where later rows refer to them.
    Columns a row leaves out take the model's defaults (read once from an empty instance)."""
    blank = model()
    defaults = {column.name: getattr(blank, column.name, None) for column in model.__table__.columns}
    defaults.pop("id", None)
    if first_id is not None:
        rows = [{**defaults, "id": first_id + n, **row} for n, row in enumerate(rows)]
    else:
        rows = [{**defaults, **row} for row in rows]
    for start in range(0, len(rows), CHUNK):
        await session.execute(insert(model), list(rows[start : start + CHUNK]))
