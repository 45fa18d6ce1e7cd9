"""Launch reminders as a schedule source: morning DMs to item owners and posts in launches' threads.

Two kinds of job, each claimed once per period by the scheduler (bot/scheduler.py):
- `launch-dm:<user>`, period = the person's local date: at 09:00 in their own Slack timezone,
  a DM listing their open items that are overdue, due today or due tomorrow (none → no DM).
- `launch:<id>`, period = `<launch date>:<stage>`: at 09:00 in the launch's timezone a week
  before (T-7), the day before (T-1, which also opens the go/no-go poll), on launch day (T0),
  and a summary the day after (T+1). The period carries the launch date, so a slipped launch is
  reminded again for its new date; a cancelled one gets nothing more, a launched one only its
  summary.
- `launch-late:<id>`, period = the launch's local date: at 09:00 there, when items of the launch
  fell overdue lately, its checklist messages are re-rendered (their "overdue" labels are drawn
  when a message is rendered, and nothing else re-renders it that day).
Claiming inserts the run's row and queues what it sends in one write; what is sent is rendered
from the database when it is delivered. No Slack here.
"""

from __future__ import annotations

import logging
import time as time_module
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.errors import SlackUnavailable
from bot.local_time import latest_daily
from bot.services import outbox_kinds
from bot.services.launches import outbox as launch_outbox
from bot.services.launches.reads import chunk_of
from bot.services.launches.reminder_stages import DM_JOB, LATE_JOB, POST_JOB, latest_stage, parse_post
from bot.services.occurrences import CronSchedule, Occurrence, claim_occurrence
from bot.services.writes import write
from storage import outbox
from storage.db import Database
from storage.launches import queries as launches
from storage.launches import reminders as queries
from storage.launches.reminders import REMINDED
from storage.models import Launch
from storage.writer import Writer

log = logging.getLogger(__name__)

REMIND_AT = time(9, 0)
SOURCE_NAME = "launch-reminders"
# Launches whose stages may fall near now: T-7 is 7 days before launch day, T+1 the day after;
# the margins cover every zone's date and the scheduler's grace window.
LOOK_AHEAD_DAYS = 9
LOOK_BACK_DAYS = 3
# Every sweep needs every owner's zone; asking users.info each time (tier 4) would not scale, and
# people rarely move. A changed zone is seen within the hour.
ZONE_KEPT_SECONDS = 3600


class PersonTimezones(Protocol):
    """Who tells a person's timezone (bot.directory.SlackDirectory)."""

    async def timezone(self, team_id: str, user_id: str) -> str:
        """The person's IANA zone."""
        ...


class LaunchReminderSource:
    """The scheduler's source of launch reminders (see the module docstring)."""

    name = SOURCE_NAME

    def __init__(self, db: Database, writer: Writer, clock: Clock, zones: PersonTimezones) -> None:
        self._db = db
        self._writer = writer
        self._clock = clock
        self._zones = zones
        self._known: dict[tuple[str, str], tuple[float, str]] = {}  # (team, user) → (until, zone)

    async def latest_due(self, now: datetime) -> Sequence[Occurrence]:
        """At or before `now`: each owner's newest 09:00, each near launch's newest stage, and the
        newest 09:00 of each launch whose items fell overdue lately."""
        return [
            *await self._morning_dms(now),
            *await self._thread_posts(now),
            *await self._late_checklists(now),
        ]

    async def claim(self, occurrence: Occurrence, *, owner: str, late_by: timedelta | None) -> bool:
        """Insert the run's row and queue its DM or thread post, in one write."""
        unit = partial(_claim, occurrence, owner, late_by, self._clock.now())
        return await write(self._writer, unit) is not None

    async def schedules(self) -> Sequence[CronSchedule]:
        """09:00 in every zone an item owner or a near launch lives in."""
        zones = {zone for _, zone in await self._owner_zones()}
        zones |= {launch.timezone for launch in await self._near_launches(self._clock.now())}
        zones |= {launch.timezone for launch, _ in await self._late_dues(self._clock.now())}
        return [
            CronSchedule(f"{SOURCE_NAME}:{zone}", REMIND_AT.hour, REMIND_AT.minute, zone)
            for zone in sorted(zones)
        ]

    async def _morning_dms(self, now: datetime) -> list[Occurrence]:
        occurrences = []
        for (team_id, user_id), zone_name in await self._owner_zones():
            day, due = latest_daily(now, REMIND_AT, zone_name)
            occurrences.append(Occurrence(team_id, f"{DM_JOB}{user_id}", day.isoformat(), due, zone_name))
        return occurrences

    async def _thread_posts(self, now: datetime) -> list[Occurrence]:
        occurrences = []
        for launch in await self._near_launches(now):
            found = latest_stage(launch, now, REMIND_AT)
            if found is not None:
                stage, due = found
                period = f"{launch.launch_date.isoformat()}:{stage.value}"
                occurrences.append(
                    Occurrence(launch.team_id, f"{POST_JOB}{launch.id}", period, due, launch.timezone)
                )
        return occurrences

    async def _late_checklists(self, now: datetime) -> list[Occurrence]:
        """A launch's newest 09:00 (its own zone) when an open item fell overdue in the days before."""
        occurrences = []
        for launch, dues in await self._late_dues(now):
            day, due = latest_daily(now, REMIND_AT, launch.timezone)
            if not any(fell_overdue(due_date, day) for due_date in dues):
                continue
            if due < launch.created_at:
                continue  # its checklist was first rendered after that 09:00, with the labels of then
            occurrences.append(
                Occurrence(launch.team_id, f"{LATE_JOB}{launch.id}", day.isoformat(), due, launch.timezone)
            )
        return occurrences

    async def _late_dues(self, now: datetime) -> list[tuple[Launch, list[date]]]:
        """Launches with open items due in the last few days (a day's margin for every zone), with
        those items' due dates."""
        today = now.date()
        async with self._db.read() as session:
            found = await queries.list_open_dues_between(
                session, first=today - timedelta(days=LOOK_BACK_DAYS + 1), last=today + timedelta(days=1)
            )
        by_id: dict[int, tuple[Launch, list[date]]] = {}
        for launch, due_date in found:
            by_id.setdefault(launch.id or 0, (launch, []))[1].append(due_date)
        return list(by_id.values())

    async def _near_launches(self, now: datetime) -> list[Launch]:
        today = now.date()
        async with self._db.read() as session:
            return await queries.list_launches_between(
                session,
                first=today - timedelta(days=LOOK_BACK_DAYS),
                last=today + timedelta(days=LOOK_AHEAD_DAYS),
            )

    async def _owner_zones(self) -> list[tuple[tuple[str, str], str]]:
        async with self._db.read() as session:
            owners = await queries.list_item_owners(session)
        found = []
        for key in owners:
            zone_name = await self._zone_of(*key)
            if zone_name is not None:
                found.append((key, zone_name))
        return found

    async def _zone_of(self, team_id: str, user_id: str) -> str | None:
        key = (team_id, user_id)
        known = self._known.get(key)
        if known is not None and known[0] > time_module.monotonic():
            return known[1]
        try:
            zone_name = await self._zones.timezone(team_id, user_id)
        except SlackUnavailable as error:  # the last zone seen, or try at the next sweep
            log.warning("no timezone for %s (%s); using the last one known", user_id, error)
            return known[1] if known else None
        self._known[key] = (time_module.monotonic() + ZONE_KEPT_SECONDS, zone_name)
        return zone_name


async def _claim(
    occurrence: Occurrence, owner: str, late_by: timedelta | None, now: datetime, session: AsyncSession
) -> int | None:
    run_id = await claim_occurrence(session, occurrence, owner=owner, now=now, late_by=late_by)
    if run_id is None:
        return None
    late = int(late_by.total_seconds()) if late_by else None
    if occurrence.job.startswith(DM_JOB):
        await _queue_dm(session, occurrence, run_id, late, now)
    elif occurrence.job.startswith(LATE_JOB):
        await _queue_late_checklist(session, occurrence, now)
    else:
        await _queue_post(session, occurrence, run_id, late, now)
    return run_id


async def _queue_dm(
    session: AsyncSession, occurrence: Occurrence, run_id: int, late: int | None, now: datetime
) -> None:
    user_id = occurrence.job.removeprefix(DM_JOB)
    day = date.fromisoformat(occurrence.period)
    if not await queries.has_items_due_for(
        session, occurrence.team_id, user_id, up_to=day + timedelta(days=1)
    ):
        return  # nothing to list this morning: the run is recorded, no DM
    payload = {
        "run_id": run_id,
        "user_id": user_id,
        "day": day.isoformat(),
        "due_at": occurrence.due_at.isoformat(),
        "late_by_seconds": late,
    }
    await outbox.enqueue(
        session, team_id=occurrence.team_id, kind=outbox_kinds.LAUNCH_MORNING_DM, payload=payload, now=now
    )


async def _queue_late_checklist(session: AsyncSession, occurrence: Occurrence, now: datetime) -> None:
    """Re-render the checklist messages holding items overdue on the period's date."""
    launch = await launches.get_launch_by_id(
        session, occurrence.team_id, int(occurrence.job.removeprefix(LATE_JOB))
    )
    if launch is None or launch.status not in REMINDED:
        return
    day = date.fromisoformat(occurrence.period)
    items = await launches.list_items(session, launch.team_id, launch.id or 0)
    late = {item.id or 0 for item in items if not item.done and fell_overdue(item.due_date, day)}
    await launch_outbox.sync_chunks(session, launch, chunk_of(items, late), now)


def fell_overdue(due_date: date, day: date) -> bool:
    """An item due on `due_date` became overdue in the few days up to `day`'s morning."""
    return day - timedelta(days=LOOK_BACK_DAYS) <= due_date < day


async def _queue_post(
    session: AsyncSession, occurrence: Occurrence, run_id: int, late: int | None, now: datetime
) -> None:
    launch_id, launch_date, stage = parse_post(occurrence.job, occurrence.period)
    payload = {
        "run_id": run_id,
        "launch_id": launch_id,
        "launch_date": launch_date.isoformat(),
        "stage": stage.value,
        "due_at": occurrence.due_at.isoformat(),
        "late_by_seconds": late,
    }
    await outbox.enqueue(
        session, team_id=occurrence.team_id, kind=outbox_kinds.LAUNCH_REMINDER_POST, payload=payload, now=now
    )
