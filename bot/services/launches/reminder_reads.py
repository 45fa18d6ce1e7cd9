"""What a launch reminder shows, read from the database when it is delivered. No Slack here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.launches.reminder_stages import Stage, stages_of
from storage.launches import queries as launches
from storage.launches import reminders as queries
from storage.models import Launch, LaunchItem


@dataclass(frozen=True)
class DueItem:
    """One of a person's open checklist items, with its launch."""

    item: LaunchItem
    launch: Launch


@dataclass(frozen=True)
class MorningList:
    """A person's open items on their local date `day`: overdue, due today, due tomorrow; and the
    items of their own launches that nobody owns, due by tomorrow."""

    user_id: str
    day: date
    overdue: list[DueItem]
    today: list[DueItem]
    tomorrow: list[DueItem]
    unowned: list[DueItem] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Nothing to tell them: no DM."""
        return not self.entries

    @property
    def entries(self) -> list[DueItem]:
        """Every item listed, in the DM's order."""
        return [*self.overdue, *self.today, *self.tomorrow, *self.unowned]


@dataclass(frozen=True)
class ThreadReminder:
    """A launch as one of its thread reminders shows it."""

    launch: Launch
    stage: Stage
    items: list[LaunchItem]

    @property
    def open_items(self) -> list[LaunchItem]:
        """Items not yet ticked off, in checklist order; before the launch, only those due by
        launch day (the retro is not late a week before launch)."""
        return [item for item in self.items if not item.done and not self._after_launch(item)]

    @property
    def due_by_launch(self) -> int:
        """Items, done or not, due by launch day (what a reminder before the launch counts)."""
        return sum(1 for item in self.items if not self._after_launch(item))

    @property
    def later(self) -> int:
        """Open items due after launch day, left out of a reminder before the launch."""
        return sum(1 for item in self.items if not item.done and self._after_launch(item))

    def _after_launch(self, item: LaunchItem) -> bool:
        return self.stage != Stage.DAY_AFTER and item.due_date > self.launch.launch_date

    @property
    def done(self) -> int:
        """Items ticked off."""
        return sum(1 for item in self.items if item.done)

    @property
    def total(self) -> int:
        """Items on the checklist."""
        return len(self.items)


async def morning_list(session: AsyncSession, team_id: str, user_id: str, day: date) -> MorningList:
    """The person's open items due by the day after `day`, sorted into the morning DM's lists."""
    tomorrow = day + timedelta(days=1)
    due = [
        DueItem(item, launch)
        for item, launch in await queries.list_items_due_for(session, team_id, user_id, up_to=tomorrow)
    ]
    found = [entry for entry in due if entry.item.owner_id == user_id]
    return MorningList(
        user_id=user_id,
        day=day,
        overdue=[due for due in found if due.item.due_date < day],
        today=[due for due in found if due.item.due_date == day],
        tomorrow=[due for due in found if due.item.due_date == tomorrow],
        unowned=[entry for entry in due if entry.item.owner_id is None],
    )


async def thread_reminder(
    session: AsyncSession, team_id: str, launch_id: int, launch_date: date, stage: Stage
) -> ThreadReminder | None:
    """The launch as the reminder shows it; None if the reminder no longer applies.

    It no longer applies once the launch was cancelled, slipped to another date since the reminder
    was claimed (the new date has its own), or launched (only the day-after summary still goes out).
    """
    launch = await launches.get_launch_by_id(session, team_id, launch_id)
    if launch is None or launch.launch_date != launch_date or stage not in stages_of(launch):
        return None
    return ThreadReminder(launch, stage, await launches.list_items(session, team_id, launch_id))
