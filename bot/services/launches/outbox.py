"""What a launch's changes ask of Slack, enqueued in the transaction of the change.

Each message has its own dedupe key, so a burst of changes re-arms one job per message and its
delivery renders whatever the database holds by then.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import outbox_kinds
from bot.services.home.refresh import refresh_homes
from storage import audit, outbox
from storage.models import Launch, LaunchItem


def post_key(launch_id: int) -> str:
    """The dedupe key of the job that posts a launch's messages."""
    return f"launch:{launch_id}:post"


async def post_all(session: AsyncSession, launch: Launch, now: datetime) -> None:
    """Post the parent and the checklist where missing (and update what is there)."""
    await _sync(session, launch, outbox_kinds.POST_LAUNCH, post_key(launch.id or 0), now)


async def sync_parent(session: AsyncSession, launch: Launch, now: datetime) -> None:
    """Re-render the parent message."""
    await _sync(session, launch, outbox_kinds.SYNC_LAUNCH_PARENT, f"launch:{launch.id}:parent", now)


async def sync_chunks(session: AsyncSession, launch: Launch, chunks: Iterable[int], now: datetime) -> None:
    """Re-render these checklist messages."""
    for chunk in sorted(set(chunks)):
        await _sync(
            session,
            launch,
            outbox_kinds.SYNC_LAUNCH_CHUNK,
            f"launch:{launch.id}:chunk:{chunk}",
            now,
            chunk=chunk,
        )


async def sync_poll(session: AsyncSession, launch: Launch, now: datetime) -> None:
    """Post or re-render the current go/no-go round's poll."""
    key = f"launch:{launch.id}:gonogo:{launch.gonogo_round}"
    await _sync(session, launch, outbox_kinds.SYNC_GONOGO, key, now, round=launch.gonogo_round)


async def notice(session: AsyncSession, launch: Launch, kind: str, now: datetime, **details: Any) -> None:
    """Post a notice in the launch's thread (each notice once: no dedupe key)."""
    await outbox.enqueue(
        session,
        team_id=launch.team_id,
        kind=outbox_kinds.LAUNCH_NOTICE,
        payload={"launch_id": launch.id, "notice": kind, **details},
        now=now,
    )


async def tell_assigned(
    session: AsyncSession, launch: Launch, user_id: str, actor_id: str, now: datetime, *, item_id: int | None
) -> None:
    """DM someone who was just given something to do on the launch (never the person who did it)."""
    if user_id == actor_id:
        return
    await outbox.enqueue(
        session,
        team_id=launch.team_id,
        kind=outbox_kinds.LAUNCH_ASSIGNMENT,
        payload={"launch_id": launch.id, "user_id": user_id, "actor_id": actor_id, "item_id": item_id},
        now=now,
    )


async def tell_no_go(
    session: AsyncSession, launch: Launch, voter_id: str, reason: str, now: datetime
) -> None:
    """DM the launch owner a decider's no-go and its reason (not when the owner said it)."""
    if voter_id == launch.owner_id:
        return
    await outbox.enqueue(
        session,
        team_id=launch.team_id,
        kind=outbox_kinds.LAUNCH_NO_GO,
        payload={
            "launch_id": launch.id,
            "user_id": launch.owner_id,
            "voter_id": voter_id,
            "round": launch.gonogo_round,
            "reason": reason,
        },
        now=now,
    )


async def refresh_people(
    session: AsyncSession, launch: Launch, items: Iterable[LaunchItem], now: datetime, *extra: str | None
) -> None:
    """Re-publish the Home tabs of the people whose checklist items (or launches) changed."""
    people = [launch.owner_id, *(item.owner_id for item in items), *extra]
    await refresh_homes(session, team_id=launch.team_id, user_ids=[p for p in people if p], now=now)


async def record(
    session: AsyncSession,
    launch: Launch,
    actor_id: str,
    action: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str | None = None,
) -> None:
    """Append the change to the audit log, as a change of the launch."""
    await audit.record_change(
        session,
        team_id=launch.team_id,
        actor_id=actor_id,
        entity="launch",
        entity_id=launch.id or 0,
        action=action,
        before=before,
        after=after,
        note=note,
    )


async def _sync(
    session: AsyncSession, launch: Launch, kind: str, key: str, now: datetime, **extra: Any
) -> None:
    await outbox.enqueue(
        session,
        team_id=launch.team_id,
        kind=kind,
        payload={"launch_id": launch.id, **extra},
        now=now,
        dedupe_key=key,
    )
