"""The outbox table: what must reach Slack."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, String
from sqlmodel import Field, SQLModel

from storage.models.fields import timestamp
from storage.types import UTCDateTime


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
    due_at: datetime = timestamp()
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, max_length=500)
    # Set while an attempt may have reached Slack without pmbot learning so (a lost answer, a
    # lease that ran out): the next attempt looks for its own post before posting again.
    unsure_since: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = timestamp()
    done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SlackPause(SQLModel, table=True):
    """Slack answered 429 to a method in a workspace: no replica calls it there before `until`."""

    __tablename__ = "slack_pause"

    team_id: str = Field(primary_key=True, max_length=32)
    method: str = Field(primary_key=True, max_length=64)
    until: datetime = timestamp()
