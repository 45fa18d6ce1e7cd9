"""Workspaces: settings and the people pmbot gives roles."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.models import Role, Workspace, WorkspaceMember
from storage.types import utcnow
from storage.upsert import insert_for


async def ensure_workspace(session: AsyncSession, team_id: str) -> None:
    """Create the workspace's row the first time pmbot hears from it."""
    statement = insert_for(session, Workspace).values(
        team_id=team_id,
        last_request_number=0,
        last_item_number=0,
        last_proposal_number=0,
        last_launch_number=0,
        digest_weekday=0,
        digest_hour=9,
        digest_minute=0,
        created_at=utcnow(),
        updated_at=utcnow(),
    )
    await session.execute(statement.on_conflict_do_nothing(index_elements=["team_id"]))


COUNTERS = {
    "request": Workspace.last_request_number,
    "item": Workspace.last_item_number,
    "proposal": Workspace.last_proposal_number,
    "launch": Workspace.last_launch_number,
}


async def allocate_number(session: AsyncSession, team_id: str, counter: str) -> int:
    """The next number of a per-workspace sequence; the row lock keeps concurrent callers distinct."""
    await ensure_workspace(session, team_id)
    column = COUNTERS[counter]
    bumped = await session.execute(
        update(Workspace)
        .where(Workspace.team_id == team_id)
        .values({column: column + 1})
        .returning(column)
        .execution_options(synchronize_session=False)
    )
    return int(bumped.scalar_one())


async def get_workspace(session: AsyncSession, team_id: str) -> Workspace | None:
    """The workspace, or None before pmbot first stored anything for it."""
    return await session.get(Workspace, team_id)


async def set_intake_channel(session: AsyncSession, team_id: str, channel_id: str | None) -> None:
    """Point new request cards at `channel_id`."""
    await ensure_workspace(session, team_id)
    await session.execute(
        update(Workspace)
        .where(Workspace.team_id == team_id)
        .values(intake_channel_id=channel_id, updated_at=utcnow())
    )


@dataclass(frozen=True)
class DigestDefaults:
    """What a new digest subscription starts from: a weekday (Monday = 0) and a local time."""

    weekday: int = 0
    hour: int = 9
    minute: int = 0


def digest_defaults_of(workspace: Workspace | None) -> DigestDefaults:
    """The workspace's digest defaults (pmbot's own before the workspace has a row)."""
    if workspace is None:
        return DigestDefaults()
    return DigestDefaults(workspace.digest_weekday, workspace.digest_hour, workspace.digest_minute)


async def set_digest_defaults(session: AsyncSession, team_id: str, defaults: DigestDefaults) -> None:
    """Make new digest subscriptions start from `defaults`."""
    await ensure_workspace(session, team_id)
    await session.execute(
        update(Workspace)
        .where(Workspace.team_id == team_id)
        .values(
            digest_weekday=defaults.weekday,
            digest_hour=defaults.hour,
            digest_minute=defaults.minute,
            updated_at=utcnow(),
        )
    )


async def list_member_ids(session: AsyncSession, team_id: str, role: Role) -> list[str]:
    """The user ids holding `role` in the workspace, in a stable order."""
    query = (
        select(WorkspaceMember.user_id)
        .where(WorkspaceMember.team_id == team_id, WorkspaceMember.role == role)
        .order_by(WorkspaceMember.user_id)
    )
    return list((await session.execute(query)).scalars())


async def replace_members(session: AsyncSession, team_id: str, role: Role, user_ids: list[str]) -> None:
    """Make exactly `user_ids` hold `role`."""
    await session.execute(
        delete(WorkspaceMember).where(WorkspaceMember.team_id == team_id, WorkspaceMember.role == role)
    )
    for user_id in dict.fromkeys(user_ids):
        session.add(WorkspaceMember(team_id=team_id, user_id=user_id, role=role))


async def list_team_ids(db: Database) -> list[str]:
    """Every workspace this database holds (for commands run outside Slack)."""
    async with db.read() as session:
        return list((await session.execute(select(Workspace.team_id).order_by(Workspace.team_id))).scalars())
