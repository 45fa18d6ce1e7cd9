"""Digest subscriptions, and the claim rows that make each scheduled occurrence happen once."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.fields import timestamp
from storage.types import UTCDateTime


class DigestSection(StrEnum):
    REQUESTS = "requests"
    TRIAGE = "triage"
    ROADMAP = "roadmap"
    LAUNCHES = "launches"
    STUCK = "stuck"


ALL_SECTIONS = [section.value for section in DigestSection]


class DigestSubscription(SQLModel, table=True):
    """A channel's weekly digest: a local weekday and time in a named zone, and what it covers."""

    __tablename__ = "digest_subscription"
    __table_args__ = (UniqueConstraint("team_id", "channel_id", name="uq_digest_subscription_channel"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    channel_id: str = Field(max_length=32)
    weekday: int = 0  # Monday = 0, as datetime.weekday()
    hour: int = 9
    minute: int = 0
    timezone: str = Field(default="UTC", max_length=64)
    sections: list[str] = Field(
        default_factory=lambda: list(ALL_SECTIONS), sa_column=Column(JSON, nullable=False)
    )
    skip_quiet_weeks: bool = False
    created_by: str = Field(max_length=32)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class ScheduledRun(SQLModel, table=True):
    """One occurrence of a scheduled job, claimed once across every replica.

    `period` names the occurrence by its local calendar date (or another stable key), never by the
    firing instant: a wall-clock job can fire twice on a daylight-saving day, its period cannot.
    """

    __tablename__ = "scheduled_run"
    __table_args__ = (
        UniqueConstraint("team_id", "job", "period", name="uq_scheduled_run_occurrence"),
        Index("ix_scheduled_run_job", "team_id", "job", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    job: str = Field(max_length=64)
    period: str = Field(max_length=32)
    due_at: datetime = Field(sa_type=UTCDateTime)
    timezone: str = Field(default="UTC", max_length=64)
    late: bool = False
    skipped: bool = False  # found past its grace window (pmbot was down): recorded so it is logged once
    claimed_by: str = Field(max_length=64)
    claimed_at: datetime = timestamp()
    posted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    channel_id: str | None = Field(default=None, max_length=32)
    message_ts: str | None = Field(default=None, max_length=32)
