"""The roadmap, proposed changes to it, and the approvers' votes."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.fields import timestamp
from storage.types import UTCDateTime


class Horizon(StrEnum):
    NOW = "now"
    NEXT = "next"
    LATER = "later"


class ItemStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    SHIPPED = "shipped"
    DROPPED = "dropped"


class ChangeKind(StrEnum):
    ADD = "add"
    MOVE = "move"
    RESCOPE = "rescope"
    DROP = "drop"


class ProposalStatus(StrEnum):
    PENDING = "pending"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


class VoteChoice(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    REQUEST_CHANGES = "request_changes"


class RoadmapItem(SQLModel, table=True):
    """Something on the roadmap, in a horizon, in order."""

    __tablename__ = "roadmap_item"
    __table_args__ = (
        UniqueConstraint("team_id", "number", name="uq_roadmap_item_team_number"),
        Index("ix_roadmap_item_team_horizon", "team_id", "horizon", "position"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    number: int
    title: str = Field(max_length=150)
    description: str = Field(default="", max_length=3000)
    horizon: Horizon = Field(default=Horizon.LATER, sa_type=String(16))
    target_date: date | None = None
    status: ItemStatus = Field(default=ItemStatus.PLANNED, sa_type=String(16))
    owner_id: str | None = Field(default=None, max_length=32)
    position: int = 0
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()

    @property
    def ref(self) -> str:
        """The id people see: RM-<number>."""
        return f"RM-{self.number}"


class RoadmapItemRequest(SQLModel, table=True):
    """A request that a roadmap item answers (many to many)."""

    __tablename__ = "roadmap_item_request"

    item_id: int = Field(primary_key=True, foreign_key="roadmap_item.id")
    request_id: int = Field(primary_key=True, foreign_key="request.id")
    team_id: str = Field(max_length=32)


class ApprovalPolicy(SQLModel, table=True):
    """How a workspace approves roadmap changes. Approvers are workspace members with that role."""

    __tablename__ = "approval_policy"

    team_id: str = Field(primary_key=True, max_length=32)
    required_approvals: int = 1
    expiry_days: int = 7
    reminder_after_days: int = 2
    approver_group_id: str | None = Field(default=None, max_length=32)
    approvals_channel_id: str | None = Field(default=None, max_length=32)
    announcements_channel_id: str | None = Field(default=None, max_length=32)
    updated_at: datetime = timestamp()


class Proposal(SQLModel, table=True):
    """A proposed change to the roadmap, decided by approvers' votes."""

    __table_args__ = (
        UniqueConstraint("team_id", "number", name="uq_proposal_team_number"),
        Index("ix_proposal_team_status", "team_id", "status", "expires_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    number: int
    kind: ChangeKind = Field(sa_type=String(16))
    item_id: int | None = Field(default=None, foreign_key="roadmap_item.id")
    proposer_id: str = Field(max_length=32)
    rationale: str = Field(max_length=3000)
    changes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    linked_request_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: ProposalStatus = Field(default=ProposalStatus.PENDING, sa_type=String(24))
    revision: int = 1
    required_approvals: int = 1
    decision_note: str | None = Field(default=None, max_length=3000)
    decided_by_id: str | None = Field(default=None, max_length=32)
    item_before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    created_at: datetime = timestamp()
    submitted_at: datetime = timestamp()
    expires_at: datetime = Field(sa_type=UTCDateTime)
    reminded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    @property
    def ref(self) -> str:
        """The id people see: CHG-<number>."""
        return f"CHG-{self.number}"


class ProposalVote(SQLModel, table=True):
    """One approver's vote on one revision of a proposal; the database allows only one."""

    __tablename__ = "proposal_vote"
    __table_args__ = (
        UniqueConstraint("proposal_id", "approver_id", "revision", name="uq_proposal_vote_once"),
    )

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id")
    team_id: str = Field(max_length=32)
    approver_id: str = Field(max_length=32)
    revision: int
    choice: VoteChoice = Field(sa_type=String(24))
    comment: str | None = Field(default=None, max_length=3000)
    at: datetime = timestamp()


class ProposalMessage(SQLModel, table=True):
    """Where a proposal's card was posted: `target` is the approvals channel or an approver's
    user id; `channel_id` is the conversation Slack put it in (a DM's id for a user)."""

    __tablename__ = "proposal_message"

    proposal_id: int = Field(primary_key=True, foreign_key="proposal.id")
    target: str = Field(primary_key=True, max_length=32)
    team_id: str = Field(max_length=32)
    channel_id: str = Field(max_length=32)
    ts: str = Field(max_length=32)
