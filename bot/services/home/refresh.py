"""Asking for Home tabs to be re-published, inside the transaction of the change that alters them.

Only the tabs of people who have opened pmbot's Home tab are re-published: Slack shows the tab to
no one else, and a first opening builds it fresh (handlers/home/tab.py).

Each person has at most one pending publish (dedupe key `home:<team>:<user>`): a burst of changes
re-arms that one job, and its delivery renders whatever the database holds by then.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import outbox_kinds
from storage import outbox
from storage.home_viewers import select_viewers
from storage.models import Role
from storage.workspaces import list_member_ids


def home_key(team_id: str, user_id: str) -> str:
    """The dedupe key of a person's pending home publish."""
    return f"home:{team_id}:{user_id}"


async def refresh_homes(
    session: AsyncSession, *, team_id: str, user_ids: Iterable[str], now: datetime
) -> None:
    """Queue a re-publish of the Home tab of each of these people who has opened it."""
    people = [user_id for user_id in dict.fromkeys(user_ids) if _is_person(user_id)]
    viewers = await select_viewers(session, team_id=team_id, user_ids=people)
    for user_id in people:
        if user_id not in viewers:
            continue
        await outbox.enqueue(
            session,
            team_id=team_id,
            kind=outbox_kinds.PUBLISH_HOME,
            payload={"user_id": user_id},
            now=now,
            dedupe_key=home_key(team_id, user_id),
        )


async def refresh_admin_homes(session: AsyncSession, *, team_id: str, actor_id: str, now: datetime) -> None:
    """Queue a re-publish for every admin pmbot can name (the pmbot admins) and the one who acted.

    Workspace admins and owners who are not named cannot be listed without `users.list`; theirs
    show the change the next time they open the tab.
    """
    named = await list_member_ids(session, team_id, Role.ADMIN)
    await refresh_homes(session, team_id=team_id, user_ids=[actor_id, *named], now=now)


async def refresh_approver_homes(session: AsyncSession, *, team_id: str, now: datetime) -> None:
    """Queue a re-publish for every approver. Who they are may need Slack (a user group), so one job
    finds them at delivery time and queues each person's publish."""
    await outbox.enqueue(
        session,
        team_id=team_id,
        kind=outbox_kinds.REFRESH_APPROVER_HOMES,
        payload={},
        now=now,
        dedupe_key=f"approver-homes:{team_id}",
    )


def _is_person(user_id: str) -> bool:
    # Slack user ids start with U or W; "pmbot" is the actor of expiries.
    return user_id[:1] in ("U", "W")
