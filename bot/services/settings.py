"""Workspace settings: the intake channel and the triagers."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock, SystemClock
from bot.services.home_refresh import refresh_approver_homes, refresh_homes
from bot.services.permissions import Permissions
from bot.services.writes import write
from storage.audit import record_change
from storage.db import Database
from storage.models import Role
from storage.roadmap import get_policy, save_policy
from storage.workspaces import get_workspace, list_member_ids, replace_members, set_intake_channel
from storage.writer import Writer


@dataclass(frozen=True)
class WorkspaceSettings:
    """What an admin sets for the workspace."""

    intake_channel_id: str | None
    triager_ids: list[str]


class SettingsService:
    """Reads and changes workspace settings; only admins may change them."""

    def __init__(
        self, db: Database, writer: Writer, permissions: Permissions, clock: Clock | None = None
    ) -> None:
        self._db = db
        self._writer = writer
        self._permissions = permissions
        self._clock = clock or SystemClock()

    async def get(self, team_id: str) -> WorkspaceSettings:
        """The settings as they are now."""
        async with self._db.read() as session:
            return await _read(session, team_id)

    async def update(self, team_id: str, actor_id: str, new: WorkspaceSettings) -> WorkspaceSettings:
        """Replace the settings, recording the change in the audit log."""
        await self._permissions.require_admin(team_id, actor_id, "change pmbot's settings")

        async def store(session: AsyncSession) -> WorkspaceSettings:
            old = await _read(session, team_id)
            await set_intake_channel(session, team_id, new.intake_channel_id)
            await replace_members(session, team_id, Role.TRIAGER, new.triager_ids)
            await record_change(
                session,
                team_id=team_id,
                actor_id=actor_id,
                entity="workspace",
                entity_id=0,
                action="settings_changed",
                before={"intake_channel_id": old.intake_channel_id, "triagers": old.triager_ids},
                after={"intake_channel_id": new.intake_channel_id, "triagers": sorted(set(new.triager_ids))},
            )
            # Only admins' Home tabs show the settings; the one who saved is looking at theirs.
            await refresh_homes(session, team_id=team_id, user_ids=[actor_id], now=self._clock.now())
            return new

        return await write(self._writer, store)

    async def approval_settings(self, team_id: str) -> ApprovalSettings:
        """How roadmap changes are approved now."""
        async with self._db.read() as session:
            policy = await get_policy(session, team_id)
            approvers = await list_member_ids(session, team_id, Role.APPROVER)
        return ApprovalSettings(
            approver_ids=approvers,
            approver_group_id=policy.approver_group_id,
            required_approvals=policy.required_approvals,
            expiry_days=policy.expiry_days,
            approvals_channel_id=policy.approvals_channel_id,
            announcements_channel_id=policy.announcements_channel_id,
        )

    async def update_approval_settings(self, team_id: str, actor_id: str, new: ApprovalSettings) -> None:
        """Replace the approval policy and the approvers; admins only; audited."""
        await self._permissions.require_admin(team_id, actor_id, "change the approval policy")

        async def store(session: AsyncSession) -> None:
            policy = await get_policy(session, team_id)
            before = policy.model_dump(exclude={"updated_at"})
            old_approvers = await list_member_ids(session, team_id, Role.APPROVER)
            policy.required_approvals, policy.expiry_days = new.required_approvals, new.expiry_days
            policy.approver_group_id = new.approver_group_id
            policy.approvals_channel_id = new.approvals_channel_id
            policy.announcements_channel_id = new.announcements_channel_id
            await save_policy(session, policy)
            await replace_members(session, team_id, Role.APPROVER, new.approver_ids)
            after = {**policy.model_dump(exclude={"updated_at"}), "approvers": sorted(set(new.approver_ids))}
            await record_change(
                session,
                team_id=team_id,
                actor_id=actor_id,
                entity="workspace",
                entity_id=0,
                action="approval_policy_changed",
                before=before,
                after=after,
            )
            # Approvers who lost the role no longer have votes waiting; new ones (and the user
            # group's members) now have; the admin who saved sees the new policy.
            now = self._clock.now()
            await refresh_homes(session, team_id=team_id, user_ids=[actor_id, *old_approvers], now=now)
            await refresh_approver_homes(session, team_id=team_id, now=now)

        await write(self._writer, store)


@dataclass(frozen=True)
class ApprovalSettings:
    """How roadmap changes are approved."""

    approver_ids: list[str]
    approver_group_id: str | None
    required_approvals: int
    expiry_days: int
    approvals_channel_id: str | None
    announcements_channel_id: str | None


async def _read(session: AsyncSession, team_id: str) -> WorkspaceSettings:
    workspace = await get_workspace(session, team_id)
    return WorkspaceSettings(
        intake_channel_id=workspace.intake_channel_id if workspace else None,
        triager_ids=await list_member_ids(session, team_id, Role.TRIAGER),
    )
