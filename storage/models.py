"""pmbot's tables. Every row belongs to one Slack workspace (team_id)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime, utcnow


def _timestamp(**kwargs: Any) -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, **kwargs)


# Enums are stored as plain strings: adding a value later needs no database enum migration.
class RequestKind(StrEnum):
    FEATURE = "feature"
    BUG = "bug"
    QUESTION = "question"
    OTHER = "other"


class Impact(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class RequestStatus(StrEnum):
    NEW = "new"
    NEEDS_INFO = "needs_info"
    ACCEPTED = "accepted"
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DECLINED = "declined"
    DUPLICATE = "duplicate"


class Role(StrEnum):
    TRIAGER = "triager"


class Workspace(SQLModel, table=True):
    """A Slack workspace that installed pmbot, with its settings and id counters."""

    team_id: str = Field(primary_key=True, max_length=32)
    intake_channel_id: str | None = Field(default=None, max_length=32)
    last_request_number: int = 0
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()


class WorkspaceMember(SQLModel, table=True):
    """A person pmbot gives a role in a workspace (a triager, for now)."""

    __tablename__ = "workspace_member"

    team_id: str = Field(primary_key=True, max_length=32)
    user_id: str = Field(primary_key=True, max_length=32)
    role: Role = Field(primary_key=True, sa_type=String(32))
    created_at: datetime = _timestamp()


class Request(SQLModel, table=True):
    """A stakeholder's request, numbered per workspace (REQ-1, REQ-2, ...)."""

    __table_args__ = (
        UniqueConstraint("team_id", "number", name="uq_request_team_number"),
        Index("ix_request_team_status_created", "team_id", "status", "created_at"),
        Index("ix_request_team_requester", "team_id", "requester_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    number: int
    title: str = Field(max_length=150)
    description: str = Field(default="", max_length=3000)
    kind: RequestKind = Field(default=RequestKind.FEATURE, sa_type=String(16))
    impact: Impact = Field(default=Impact.MEDIUM, sa_type=String(16))
    status: RequestStatus = Field(default=RequestStatus.NEW, sa_type=String(16))
    requester_id: str = Field(max_length=32)
    filed_by_id: str = Field(max_length=32)
    on_behalf_of: str | None = Field(default=None, max_length=150)
    needed_by: date | None = None
    assignee_id: str | None = Field(default=None, max_length=32)
    duplicate_of_id: int | None = Field(default=None, foreign_key="request.id")
    source_channel_id: str | None = Field(default=None, max_length=32)
    source_ts: str | None = Field(default=None, max_length=32)
    source_permalink: str | None = Field(default=None, max_length=500)
    card_channel_id: str | None = Field(default=None, max_length=32)
    card_ts: str | None = Field(default=None, max_length=32)
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()

    @property
    def ref(self) -> str:
        """The id people see and type: REQ-<number>."""
        return f"REQ-{self.number}"


class RequestFollower(SQLModel, table=True):
    """Someone who hears about every change of a request."""

    __tablename__ = "request_follower"

    request_id: int = Field(primary_key=True, foreign_key="request.id")
    user_id: str = Field(primary_key=True, max_length=32)
    team_id: str = Field(max_length=32)
    created_at: datetime = _timestamp()


class RequestUpvote(SQLModel, table=True):
    """A +1: one person's vote that a request matters."""

    __tablename__ = "request_upvote"

    request_id: int = Field(primary_key=True, foreign_key="request.id")
    user_id: str = Field(primary_key=True, max_length=32)
    team_id: str = Field(max_length=32)
    created_at: datetime = _timestamp()


class AuditEntry(SQLModel, table=True):
    """One state change, append-only: who did what to which thing, before and after."""

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_team_entity", "team_id", "entity", "entity_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    actor_id: str = Field(max_length=32)
    entity: str = Field(max_length=32)
    entity_id: int
    action: str = Field(max_length=32)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    note: str | None = Field(default=None, max_length=3000)
    at: datetime = _timestamp()


class JobStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


class OutboxJob(SQLModel, table=True):
    """Something that must reach Slack, stored in the transaction that made it necessary.

    A job with a `dedupe_key` is re-armed instead of duplicated (a card re-renders from the
    database, so one pending sync is enough); `generation` tells the deliverer whether it was
    re-armed while it ran.
    """

    __tablename__ = "outbox_job"
    __table_args__ = (Index("ix_outbox_due", "status", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    kind: str = Field(max_length=32)
    dedupe_key: str | None = Field(default=None, max_length=128, unique=True)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: JobStatus = Field(default=JobStatus.PENDING, sa_type=String(16))
    generation: int = 0
    attempts: int = 0
    due_at: datetime = _timestamp()
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime = _timestamp()
    done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
