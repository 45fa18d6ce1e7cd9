"""Who may do what: the one place every handler and service asks."""

from __future__ import annotations

from typing import Protocol

from bot.errors import NotAllowed
from storage.db import Database
from storage.models import Role
from storage.workspaces import list_member_ids


class UserDirectory(Protocol):
    """What pmbot needs to know of a Slack user."""

    async def is_workspace_admin(self, team_id: str, user_id: str) -> bool:
        """True for workspace admins and owners."""
        ...


class Permissions:
    """Roles: triagers are pmbot's list, or the workspace's admins while that list is empty."""

    def __init__(self, db: Database, directory: UserDirectory) -> None:
        self._db = db
        self._directory = directory

    async def is_triager(self, team_id: str, user_id: str) -> bool:
        """May this person accept, decline, ask for info, mark duplicates and assign?"""
        async with self._db.read() as session:
            triagers = await list_member_ids(session, team_id, Role.TRIAGER)
        if triagers:
            return user_id in triagers
        return await self._directory.is_workspace_admin(team_id, user_id)

    async def is_admin(self, team_id: str, user_id: str) -> bool:
        """May this person change pmbot's settings?"""
        return await self._directory.is_workspace_admin(team_id, user_id)

    async def require_triager(self, team_id: str, user_id: str, doing: str) -> None:
        """Raise NotAllowed unless the person is a triager."""
        if not await self.is_triager(team_id, user_id):
            raise NotAllowed(
                f"Only triagers can {doing}. An admin can name triagers with `/request settings`."
            )

    async def require_admin(self, team_id: str, user_id: str, doing: str) -> None:
        """Raise NotAllowed unless the person is a workspace admin or owner."""
        if not await self.is_admin(team_id, user_id):
            raise NotAllowed(f"Only workspace admins and owners can {doing}.")
