"""Who may do what: the one place every handler and service asks."""

from __future__ import annotations

from typing import Protocol

from bot.errors import NotAllowed
from storage.db import Database
from storage.models import Role
from storage.roadmap import get_policy
from storage.workspaces import list_member_ids


class UserDirectory(Protocol):
    """What pmbot needs to know of a Slack user."""

    async def is_workspace_admin(self, team_id: str, user_id: str) -> bool:
        """True for workspace admins and owners."""
        ...

    async def usergroup_member_ids(self, team_id: str, group_id: str) -> list[str]:
        """The members of a Slack user group."""
        ...


class Permissions:
    """Roles. Triagers and approvers are pmbot's lists; while a list is empty, the workspace's
    admins and owners hold that role. Admins (who change settings) are Slack's admins and owners."""

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

    async def named_approver_ids(self, team_id: str) -> list[str]:
        """The approvers pmbot names: its list plus the members of the approvers' user group."""
        async with self._db.read() as session:
            named = await list_member_ids(session, team_id, Role.APPROVER)
            policy = await get_policy(session, team_id)
        if policy.approver_group_id:
            named += await self._directory.usergroup_member_ids(team_id, policy.approver_group_id)
        return list(dict.fromkeys(named))

    async def approver_ids(self, team_id: str) -> list[str]:
        """Who is expected to vote (empty when workspace admins approve for want of approvers)."""
        return await self.named_approver_ids(team_id)

    async def is_approver(self, team_id: str, user_id: str) -> bool:
        """May this person vote on roadmap changes? While nobody is named, workspace admins may."""
        async with self._db.read() as session:
            listed = await list_member_ids(session, team_id, Role.APPROVER)
            policy = await get_policy(session, team_id)
        return await self.is_approver_among(team_id, user_id, listed, policy.approver_group_id)

    async def is_approver_among(
        self, team_id: str, user_id: str, listed_ids: list[str], group_id: str | None
    ) -> bool:
        """`is_approver`, for a caller that has already read the approver list and the policy."""
        named = list(listed_ids)
        if group_id:
            named += await self._directory.usergroup_member_ids(team_id, group_id)
        if named:
            return user_id in named
        return await self._directory.is_workspace_admin(team_id, user_id)

    async def require_admin(self, team_id: str, user_id: str, doing: str) -> None:
        """Raise NotAllowed unless the person is a workspace admin or owner."""
        if not await self.is_admin(team_id, user_id):
            raise NotAllowed(f"Only workspace admins and owners can {doing}.")
