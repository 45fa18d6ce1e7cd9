"""Telling people what keeps pmbot from posting: the person who acted and the admins, each once a
problem (not once a failed job), and a warning on the admins' Home tabs until it is fixed."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.services import outbox_kinds
from bot.services.home.refresh import refresh_homes
from bot.services.settings.permissions import Permissions
from storage import slack_state
from storage.db import Database
from storage.writer import Writer

SETTINGS_CHANGED = "settings_changed"  # the audit action of whoever set the intake channel
DEDUPE_KEY_LIMIT = 128  # outbox_job.dedupe_key's length


class ProblemReports:
    """Stores a delivery problem for admins' Home tabs and queues one DM per person and problem."""

    def __init__(self, db: Database, writer: Writer, clock: Clock, permissions: Permissions) -> None:
        self._db = db
        self._writer = writer
        self._clock = clock
        self._permissions = permissions

    async def report(
        self, team_id: str, *, problem: str, key: str, actor: tuple[str, str], to_admins: str
    ) -> None:
        """Tell `actor` (user, text) and the admins (`to_admins`) once each, and show `problem` on Home."""
        admins = await self.admin_ids(team_id)
        messages = {actor[0]: actor[1]}
        for admin in admins:
            messages.setdefault(admin, to_admins)
        now = self._clock.now()

        async def unit(session: AsyncSession) -> None:
            await slack_state.set_delivery_problem(session, team_id, problem)
            for user_id, message in messages.items():
                await slack_state.enqueue_once(
                    session,
                    team_id=team_id,
                    kind=outbox_kinds.TELL_PROBLEM,
                    payload={"user_id": user_id, "text": message},
                    now=now,
                    key=f"problem:{team_id}:{key}:{user_id}"[:DEDUPE_KEY_LIMIT],
                )
            await refresh_homes(session, team_id=team_id, user_ids=admins, now=now)

        await self._writer.run(unit)

    async def admin_ids(self, team_id: str) -> list[str]:
        """The named pmbot admins and whoever last changed the settings (Slack's admins can't be listed)."""
        named = await self._permissions.named_admin_ids(team_id)
        async with self._db.read() as session:
            last = await slack_state.last_actor(session, team_id, SETTINGS_CHANGED)
        return list(dict.fromkeys([*named, *([last] if last else [])]))
