"""What the launch service asks of the Slack directory (users.info), as a protocol."""

from __future__ import annotations

from typing import Protocol


class TimezoneLookup(Protocol):
    """Where a Slack user lives (users.info)."""

    async def timezone(self, team_id: str, user_id: str) -> str:
        """The user's IANA timezone."""
        ...
