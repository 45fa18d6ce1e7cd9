"""Who is told what, and how often: the one place that decides.

- A notice that reports no change is never sent (a status "now Planned (was Planned)"): a request
  is told of a status that changed, an assignment, its shipping, or its plan moving (horizon, date).
- A person's notices are gathered in one outbox job: those that arrive within the gathering window
  (`NOTICE_GATHER_SECONDS`) of the first go out as one DM ("3 updates on your requests").
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
ALWAYS_NEWS = {"assigned", "shipped", "plan_moved"}


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
        return [entry for entry in payload[ENTRIES] if is_news(entry)]
    return [payload] if is_news(payload) else []


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
