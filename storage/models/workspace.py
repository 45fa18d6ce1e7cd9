"""Workspaces, the people pmbot gives roles, and the append-only audit log."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, String
from sqlmodel import Field, SQLModel

from storage.models.fields import timestamp


class Role(StrEnum):
    TRIAGER = "triager"
    APPROVER = "approver"
    ADMIN = "admin"  # a pmbot admin, besides the workspace's own admins and owners


class Workspace(SQLModel, table=True):
    """A Slack workspace that installed pmbot, with its settings and id counters."""

    team_id: str = Field(primary_key=True, max_length=32)
    intake_channel_id: str | None = Field(default=None, max_length=32)
    last_request_number: int = 0
    last_item_number: int = 0
    last_proposal_number: int = 0
    last_launch_number: int = 0
    # What a new digest subscription starts from (Monday = 0, local time of the subscriber).
    digest_weekday: int = 0
    digest_hour: int = 9
    digest_minute: int = 0
    # False once Slack said the token is revoked or invalid: pmbot stops calling Slack for the
    # workspace until an auth.test succeeds again (at start-up).
    installation_active: bool = True
    inactive_reason: str | None = Field(default=None, max_length=64)
    # What keeps pmbot from posting where it should (an archived intake channel...), for admins'
    # Home tabs; cleared by the next card that reaches the intake channel.
    delivery_problem: str | None = Field(default=None, max_length=500)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class WorkspaceMember(SQLModel, table=True):
    """A person pmbot gives a role in a workspace: triager, approver or pmbot admin."""

    __tablename__ = "workspace_member"

    team_id: str = Field(primary_key=True, max_length=32)
    user_id: str = Field(primary_key=True, max_length=32)
    role: Role = Field(primary_key=True, sa_type=String(32))
    created_at: datetime = timestamp()


class HomeViewer(SQLModel, table=True):
    """Someone who has opened pmbot's Home tab: Slack shows the tab to no one else, so only their
    tabs are re-published after a change."""

    __tablename__ = "home_viewer"

    team_id: str = Field(primary_key=True, max_length=32)
    user_id: str = Field(primary_key=True, max_length=32)
    first_opened_at: datetime = timestamp()


class AuditEntry(SQLModel, table=True):
    """One state change, append-only: who did what to which thing, before and after."""

    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_team_entity", "team_id", "entity", "entity_id", "id"),
        Index("ix_audit_team_entity_at", "team_id", "entity", "at"),  # the digest's triage decisions
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    actor_id: str = Field(max_length=32)
    entity: str = Field(max_length=32)
    entity_id: int
    action: str = Field(max_length=32)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    note: str | None = Field(default=None, max_length=3000)
    at: datetime = timestamp()
