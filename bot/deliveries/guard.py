"""What this process knows about calling Slack for each workspace: the pauses Slack asked for
(kept in the database for every replica, copied here at each claim), the installations whose token
Slack refused, and counts of calls by method and outcome for metrics."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from bot.clock import Clock


class Paused(Exception):
    """Slack asked pmbot not to call this method in this workspace before `until`."""

    def __init__(self, method: str, until: datetime) -> None:
        super().__init__(f"{method} paused until {until.isoformat()}")
        self.method = method
        self.until = until


class InstallationInactive(Exception):
    """Slack refused the workspace's token; nothing is sent until it works again."""


class SlackGuard:
    """Pauses and inactive installations, checked before every call an outbox job makes."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._pauses: dict[tuple[str, str], datetime] = {}
        self._inactive: set[str] = set()
        self.calls: Counter[tuple[str, str]] = Counter()
        self.reposts_unreconciled = 0  # DMs re-sent after a lost answer (no im:history to look)
        self.posts_adopted = 0  # earlier attempts' posts found in history instead of posting again

    def check(self, team_id: str, method: str) -> None:
        """Raise when the call must not be made now."""
        if team_id in self._inactive:
            raise InstallationInactive(team_id)
        until = self._pauses.get((team_id, method))
        if until is not None and until > self._clock.now():
            raise Paused(method, until)

    def pause(self, team_id: str, method: str, until: datetime) -> None:
        """Hold `method` in the workspace until `until` (a later pause wins)."""
        current = self._pauses.get((team_id, method))
        self._pauses[(team_id, method)] = max(until, current) if current else until

    def refresh(self, pauses: dict[tuple[str, str], datetime], inactive: list[str]) -> None:
        """Take the state every replica shares, as just read from the database."""
        now = self._clock.now()
        kept = {key: until for key, until in self._pauses.items() if until > now}
        for key, until in pauses.items():
            kept[key] = max(until, kept.get(key, until))
        self._pauses = kept
        self._inactive = set(inactive)

    def set_active(self, team_id: str, active: bool) -> None:
        """Note what the database now says of the installation."""
        if active:
            self._inactive.discard(team_id)
        else:
            self._inactive.add(team_id)

    def is_active(self, team_id: str) -> bool:
        """False while Slack refuses the workspace's token."""
        return team_id not in self._inactive

    def count(self, method: str, outcome: str) -> None:
        """One call to `method` ended with `outcome` ("ok", an error code, an exception name)."""
        self.calls[(method, outcome)] += 1
