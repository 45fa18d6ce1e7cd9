"""What Slack told pmbot about a workspace that every replica must respect: rate-limit pauses and
whether the installation still works."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry, JobStatus, OutboxJob, SlackPause, Workspace
from storage.upsert import insert_for
from storage.workspaces import ensure_workspace


async def pause_method(session: AsyncSession, *, team_id: str, method: str, until: datetime) -> None:
    """No replica calls `method` in the workspace before `until` (a later pause wins)."""
    statement = insert_for(session, SlackPause).values(team_id=team_id, method=method, until=until)
    is_sqlite = session.bind is not None and session.bind.dialect.name == "sqlite"
    later = func.max if is_sqlite else func.greatest  # SQLite's two-argument max() is greatest()
    statement = statement.on_conflict_do_update(
        index_elements=["team_id", "method"],
        set_={"until": later(SlackPause.until, statement.excluded.until)},
    )
    await session.execute(statement)


async def list_pauses(session: AsyncSession, *, now: datetime) -> dict[tuple[str, str], datetime]:
    """The pauses still in force, by (team, method), in every workspace this process serves."""
    rows = await session.execute(
        select(SlackPause.team_id, SlackPause.method, SlackPause.until).where(SlackPause.until > now)
    )
    return {(team, method): until for team, method, until in rows.all()}


async def set_installation_active(
    session: AsyncSession, *, team_id: str, active: bool, reason: str | None = None
) -> bool:
    """Mark the installation (in)active; True when that changed something."""
    await ensure_workspace(session, team_id)
    changed = await session.execute(
        update(Workspace)
        .where(Workspace.team_id == team_id, Workspace.installation_active.is_not(active))
        .values(installation_active=active, inactive_reason=None if active else reason)
        .execution_options(synchronize_session=False)
    )
    return bool(changed.rowcount)


async def installation_active(session: AsyncSession, team_id: str) -> bool:
    """False once Slack refused the workspace's token (until an auth.test succeeds again)."""
    query = select(Workspace.installation_active).where(Workspace.team_id == team_id)
    return (await session.execute(query)).scalar_one_or_none() is not False


async def inactive_teams(session: AsyncSession) -> list[str]:
    """Every workspace whose installation Slack refused."""
    query = select(Workspace.team_id).where(Workspace.installation_active.is_(False))
    return list((await session.execute(query)).scalars())


async def set_delivery_problem(session: AsyncSession, team_id: str, problem: str | None) -> None:
    """Note (or clear, with None) what keeps pmbot from posting, for the admins' Home tabs.

    Clearing runs with every card posted: it touches (and locks) the workspace row only when a
    problem is set, so it never queues behind a filing that numbers a request.
    """
    if problem is None:
        await session.execute(
            update(Workspace)
            .where(Workspace.team_id == team_id, Workspace.delivery_problem.is_not(None))
            .values(delivery_problem=None)
            .execution_options(synchronize_session=False)
        )
        return
    await ensure_workspace(session, team_id)
    await session.execute(
        update(Workspace)
        .where(Workspace.team_id == team_id)
        .values(delivery_problem=problem)
        .execution_options(synchronize_session=False)
    )


async def enqueue_once(
    session: AsyncSession, *, team_id: str, kind: str, payload: dict[str, Any], now: datetime, key: str
) -> None:
    """Queue a job unless one with `key` was ever queued (and not yet pruned): told once, not per job."""
    statement = insert_for(session, OutboxJob).values(
        team_id=team_id,
        kind=kind,
        payload=payload,
        dedupe_key=key,
        status=JobStatus.PENDING,
        generation=0,
        attempts=0,
        due_at=now,
        created_at=now,
    )
    await session.execute(statement.on_conflict_do_nothing(index_elements=["dedupe_key"]))


async def last_actor(session: AsyncSession, team_id: str, action: str) -> str | None:
    """Who last did `action` in the workspace (say, changed the settings), from the audit log."""
    query = (
        select(AuditEntry.actor_id)
        .where(AuditEntry.team_id == team_id, AuditEntry.action == action)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()
