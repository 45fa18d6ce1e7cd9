"""When a launch's thread reminders fall, and how their jobs and periods are named."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from enum import StrEnum

from bot.local_time import wall_clock_instant
from storage.launches.queries import ACTIVE
from storage.models import Launch, LaunchStatus

DM_JOB = "launch-dm:"  # + the person's user id
POST_JOB = "launch:"  # + the launch's row id
LATE_JOB = "launch-late:"  # + the launch's row id: its checklist re-rendered once items fell overdue


class Stage(StrEnum):
    """A thread reminder, named by its distance from launch day."""

    WEEK_BEFORE = "T-7"
    DAY_BEFORE = "T-1"
    LAUNCH_DAY = "T0"
    DAY_AFTER = "T+1"


OFFSET_DAYS = {Stage.WEEK_BEFORE: -7, Stage.DAY_BEFORE: -1, Stage.LAUNCH_DAY: 0, Stage.DAY_AFTER: 1}


def stage_day(launch_date: date, stage: Stage) -> date:
    """The local date a stage falls on."""
    return launch_date + timedelta(days=OFFSET_DAYS[stage])


def stages_of(launch: Launch) -> list[Stage]:
    """The stages a launch still gets: all while planned or slipped, the summary once launched."""
    if launch.status == LaunchStatus.LAUNCHED:
        return [Stage.DAY_AFTER]
    if launch.status in ACTIVE:
        return list(Stage)
    return []


def latest_stage(launch: Launch, now: datetime, at: time) -> tuple[Stage, datetime] | None:
    """The launch's newest stage whose local `at` has passed by `now`, and that instant.

    None before the first, and when the newest came before the launch was created: a launch
    made on its T-1 afternoon gets no T-1 post (its creator can open go/no-go by hand).
    """
    for stage in reversed(stages_of(launch)):
        due = wall_clock_instant(stage_day(launch.launch_date, stage), at, launch.timezone)
        if due <= now:
            return None if due < launch.created_at else (stage, due)
    return None


def parse_post(job: str, period: str) -> tuple[int, date, Stage]:
    """(launch id, launch date, stage) from `launch:<id>` and `<launch date>:<stage>`."""
    launch_date, stage = period.split(":", 1)
    return int(job.removeprefix(POST_JOB)), date.fromisoformat(launch_date), Stage(stage)
