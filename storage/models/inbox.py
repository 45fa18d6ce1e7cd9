"""The inbox: every interaction Slack sent, recorded before Slack hears "ok"."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, String, Text
from sqlmodel import Field, SQLModel

from storage.models.fields import timestamp
from storage.types import UTCDateTime


class InboxStatus(StrEnum):
    PENDING = "pending"  # recorded; its effect is not committed yet
    APPLIED = "applied"  # its effect committed (in the same transaction); the answer may be lost
    DONE = "done"  # finished and answered; `answer` replays to a repeat
    FAILED = "failed"  # given up after its attempts; the person was told


class InboxEntry(SQLModel, table=True):
    """One interaction (command, click, submission, shortcut, event) under its Slack key.

    `key` is unique: a replayed or retried delivery finds the first one's row and gets its
    answer instead of a second effect. The signed body and the headers Bolt reads are kept so
    that any replica can dispatch it again after a crash.
    """

    __tablename__ = "inbox_entry"
    __table_args__ = (Index("ix_inbox_due", "status", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    key: str = Field(max_length=160, unique=True)
    kind: str = Field(max_length=32)
    body: str = Field(sa_column=Column(Text, nullable=False))
    headers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: InboxStatus = Field(default=InboxStatus.PENDING, sa_type=String(16))
    attempts: int = 0
    due_at: datetime = timestamp()
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    answer: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_at: datetime = timestamp()
    done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
