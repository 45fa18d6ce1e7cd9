"""Who is told what, and how often: the one place that decides.

- A notice that reports no change is never sent (a status "now Planned (was Planned)"): a request
  is told of a status that changed, an assignment, its shipping, or its plan moving (horizon, date).
- A person's notices are gathered in one outbox job: those that arrive within the gathering window
  (`NOTICE_GATHER_SECONDS`) of the first go out as one DM ("3 updates on your requests").
- A person's gathered notices about one request that end where they started are dropped: an
  assignee put back (assigned to Carol, then back to Dana), a status put back (Accepted, Needs
  info, Accepted again), each on its own, while whatever else changed is still said.
- A decided proposal is announced in the announcements channel only when that is not the channel
  its card is in: there the updated card is the announcement.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import outbox_kinds
from storage.outbox_gather import ENTRIES, gather

# These say something new whatever the status did (a move of a planned request's horizon or date).
ALWAYS_NEWS = {"assigned", "shipped", "plan_moved", "filed_for_you"}
# Changes that an undo can take back within the window (a plan moved or a shipping is said anyway).
UNDOABLE = {"assigned"}


def is_news(notice: dict[str, Any]) -> bool:
    """Whether a request notice tells the reader something that changed."""
    if not notice.get("action"):
        return False  # nothing a person could read
    return notice["action"] in ALWAYS_NEWS or notice.get("old_status") != notice.get("new_status")


async def tell(
    session: AsyncSession, *, team_id: str, user_id: str, notice: dict[str, Any], now: datetime
) -> bool:
    """Queue a notice for one person (gathered with their others); False if it was not news."""
    if not is_news(notice):
        return False
    entry = {**notice, "id": uuid.uuid4().hex, "at": now.isoformat()}
    await gather(
        session,
        team_id=team_id,
        kind=outbox_kinds.NOTIFY,
        dedupe_key=f"notices:{team_id}:{user_id}",
        base={"user_id": user_id},
        entry=entry,
        now=now,
    )
    return True


def notices_of(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """The notices a NOTIFY job carries (a job queued before gathering carried exactly one)."""
    if ENTRIES in payload:
        return _without_undone([entry for entry in payload[ENTRIES] if is_news(entry)])
    return [payload] if is_news(payload) else []


def _without_undone(notices: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop each request's changes that, taken together, were put back as they were."""
    by_request: dict[Any, list[dict[str, Any]]] = {}
    for notice in notices:
        by_request.setdefault(notice.get("request_id"), []).append(notice)
    undone = [id(notice) for key, group in by_request.items() if key is not None for notice in _undone(group)]
    return [notice for notice in notices if id(notice) not in undone]


def _undone(group: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One request's notices of a status, or of an assignee, that ended where it started."""
    first, last = group[0], group[-1]
    if len(group) < 2 or "old_assignee_id" not in first:
        return []  # a lone change, or queued before assignees were remembered: say it
    status_back = first.get("old_status") == last.get("new_status")
    assignee_back = first["old_assignee_id"] == last.get("assignee_id")

    def put_back(notice: dict[str, Any]) -> bool:
        if notice["action"] in ALWAYS_NEWS - UNDOABLE:
            return False
        return assignee_back if notice["action"] in UNDOABLE else status_back

    return [notice for notice in group if put_back(notice)]


def seconds_to_gather(notices: list[dict[str, Any]], *, now: datetime, window_seconds: float) -> float:
    """How long the DM should still wait for more notices: the window runs from the oldest one."""
    stamps = [datetime.fromisoformat(notice["at"]) for notice in notices if notice.get("at")]
    if not stamps or window_seconds <= 0:
        return 0.0
    return max(0.0, window_seconds - (now - min(stamps)).total_seconds())


def announcement_channel(approvals_channel: str | None, announcements_channel: str | None) -> str | None:
    """Where an approved change is announced, or None when its updated card already says it."""
    if announcements_channel is None or announcements_channel == approvals_channel:
        return None
    return announcements_channel
