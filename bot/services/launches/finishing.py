"""Ending a launch (launched or cancelled) and the guard every owner-only move passes. No Slack here."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import NotAllowed, PmbotError
from bot.services.launches import outbox as out
from bot.services.launches.changes import require
from bot.services.launches.reads import ACTIVE
from bot.services.launches.shipping import ship_linked
from bot.services.launches.transitions import runner_refusal
from bot.services.settings.permissions import can_run_launch
from storage.launches import queries
from storage.models import Launch, LaunchStatus


async def runnable(
    session: AsyncSession, team_id: str, actor_id: str, number: int, is_admin: bool, doing: str
) -> Launch:
    """The launch, if it is still running and this person is its owner or an admin."""
    launch = await require(session, team_id, number)
    if not can_run_launch(actor_id, launch_owner_id=launch.owner_id, is_admin=is_admin):
        raise NotAllowed(runner_refusal(launch, doing))
    if launch.status not in ACTIVE:
        raise PmbotError(f"{launch.ref} is already {launch.status}.")
    return launch


async def finish(
    session: AsyncSession, launch: Launch, status: LaunchStatus, actor_id: str, now: datetime
) -> Launch:
    """Record the end; launching ships the linked roadmap items; everyone's messages re-render."""
    before = launch.status
    launch.status, launch.updated_at = status, now
    if status == LaunchStatus.LAUNCHED:
        launch.launched_at = now
        await ship_linked(session, launch, actor_id, now)
    await out.record(
        session, launch, actor_id, str(status), before={"status": before}, after={"status": status}
    )
    await out.sync_parent(session, launch, now)
    if launch.gonogo_round and launch.gonogo_decision is None:
        await out.sync_poll(session, launch, now)  # an open poll ends with the launch: no more answers
    await out.notice(session, launch, str(status), now, actor=actor_id)
    items = await queries.list_items(session, launch.team_id, launch.id or 0)
    await out.refresh_people(session, launch, items, now)
    return launch
