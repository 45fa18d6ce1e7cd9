"""Remembering who has opened the Home tab, so that only their tabs are re-published later."""

from __future__ import annotations

from bot.clock import Clock
from bot.services.writes import write
from storage.db import Database
from storage.home_viewers import is_viewer, record_viewer
from storage.writer import Writer


class HomeViewers:
    """Who has seen the Home tab; a first opening is written once, later ones only read."""

    def __init__(self, db: Database, writer: Writer, clock: Clock) -> None:
        self._db = db
        self._writer = writer
        self._clock = clock

    async def opened(self, team_id: str, user_id: str) -> None:
        """The person opened the Home tab: from now on a change of theirs re-publishes it."""
        async with self._db.read() as session:
            if await is_viewer(session, team_id=team_id, user_id=user_id):
                return
        now = self._clock.now()
        await write(
            self._writer,
            lambda session: record_viewer(session, team_id=team_id, user_id=user_id, now=now),
        )
