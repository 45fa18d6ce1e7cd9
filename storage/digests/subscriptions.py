"""Digest subscriptions: one a channel, each with its own weekday, local time and zone."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import DigestSubscription
from storage.upsert import insert_for


async def get_subscription(
    session: AsyncSession, team_id: str, subscription_id: int
) -> DigestSubscription | None:
    """A subscription by row id, within the workspace."""
    query = select(DigestSubscription).where(
        DigestSubscription.team_id == team_id, DigestSubscription.id == subscription_id
    )
    return (await session.execute(query)).scalar_one_or_none()


async def get_for_channel(session: AsyncSession, team_id: str, channel_id: str) -> DigestSubscription | None:
    """The channel's subscription, if it has one."""
    query = select(DigestSubscription).where(
        DigestSubscription.team_id == team_id, DigestSubscription.channel_id == channel_id
    )
    return (await session.execute(query)).scalar_one_or_none()


async def list_subscriptions(session: AsyncSession, team_id: str) -> list[DigestSubscription]:
    """The workspace's subscriptions, oldest first."""
    query = (
        select(DigestSubscription)
        .where(DigestSubscription.team_id == team_id)
        .order_by(DigestSubscription.id)
    )
    return list((await session.execute(query)).scalars())


async def list_every_subscription(session: AsyncSession) -> list[DigestSubscription]:
    """Every workspace's subscriptions: the scheduler serves all workspaces from one sweep."""
    query = select(DigestSubscription).order_by(DigestSubscription.id)
    return list((await session.execute(query)).scalars())


async def save_subscription(session: AsyncSession, subscription: DigestSubscription, *, now: datetime) -> int:
    """Create the channel's subscription, or change its schedule and sections; returns its id.

    The insert does nothing when the channel already has one (two people subscribing at once),
    and the update then changes that one: either way the channel ends with one subscription.
    """
    schedule = {
        "weekday": subscription.weekday,
        "hour": subscription.hour,
        "minute": subscription.minute,
        "timezone": subscription.timezone,
        "sections": subscription.sections,
        "skip_quiet_weeks": subscription.skip_quiet_weeks,
        "updated_at": now,
    }
    inserted = await session.execute(
        insert_for(session, DigestSubscription)
        .values(
            team_id=subscription.team_id,
            channel_id=subscription.channel_id,
            created_by=subscription.created_by,
            created_at=now,
            **schedule,
        )
        .on_conflict_do_nothing(index_elements=["team_id", "channel_id"])
        .returning(DigestSubscription.id)
    )
    new_id = inserted.scalar_one_or_none()
    if new_id is not None:
        return int(new_id)
    changed = await session.execute(
        update(DigestSubscription)
        .where(
            DigestSubscription.team_id == subscription.team_id,
            DigestSubscription.channel_id == subscription.channel_id,
        )
        .values(**schedule)
        .returning(DigestSubscription.id)
        .execution_options(synchronize_session=False)
    )
    return int(changed.scalar_one())


async def delete_subscription(session: AsyncSession, team_id: str, subscription_id: int) -> None:
    """Remove a subscription (its past runs stay, as the record of what was posted)."""
    await session.execute(
        delete(DigestSubscription).where(
            DigestSubscription.team_id == team_id, DigestSubscription.id == subscription_id
        )
    )
