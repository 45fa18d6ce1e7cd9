"""Launches, their checklist items and thread messages, templates, and go/no-go votes."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.fields import timestamp
from storage.types import UTCDateTime


class LaunchStatus(StrEnum):
    PLANNED = "planned"
    LAUNCHED = "launched"
    SLIPPED = "slipped"
    CANCELLED = "cancelled"


class GoNoGo(StrEnum):
    GO = "go"
    NO_GO = "no_go"


class Launch(SQLModel, table=True):
    """A launch: a date in a named zone, a channel whose thread holds its checklist, an owner."""

    __tablename__ = "launch"
    __table_args__ = (
        UniqueConstraint("team_id", "number", name="uq_launch_team_number"),
        Index("ix_launch_team_date", "team_id", "status", "launch_date"),
        Index("ix_launch_status_date", "status", "launch_date"),  # the reminders' sweep, all teams
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    number: int
    name: str = Field(max_length=150)
    launch_date: date
    launch_time: time | None = None
    timezone: str = Field(default="UTC", max_length=64)
    channel_id: str = Field(max_length=32)
    owner_id: str = Field(max_length=32)
    decider_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    template_name: str = Field(max_length=80)
    status: LaunchStatus = Field(default=LaunchStatus.PLANNED, sa_type=String(16))
    parent_ts: str | None = Field(default=None, max_length=32)
    gonogo_round: int = 0
    gonogo_decision: GoNoGo | None = Field(default=None, sa_type=String(16))
    gonogo_decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    launched_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by: str = Field(max_length=32)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()

    @property
    def ref(self) -> str:
        """The id people see: LCH-<number>."""
        return f"LCH-{self.number}"


class LaunchItem(SQLModel, table=True):
    """One checklist item: due a number of days from launch day unless someone dated it by hand."""

    __tablename__ = "launch_item"
    __table_args__ = (
        Index("ix_launch_item_launch", "team_id", "launch_id", "position"),
        Index("ix_launch_item_owner_due", "team_id", "owner_id", "done", "due_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    launch_id: int = Field(foreign_key="launch.id")
    position: int
    phase: str = Field(max_length=40)
    title: str = Field(max_length=200)
    offset_days: int = 0
    due_date: date
    due_set_by_hand: bool = False
    owner_id: str | None = Field(default=None, max_length=32)
    owner_role: str | None = Field(default=None, max_length=40)
    done: bool = False
    done_by: str | None = Field(default=None, max_length=32)
    done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = timestamp()


class LaunchMessage(SQLModel, table=True):
    """A message in the launch's thread that shows one chunk of the checklist."""

    __tablename__ = "launch_message"

    launch_id: int = Field(foreign_key="launch.id", primary_key=True)
    chunk: int = Field(primary_key=True)
    team_id: str = Field(max_length=32)
    ts: str = Field(max_length=32)


class LaunchRoadmapItem(SQLModel, table=True):
    """A roadmap item a launch ships (many to many)."""

    __tablename__ = "launch_roadmap_item"
    __table_args__ = (Index("ix_launch_roadmap_item_item", "team_id", "item_id"),)  # an item's launches

    launch_id: int = Field(foreign_key="launch.id", primary_key=True)
    item_id: int = Field(foreign_key="roadmap_item.id", primary_key=True)
    team_id: str = Field(max_length=32)


class LaunchTemplate(SQLModel, table=True):
    """A checklist template an admin wrote; items are {offset_days, title, phase, owner_role}."""

    __tablename__ = "launch_template"
    __table_args__ = (UniqueConstraint("team_id", "name", name="uq_launch_template_name"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    name: str = Field(max_length=80)
    items: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_by: str = Field(max_length=32)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class GoNoGoVote(SQLModel, table=True):
    """A decider's answer in one round of a launch's go/no-go poll."""

    __tablename__ = "launch_gonogo_vote"
    __table_args__ = (UniqueConstraint("launch_id", "round", "voter_id", name="uq_gonogo_vote_once"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    launch_id: int = Field(foreign_key="launch.id")
    round: int
    voter_id: str = Field(max_length=32)
    choice: GoNoGo = Field(sa_type=String(16))
    note: str | None = Field(default=None, max_length=500)
    at: datetime = timestamp()
