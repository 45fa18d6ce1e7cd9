"""Launch checklists: create a launch from a template, tick, assign and re-date items, slip the
date, decide go / no-go, mark it launched or cancel it. No Slack here."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.errors import InvalidInput, NotAllowed, NotFound, PmbotError
from bot.local_time import local_date
from bot.services.launches import gonogo
from bot.services.launches import item_transitions as item_rules
from bot.services.launches import outbox as out
from bot.services.launches.changes import (
    ITEM_DUE,
    ItemChange,
    LaunchDraft,
    TickResult,
    check_draft,
    check_overdue,
    check_slip_reason,
    item_from,
    lookup,
    move_date,
    require,
    snapshot,
)
from bot.services.launches.checklist_writes import edit_item, item_of, tick_items
from bot.services.launches.directory import TimezoneLookup
from bot.services.launches.finishing import finish, runnable
from bot.services.launches.links import check_links
from bot.services.launches.reads import (
    LaunchSummary,
    LaunchView,
    launch_view,
)
from bot.services.launches.template_store import LaunchTemplates
from bot.services.launches.transitions import (
    LaunchMove,
    moves_for,
    moves_in,
    poll_refusal,
    roles_of,
    runner_refusal,
)
from bot.services.settings.permissions import Permissions
from bot.services.writes import write
from storage.db import Database
from storage.launches import queries
from storage.launches.roadmap_items import link_items
from storage.models import GoNoGo, Launch, LaunchItem, LaunchStatus
from storage.workspaces import allocate_number
from storage.writer import Writer

__all__ = ["ItemChange", "LaunchDraft", "LaunchService", "TickResult"]

UPCOMING_SHOWN = 20


class LaunchService:
    """Launches and their checklists; every change re-renders the launch's messages from the database."""

    def __init__(
        self,
        db: Database,
        writer: Writer,
        permissions: Permissions,
        clock: Clock,
        directory: TimezoneLookup,
        templates: LaunchTemplates,
    ) -> None:
        self._templates = templates
        self._db = db
        self._writer = writer
        self._permissions = permissions
        self._clock = clock
        self._directory = directory

    # --- reading -------------------------------------------------------------------------

    async def find(self, team_id: str, typed: str) -> LaunchView:
        """One launch by `LCH-n` or by name."""
        async with self._db.read() as session:
            launch = await lookup(session, team_id, typed)
            return await launch_view(session, launch, self._clock.now())

    async def view(self, team_id: str, launch_id: int) -> LaunchView:
        """A launch by row id, as its messages show it."""
        async with self._db.read() as session:
            launch = await queries.get_launch_by_id(session, team_id, launch_id)
            if launch is None:
                raise NotFound("That launch is gone.")
            return await launch_view(session, launch, self._clock.now())

    async def item(self, team_id: str, actor_id: str, item_id: int) -> tuple[Launch, LaunchItem]:
        """A checklist item with its launch, if this person may assign or re-date it now (before the
        modal opens)."""
        is_admin = await self._permissions.is_admin(team_id, actor_id)
        async with self._db.read() as session:
            launch, item = await item_of(session, team_id, item_id)
        item_rules.check_edit(
            launch, item, item_rules.roles_of(actor_id, launch, item, is_admin=is_admin), []
        )
        return launch, item

    async def upcoming(self, team_id: str) -> list[LaunchSummary]:
        """Planned and slipped launches from yesterday on, soonest first, with their progress."""
        since = self._clock.now().date() - timedelta(days=1)
        async with self._db.read() as session:
            launches = await queries.list_upcoming(session, team_id, since=since, limit=UPCOMING_SHOWN)
            counts = await queries.progress(session, team_id, [launch.id or 0 for launch in launches])
        return [LaunchSummary(launch, *counts.get(launch.id or 0, (0, 0))) for launch in launches]

    # --- creating ------------------------------------------------------------------------

    async def create(self, team_id: str, actor_id: str, draft: LaunchDraft) -> Launch:
        """Store a launch and its checklist; its parent message and thread go out through the outbox."""
        template = await self._templates.get(team_id, draft.template_name)
        owner = draft.owner_id or actor_id
        timezone = await self._directory.timezone(team_id, owner)
        now = self._clock.now()
        launch_date = check_draft(draft, local_date(now, timezone))
        check_overdue(draft, launch_date, template.items, local_date(now, timezone))
        linked = await check_links(self._db, team_id, draft.roadmap_item_numbers)

        async def store(session: AsyncSession) -> Launch:
            launch = Launch(
                team_id=team_id,
                number=await allocate_number(session, team_id, "launch"),
                name=" ".join(draft.name.split()),
                launch_date=launch_date,
                launch_time=draft.launch_time,
                timezone=timezone,
                channel_id=draft.channel_id or "",
                owner_id=owner,
                decider_ids=list(dict.fromkeys(draft.decider_ids)),
                template_name=template.name,
                created_by=actor_id,
                created_at=now,
                updated_at=now,
            )
            session.add(launch)
            await session.flush()
            items = [item_from(launch, position, entry) for position, entry in enumerate(template.items)]
            session.add_all(items)
            link_items(session, launch, [item.id or 0 for item in linked])
            after = snapshot(launch, len(items), [item.ref for item in linked])
            await out.record(session, launch, actor_id, "created", after=after)
            await out.post_all(session, launch, now)
            await out.refresh_people(session, launch, items, now, actor_id)
            for decider in launch.decider_ids:
                await out.tell_assigned(session, launch, decider, actor_id, now, item_id=None)
            return launch

        return await write(self._writer, store)

    # --- the checklist -------------------------------------------------------------------

    async def tick(self, team_id: str, actor_id: str, number: int, change: ItemChange) -> TickResult:
        """Apply what one click on a checkbox group changed; a refusal re-renders the group's message."""
        is_admin = await self._permissions.is_admin(team_id, actor_id)
        now = self._clock.now()

        async def store(session: AsyncSession) -> TickResult:
            return await tick_items(session, team_id, actor_id, number, change, is_admin=is_admin, now=now)

        result = await write(self._writer, store)
        if result.refusal:
            raise NotAllowed(result.refusal)
        if result.stale:
            raise PmbotError(result.stale)
        return result

    async def update_item(
        self, team_id: str, actor_id: str, item_id: int, owner_id: str | None, due: date | None
    ) -> LaunchItem:
        """Assign the item and set its due date by hand (a slip leaves a hand-set date alone)."""
        if due is None:
            raise InvalidInput({ITEM_DUE: "Pick the date the item is due."})
        is_admin = await self._permissions.is_admin(team_id, actor_id)
        now = self._clock.now()

        async def store(session: AsyncSession) -> LaunchItem:
            return await edit_item(
                session, team_id, actor_id, item_id, owner_id, due, is_admin=is_admin, now=now
            )

        return await write(self._writer, store)

    # --- the launch ----------------------------------------------------------------------

    async def change_date(
        self, team_id: str, actor_id: str, number: int, new_date: date | None, reason: str = ""
    ) -> Launch:
        """Move launch day: items not dated by hand move with it; later is a slip (with its reason),
        posted in the thread."""
        reason = check_slip_reason(reason)
        is_admin = await self._permissions.is_admin(team_id, actor_id)
        now = self._clock.now()

        async def store(session: AsyncSession) -> Launch:
            launch = await runnable(session, team_id, actor_id, number, is_admin, "change its date")
            await move_date(session, launch, new_date, actor_id, now, reason)
            return launch

        return await write(self._writer, store)

    async def check_may(
        self, team_id: str, actor_id: str, number: int, move: LaunchMove, doing: str
    ) -> Launch:
        """The launch, if this person may make `move` on it now (before a modal asks them for more)."""
        is_admin = await self._permissions.is_admin(team_id, actor_id)
        async with self._db.read() as session:
            launch = await require(session, team_id, number)
        if move not in moves_in(launch.status):
            raise PmbotError(f"{launch.ref} is already {launch.status}.")
        if move not in moves_for(launch.status, roles_of(actor_id, launch, is_admin=is_admin)):
            raise NotAllowed(runner_refusal(launch, doing))
        return launch

    async def mark_launched(self, team_id: str, actor_id: str, number: int) -> Launch:
        """The owner says it shipped."""
        return await self._finish(team_id, actor_id, number, LaunchStatus.LAUNCHED, "mark it launched")

    async def cancel(self, team_id: str, actor_id: str, number: int) -> Launch:
        """The launch will not happen; its checklist closes."""
        return await self._finish(team_id, actor_id, number, LaunchStatus.CANCELLED, "cancel it")

    async def _finish(
        self, team_id: str, actor_id: str, number: int, status: LaunchStatus, doing: str
    ) -> Launch:
        is_admin = await self._permissions.is_admin(team_id, actor_id)
        now = self._clock.now()

        async def store(session: AsyncSession) -> Launch:
            launch = await runnable(session, team_id, actor_id, number, is_admin, doing)
            return await finish(session, launch, status, actor_id, now)

        return await write(self._writer, store)

    # --- go / no-go ----------------------------------------------------------------------

    async def open_gonogo(self, team_id: str, number: int, actor_id: str | None) -> gonogo.GoNoGoResult:
        """Open a go / no-go poll in the thread; actor None is the schedule (T-1): a first poll only."""
        is_admin = actor_id is not None and await self._permissions.is_admin(team_id, actor_id)
        now = self._clock.now()

        async def store(session: AsyncSession) -> gonogo.GoNoGoResult:
            launch = await require(session, team_id, number)
            if actor_id is not None and not (is_admin or actor_id in {launch.owner_id, *launch.decider_ids}):
                raise NotAllowed(poll_refusal(launch))
            return await gonogo.open_round(session, launch, actor_id, now)

        return await write(self._writer, store)

    async def check_vote(self, team_id: str, actor_id: str, number: int, round_: int) -> Launch:
        """The launch, if this person may answer this round now (before the no-go modal asks why)."""
        async with self._db.read() as session:
            launch = await require(session, team_id, number)
            answered = {vote.voter_id for vote in await queries.list_votes(session, launch)}
        answer = gonogo.may_vote(launch, actor_id, round_)
        if answer is not None:
            raise PmbotError(answer.message)
        if actor_id in answered:
            raise PmbotError(f"You already answered {launch.ref}'s poll.")
        return launch

    async def vote_gonogo(
        self, team_id: str, actor_id: str, number: int, round_: int, choice: GoNoGo, reason: str = ""
    ) -> gonogo.GoNoGoResult:
        """A decider's go, or no-go with its reason, in the given round."""
        now = self._clock.now()

        async def store(session: AsyncSession) -> gonogo.GoNoGoResult:
            launch = await require(session, team_id, number)
            return await gonogo.count_vote(session, launch, actor_id, round_, choice, now, reason)

        return await write(self._writer, store)

    async def close_gonogo(self, team_id: str, actor_id: str, number: int) -> gonogo.GoNoGoResult:
        """The owner records the result with the answers given so far."""
        is_admin = await self._permissions.is_admin(team_id, actor_id)
        now = self._clock.now()

        async def store(session: AsyncSession) -> gonogo.GoNoGoResult:
            launch = await runnable(session, team_id, actor_id, number, is_admin, "close its poll")
            return await gonogo.close_round(session, launch, actor_id, now)

        return await write(self._writer, store)
