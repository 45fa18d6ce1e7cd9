"""Stakeholder requests, their followers and +1s."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index, LargeBinary, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.fields import timestamp


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
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()

    @property
    def ref(self) -> str:
        """The id people see and type: REQ-<number>."""
        return f"REQ-{self.number}"


class RequestFollower(SQLModel, table=True):
    """Someone who hears about every change of a request."""

    __tablename__ = "request_follower"
    __table_args__ = (Index("ix_request_follower_team_user", "team_id", "user_id"),)  # "requests I follow"

    request_id: int = Field(primary_key=True, foreign_key="request.id")
    user_id: str = Field(primary_key=True, max_length=32)
    team_id: str = Field(max_length=32)
    created_at: datetime = timestamp()


class RequestUpvote(SQLModel, table=True):
    """A +1: one person's vote that a request matters."""

    __tablename__ = "request_upvote"

    request_id: int = Field(primary_key=True, foreign_key="request.id")
    user_id: str = Field(primary_key=True, max_length=32)
    team_id: str = Field(max_length=32)
    created_at: datetime = timestamp()


class RequestVector(SQLModel, table=True):
    """A request's title as a sentence vector (the `similar` extra), for similar-request suggestions.

    `id` grows with every new vector, so a process holding a workspace's vectors in memory reads
    only the rows after the last it saw; a re-embedded request gets a new row (and id).
    """

    __tablename__ = "request_vector"
    # AUTOINCREMENT on SQLite: a deleted row's id is never handed out again (an index in memory
    # reading "rows after id N" would miss the re-embedded vector).
    __table_args__ = (Index("ix_request_vector_team_id", "team_id", "id"), {"sqlite_autoincrement": True})

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    request_id: int = Field(foreign_key="request.id", unique=True)
    text_hash: str = Field(max_length=32)  # of the embedded text: an edit that keeps it needs no new vector
    source_updated_at: datetime = timestamp()  # the request's updated_at when it was last checked
    vector: bytes = Field(sa_type=LargeBinary)  # little-endian float32, unit length
