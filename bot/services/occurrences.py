"""What the scheduler claims: occurrences of scheduled jobs, the sources that declare them, and the
claim itself (no APScheduler here; `bot.scheduler` drives these)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from storage import scheduled_runs


@dataclass(frozen=True)
class Occurrence:
    """One run of a scheduled job: `period` names it (a local date), `due_at` is its UTC instant."""

    team_id: str
    job: str
    period: str
    due_at: datetime
    timezone: str

    @property
    def key(self) -> tuple[str, str, str]:
        """What makes it unique: (team, job, period)."""
        return (self.team_id, self.job, self.period)


@dataclass(frozen=True)
class CronSchedule:
    """A wall-clock time a source wants to be woken at, in a named zone."""

    job_id: str
    hour: int
    minute: int
    timezone: str
    day_of_week: int | None = None  # Monday = 0; None: every day


class ScheduleSource(Protocol):
    """Something with occurrences to claim: digests, launch reminders."""

    name: str

    async def latest_due(self, now: datetime) -> Sequence[Occurrence]:
        """Each job's newest occurrence at or before `now` (jobs with nothing to do may be left out)."""
        ...

    async def claim(self, occurrence: Occurrence, *, owner: str, late_by: timedelta | None) -> bool:
        """Claim the occurrence and queue what it sends, in one write; False if it was already claimed."""
        ...

    async def schedules(self) -> Sequence[CronSchedule]:
        """The wall-clock times to fire at; the due-sweep covers sources that declare none."""
        ...


async def claim_occurrence(
    session: AsyncSession,
    occurrence: Occurrence,
    *,
    owner: str,
    now: datetime,
    late_by: timedelta | None = None,
    skipped: bool = False,
) -> int | None:
    """Insert the occurrence's `scheduled_run` row; its id if this caller won it, None if another had."""
    return await scheduled_runs.claim_run(
        session,
        team_id=occurrence.team_id,
        job=occurrence.job,
        period=occurrence.period,
        due_at=occurrence.due_at,
        timezone=occurrence.timezone,
        owner=owner,
        now=now,
        late=late_by is not None,
        skipped=skipped,
    )
