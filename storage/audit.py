"""The append-only audit log: every state change, who made it, before and after."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry
from storage.types import utcnow

AUDIT_TABLE = AuditEntry.__table__  # type: ignore[attr-defined]


async def record_change(
    session: AsyncSession,
    *,
    team_id: str,
    actor_id: str,
    entity: str,
    entity_id: int,
    action: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str | None = None,
    at: datetime | None = None,
) -> None:
    """Append one entry (at `at`, by default the machine's time); entries are never updated or deleted."""
    # A Core INSERT: no ORM object to build and flush for an entry nobody reads back here.
    await session.execute(
        insert(AUDIT_TABLE).values(
            team_id=team_id,
            actor_id=actor_id,
            entity=entity,
            entity_id=entity_id,
            action=action,
            before=before,
            after=after,
            note=note,
            at=at or utcnow(),
        )
    )


async def list_changes(
    session: AsyncSession, *, team_id: str, entity: str, entity_id: int
) -> list[AuditEntry]:
    """The entries of one thing, oldest first."""
    query = (
        select(AuditEntry)
        .where(AuditEntry.team_id == team_id, AuditEntry.entity == entity, AuditEntry.entity_id == entity_id)
        .order_by(AuditEntry.id)
    )
    return list((await session.execute(query)).scalars())


async def last_change_at(
    session: AsyncSession, *, team_id: str, entity: str, entity_id: int, action: str
) -> datetime | None:
    """When one thing last had `action` done to it (its newest such entry), or None."""
    query = (
        select(AuditEntry.at)
        .where(
            AuditEntry.team_id == team_id,
            AuditEntry.entity == entity,
            AuditEntry.entity_id == entity_id,
            AuditEntry.action == action,
        )
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()
