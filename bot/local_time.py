"""Wall-clock times in named zones: when "Monday 09:00 Europe/Berlin" falls, as a UTC instant.

A period is named by its local calendar date, never by the instant it fires: on a fall-back day a
wall-clock time happens twice, on a spring-forward day it may not happen at all (it then falls an
hour later, as APScheduler's cron does). Either way the date names one occurrence.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

DAYS_IN_WEEK = 7


def zone(name: str | None) -> ZoneInfo:
    """The named zone; UTC for an unknown or missing name."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def is_known_zone(name: str) -> bool:
    """Whether `name` is an IANA zone this machine knows."""
    return name in available_timezones()


def zones_matching(typed: str, limit: int) -> list[str]:
    """IANA zone names for a type-ahead: those whose city starts with the words first, then any
    that contain them ("new york" → America/New_York); at most `limit`."""
    wanted = typed.strip().lower().replace(" ", "_")
    names = sorted(available_timezones())
    if not wanted:
        return names[:limit]
    lowered = {name: name.lower() for name in names}
    city = {name: low.rsplit("/", 1)[-1] for name, low in lowered.items()}
    starts = [n for n, low in lowered.items() if city[n].startswith(wanted) or low.startswith(wanted)]
    contains = [n for n, low in lowered.items() if wanted in low and n not in starts]
    return (starts + contains)[:limit]


def local_date(instant: datetime, zone_name: str) -> date:
    """The calendar date at `instant` in the zone."""
    return instant.astimezone(zone(zone_name)).date()


def wall_clock_instant(day: date, at: time, zone_name: str) -> datetime:
    """The UTC instant of `at` on `day` in the zone (the first one when the clock goes back)."""
    return datetime.combine(day, at, tzinfo=zone(zone_name)).astimezone(UTC)


def latest_daily(now: datetime, at: time, zone_name: str) -> tuple[date, datetime]:
    """The newest local date whose `at` has passed by `now`, and that instant."""
    day = local_date(now, zone_name)
    instant = wall_clock_instant(day, at, zone_name)
    if instant > now:
        day -= timedelta(days=1)
        instant = wall_clock_instant(day, at, zone_name)
    return day, instant


def latest_weekly(now: datetime, weekday: int, at: time, zone_name: str) -> tuple[date, datetime]:
    """The newest `weekday` (Monday = 0) whose `at` has passed by `now`, and that instant."""
    today = local_date(now, zone_name)
    day = today - timedelta(days=(today.weekday() - weekday) % DAYS_IN_WEEK)
    instant = wall_clock_instant(day, at, zone_name)
    if instant > now:
        day -= timedelta(days=DAYS_IN_WEEK)
        instant = wall_clock_instant(day, at, zone_name)
    return day, instant


def next_weekly(now: datetime, weekday: int, at: time, zone_name: str) -> datetime:
    """The next instant after `now` at which the weekly time falls."""
    day, _ = latest_weekly(now, weekday, at, zone_name)
    return wall_clock_instant(day + timedelta(days=DAYS_IN_WEEK), at, zone_name)
