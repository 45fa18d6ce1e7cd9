"""What Slack told pmbot about a workspace that every replica must respect: rate-limit pauses and
whether the installation still works."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import SlackPause, Workspace
from storage.upsert import insert_for
from storage.workspaces import ensure_workspace


async def pause_method(session: AsyncSession, *, team_id: str, method: str, until: datetime) -> None:
    """No replica calls `method` in the workspace before `until` (a later pause wins)."""
    statement = insert_for(session, SlackPause).values(team_id=team_id, method=method, until=until)
    statement = statement.on_conflict_do_update(
        index_elements=["team_id", "method"],
        set_={"until": func.max(SlackPause.until, statement.excluded.until)}
        if session.bind is not None and session.bind.dialect.name == "sqlite"
        else {"until": func.greatest(SlackPause.until, statement.excluded.until)},
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
