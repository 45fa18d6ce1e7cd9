"""Who may do what: the one place every handler and service asks."""

from __future__ import annotations

from typing import Protocol

from bot.errors import NotAllowed
from storage.db import Database
from storage.models import Role
from storage.roadmap import get_policy
from storage.workspaces import list_member_ids

WHO_ARE_ADMINS = "Admins are the workspace's admins and owners, and the people named pmbot admins."


class UserDirectory(Protocol):
    """What pmbot needs to know of a Slack user."""

    async def is_workspace_admin(self, team_id: str, user_id: str) -> bool:
        """True for workspace admins and owners."""
        ...

    async def usergroup_member_ids(self, team_id: str, group_id: str) -> list[str]:
        """The members of a Slack user group."""
        ...


class Permissions:
    """Roles. Admins (who change settings) are Slack's workspace admins and owners plus the people
    named pmbot admins. Triagers and approvers are pmbot's lists; while a list is empty, admins hold
    that role."""

    def __init__(self, db: Database, directory: UserDirectory) -> None:
        self._db = db
        self._directory = directory

    async def is_triager(self, team_id: str, user_id: str) -> bool:
        """May this person accept, decline, ask for info, mark duplicates and assign?"""
        async with self._db.read() as session:
            triagers = await list_member_ids(session, team_id, Role.TRIAGER)
        if triagers:
            return user_id in triagers
        return await self.is_admin(team_id, user_id)

    async def is_admin(self, team_id: str, user_id: str) -> bool:
        """May this person change pmbot's settings? Workspace admins and owners, and pmbot admins."""
        return await self.is_admin_among(team_id, user_id, await self.named_admin_ids(team_id))

    async def is_admin_among(self, team_id: str, user_id: str, named_admin_ids: list[str]) -> bool:
        """`is_admin`, for a caller that has already read the pmbot admins (no Slack call for them)."""
        return user_id in named_admin_ids or await self._directory.is_workspace_admin(team_id, user_id)

    async def is_workspace_admin(self, team_id: str, user_id: str) -> bool:
        """Is this person an admin or owner of the workspace, as Slack reports it?"""
        return await self._directory.is_workspace_admin(team_id, user_id)

    async def named_admin_ids(self, team_id: str) -> list[str]:
        """The people named pmbot admins (Slack's workspace admins and owners are admins too)."""
        async with self._db.read() as session:
            return await list_member_ids(session, team_id, Role.ADMIN)

    async def require_triager(self, team_id: str, user_id: str, doing: str) -> None:
        """Raise NotAllowed unless the person is a triager; the refusal names who can."""
        if await self.is_triager(team_id, user_id):
            return
        async with self._db.read() as session:
            triagers = await list_member_ids(session, team_id, Role.TRIAGER)
        if triagers:
            raise NotAllowed(f"Only triagers can {doing}: {names(triagers)}.")
        admins = await self.who_are_admins(team_id)
        raise NotAllowed(f"Only triagers can {doing}; while none are named, admins triage. {admins}")

    async def who_are_admins(self, team_id: str) -> str:
        """Who the admins are, for a refusal that tells a non-admin whom to ask (never a command)."""
        named = await self.named_admin_ids(team_id)
        return WHO_ARE_ADMINS + (f" The pmbot admins are {names(named)}." if named else "")

    async def named_approver_ids(self, team_id: str) -> list[str]:
        """The approvers pmbot names: its list plus the members of the approvers' user group."""
        async with self._db.read() as session:
            named = await list_member_ids(session, team_id, Role.APPROVER)
            policy = await get_policy(session, team_id)
        if policy.approver_group_id:
            named += await self._directory.usergroup_member_ids(team_id, policy.approver_group_id)
        return list(dict.fromkeys(named))

    async def voters_among(self, team_id: str, listed_ids: list[str], group_id: str | None) -> list[str]:
        """Who would vote under a policy naming `listed_ids` and the user group `group_id`."""
        named = list(listed_ids)
        if group_id:
            named += await self._directory.usergroup_member_ids(team_id, group_id)
        return list(dict.fromkeys(named))

    async def approver_ids(self, team_id: str) -> list[str]:
        """Who is expected to vote: the named approvers; while none, the named pmbot admins.

        Workspace admins also approve while none are named, but Slack cannot list them without
        `users.list`, so they are not sent cards; they vote from the approvals channel.
        """
        return await self.named_approver_ids(team_id) or await self.named_admin_ids(team_id)

    async def is_approver(self, team_id: str, user_id: str) -> bool:
        """May this person vote on roadmap changes? While nobody is named, admins may."""
        async with self._db.read() as session:
            listed = await list_member_ids(session, team_id, Role.APPROVER)
            admins = await list_member_ids(session, team_id, Role.ADMIN)
            policy = await get_policy(session, team_id)
        return await self.is_approver_among(team_id, user_id, listed, policy.approver_group_id, admins)

    async def is_approver_among(
        self,
        team_id: str,
        user_id: str,
        listed_ids: list[str],
        group_id: str | None,
        named_admin_ids: list[str],
    ) -> bool:
        """`is_approver`, for a caller that has already read the approvers, the policy and the admins."""
        named = list(listed_ids)
        if group_id:
            named += await self._directory.usergroup_member_ids(team_id, group_id)
        if named:
            return user_id in named
        return await self.is_admin_among(team_id, user_id, named_admin_ids)

    async def require_admin(self, team_id: str, user_id: str, doing: str) -> None:
        """Raise NotAllowed unless the person is an admin (workspace admin or owner, or pmbot admin)."""
        if not await self.is_admin(team_id, user_id):
            raise NotAllowed(f"Only admins can {doing}. {await self.who_are_admins(team_id)}")

    async def require_owner_or_admin(self, team_id: str, user_id: str, owner_id: str, doing: str) -> None:
        """Raise NotAllowed unless the person made the thing (a digest subscription) or is an admin."""
        if user_id != owner_id and not await self.is_admin(team_id, user_id):
            who = await self.who_are_admins(team_id)
            raise NotAllowed(f"Only <@{owner_id}>, who set it up, or an admin can {doing}. {who}")


def can_run_launch(user_id: str, *, launch_owner_id: str, is_admin: bool) -> bool:
    """May this person change a launch's date, mark it launched, cancel it or close its go/no-go poll?
    The launch owner and admins may."""
    return is_admin or user_id == launch_owner_id


def names(user_ids: list[str]) -> str:
    """`<@A>, <@B>` (mentions are Slack ids, never user text)."""
    return ", ".join(f"<@{user_id}>" for user_id in user_ids)
