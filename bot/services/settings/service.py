"""Workspace settings: intake channel and triagers, approval policy, pmbot admins, digest defaults.

Every change is made by an admin (checked here, on the server, whatever the modal showed), is
recorded in the audit log, and re-publishes the Home tabs that show it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock, SystemClock
from bot.errors import InvalidInput
from bot.services.home.refresh import refresh_admin_homes, refresh_approver_homes, refresh_homes
from bot.services.roadmap.decisions import sync_cards
from bot.services.roadmap.quorum import unreachable_policy
from bot.services.settings.permissions import Permissions
from bot.services.writes import write
from storage.audit import record_change
from storage.db import Database
from storage.models import ProposalStatus, Role
from storage.roadmap import get_policy, list_open_proposals, save_policy
from storage.workspaces import (
    DigestDefaults,
    digest_defaults_of,
    get_workspace,
    list_member_ids,
    replace_members,
    set_digest_defaults,
    set_intake_channel,
)
from storage.writer import Writer

__all__ = ["ApprovalSettings", "DigestDefaults", "SettingsService", "WorkspaceSettings"]

ADMINS = "pmbot_admins"  # the field a refusal of the admin list names
DIGEST_TIME = "digest_time"  # the field a refusal of the digest defaults names
REQUIRED_APPROVALS = "required_approvals"  # the field an unreachable quorum is shown on


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
            before = {"intake_channel_id": old.intake_channel_id, "triagers": old.triager_ids}
            after = {"intake_channel_id": new.intake_channel_id, "triagers": sorted(set(new.triager_ids))}
            await _audit(session, team_id, actor_id, "settings_changed", before, after)
            await refresh_admin_homes(session, team_id=team_id, actor_id=actor_id, now=self._clock.now())
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
        voters = await self._permissions.voters_among(team_id, new.approver_ids, new.approver_group_id)
        problem = unreachable_policy(voters, new.required_approvals)
        if problem:
            raise InvalidInput({REQUIRED_APPROVALS: problem})

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
            await _audit(session, team_id, actor_id, "approval_policy_changed", before, after)
            # Approvers who lost the role no longer have votes waiting; new ones (and the user
            # group's members) now have; admins see the new policy.
            now = self._clock.now()
            await refresh_homes(session, team_id=team_id, user_ids=old_approvers, now=now)
            await refresh_admin_homes(session, team_id=team_id, actor_id=actor_id, now=now)
            await refresh_approver_homes(session, team_id=team_id, now=now)
            # New approvers get the cards of what already waits for votes (posted where missing).
            for proposal in await list_open_proposals(session, team_id):
                if proposal.status == ProposalStatus.PENDING:
                    await sync_cards(session, proposal, now)

        await write(self._writer, store)

    async def admin_ids(self, team_id: str) -> list[str]:
        """The people named pmbot admins."""
        return await self._permissions.named_admin_ids(team_id)

    async def update_admins(self, team_id: str, actor_id: str, admin_ids: list[str]) -> list[str]:
        """Name exactly `admin_ids` pmbot admins; admins only; audited.

        Removing every pmbot admin is allowed (workspace admins and owners stay admins, so nobody is
        locked out), but a pmbot admin who is not a workspace admin may not remove themselves: that
        is almost always a slip, and another admin can do it.
        """
        await self._permissions.require_admin(team_id, actor_id, "name pmbot admins")
        wanted = list(dict.fromkeys(admin_ids))
        if actor_id not in wanted and not await self._permissions.is_workspace_admin(team_id, actor_id):
            raise InvalidInput(
                {
                    ADMINS: "Keep yourself in the list: you would lose access to these settings. "
                    "Another admin can remove you."
                }
            )

        async def store(session: AsyncSession) -> list[str]:
            old = await list_member_ids(session, team_id, Role.ADMIN)
            await replace_members(session, team_id, Role.ADMIN, wanted)
            await _audit(
                session, team_id, actor_id, "admins_changed", {"admins": old}, {"admins": sorted(wanted)}
            )
            # Removed admins lose the settings section; new ones gain it.
            now = self._clock.now()
            await refresh_homes(session, team_id=team_id, user_ids=old, now=now)
            await refresh_admin_homes(session, team_id=team_id, actor_id=actor_id, now=now)
            return sorted(wanted)

        return await write(self._writer, store)

    async def digest_defaults(self, team_id: str) -> DigestDefaults:
        """What a new digest subscription starts from (the subscribe modal's initial values)."""
        async with self._db.read() as session:
            return digest_defaults_of(await get_workspace(session, team_id))

    async def update_digest_defaults(self, team_id: str, actor_id: str, new: DigestDefaults) -> None:
        """Change what new digest subscriptions start from; admins only; audited. Existing
        subscriptions keep their own day and time."""
        await self._permissions.require_admin(team_id, actor_id, "change the digest defaults")
        if not (0 <= new.weekday <= 6 and 0 <= new.hour <= 23 and 0 <= new.minute <= 59):
            raise InvalidInput({DIGEST_TIME: "Pick a day of the week and a time of day."})

        async def store(session: AsyncSession) -> None:
            old = digest_defaults_of(await get_workspace(session, team_id))
            await set_digest_defaults(session, team_id, new)
            await _audit(session, team_id, actor_id, "digest_defaults_changed", asdict(old), asdict(new))
            await refresh_admin_homes(session, team_id=team_id, actor_id=actor_id, now=self._clock.now())

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


async def _audit(
    session: AsyncSession,
    team_id: str,
    actor_id: str,
    action: str,
    before: dict[str, Any],
    after: dict[str, Any],
) -> None:
    await record_change(
        session,
        team_id=team_id,
        actor_id=actor_id,
        entity="workspace",
        entity_id=0,
        action=action,
        before=before,
        after=after,
    )
