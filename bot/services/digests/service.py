"""Digest subscriptions, `/digest preview` and `/digest now`. No Slack here: posting is an outbox
job (bot/deliveries/digests.py), and the weekly claims are bot/services/digests/schedule.py's.

A digest covers [since, until): `until` is the occurrence's due time (or now, for preview and
now), `since` the due time of the subscription's previous scheduled digest, else its creation.
Both are fixed when the digest is claimed, so a retried or taken-over delivery posts the same.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.errors import InvalidInput, NotFound
from bot.local_time import is_known_zone, next_weekly
from bot.services import outbox_kinds
from bot.services.digests.content import Digest, DigestContentService, DigestWindow
from bot.services.digests.schedule import first_since, post_payload, previous_due
from bot.services.settings.permissions import Permissions
from bot.services.writes import write
from storage import outbox
from storage.audit import record_change
from storage.db import Database
from storage.digests import subscriptions as queries
from storage.models import ALL_SECTIONS, DigestSubscription
from storage.workspaces import digest_defaults_of, get_workspace
from storage.writer import Writer

FIRST_PREVIEW_DAYS = 7  # what a channel without a subscription previews: the last week
WEEKDAY, TIME, TIMEZONE, SECTIONS = "digest_weekday", "digest_time", "digest_timezone", "digest_sections"
SKIP_QUIET = "digest_skip_quiet"
"""The fields a subscription form has; InvalidInput names them, and the modal's blocks use them."""


@dataclass(frozen=True)
class SubscriptionForm:
    """What a person chose in the subscribe modal."""

    weekday: int
    hour: int
    minute: int
    timezone: str
    sections: list[str]
    skip_quiet_weeks: bool


@dataclass(frozen=True)
class SubscriptionView:
    """A subscription with when it fires next."""

    subscription: DigestSubscription
    next_at: datetime


def _with_next(subscription: DigestSubscription, now: datetime) -> SubscriptionView:
    at = time(subscription.hour, subscription.minute)
    return SubscriptionView(subscription, next_weekly(now, subscription.weekday, at, subscription.timezone))


def check_form(form: SubscriptionForm) -> None:
    """Raise InvalidInput naming each bad field."""
    errors: dict[str, str] = {}
    if not 0 <= form.weekday <= 6:
        errors[WEEKDAY] = "Pick a day of the week."
    if not (0 <= form.hour <= 23 and 0 <= form.minute <= 59):
        errors[TIME] = "Pick a time."
    if not is_known_zone(form.timezone):
        errors[TIMEZONE] = "That is not a timezone I know. Use a name like Europe/Berlin or America/New_York."
    if not form.sections or any(section not in ALL_SECTIONS for section in form.sections):
        errors[SECTIONS] = "Pick at least one section."
    if errors:
        raise InvalidInput(errors)


class DigestService:
    """Subscribes channels, and builds the digest a channel would get now."""

    def __init__(
        self,
        db: Database,
        writer: Writer,
        permissions: Permissions,
        clock: Clock,
        content: DigestContentService,
        on_change: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self._db = db
        self._writer = writer
        self._permissions = permissions
        self._clock = clock
        self._content = content
        self._on_change = on_change

    async def form_for(
        self, team_id: str, channel_id: str, user_id: str, user_tz: str
    ) -> tuple[SubscriptionForm, bool]:
        """The modal's initial values and whether the channel is subscribed already: its subscription,
        else the workspace defaults in the subscriber's own timezone. Someone who may not change the
        channel's subscription is refused."""
        async with self._db.read() as session:
            current = await queries.get_for_channel(session, team_id, channel_id)
            workspace = await get_workspace(session, team_id)
        if current is not None:
            await self._permissions.require_owner_or_admin(
                team_id, user_id, current.created_by, "change this channel's digest"
            )
            return _form_of(current), True
        defaults = digest_defaults_of(workspace)  # what an admin set on the Home tab
        zone_name = user_tz if is_known_zone(user_tz) else "UTC"
        form = SubscriptionForm(
            defaults.weekday, defaults.hour, defaults.minute, zone_name, list(ALL_SECTIONS), False
        )
        return form, False

    async def subscribe(
        self, team_id: str, channel_id: str, user_id: str, form: SubscriptionForm
    ) -> SubscriptionView:
        """Create or change the channel's subscription (audited); returns it with its next post."""
        check_form(form)
        async with self._db.read() as session:
            current = await queries.get_for_channel(session, team_id, channel_id)
        if current is not None:
            await self._permissions.require_owner_or_admin(
                team_id, user_id, current.created_by, "change this channel's digest"
            )
        now = self._clock.now()

        async def store(session: AsyncSession) -> int:
            before = await queries.get_for_channel(session, team_id, channel_id)
            wanted = DigestSubscription(
                team_id=team_id, channel_id=channel_id, created_by=user_id, **vars(form)
            )
            subscription_id = await queries.save_subscription(session, wanted, now=now)
            await record_change(
                session,
                team_id=team_id,
                actor_id=user_id,
                entity="digest_subscription",
                entity_id=subscription_id,
                action="digest_subscribed" if before is None else "digest_changed",
                before=_described(before),
                after={"channel_id": channel_id, **vars(form)},
            )
            return subscription_id

        subscription_id = await write(self._writer, store)
        await self._changed()
        saved = DigestSubscription(
            id=subscription_id, team_id=team_id, channel_id=channel_id, created_by=user_id, **vars(form)
        )
        return _with_next(saved, now)

    async def unsubscribe(self, team_id: str, channel_id: str, user_id: str) -> None:
        """Stop the channel's digest: its subscriber or an admin (audited)."""
        async with self._db.read() as session:
            current = await queries.get_for_channel(session, team_id, channel_id)
        if current is None or current.id is None:
            raise NotFound("This channel has no digest subscription.")
        await self._permissions.require_owner_or_admin(
            team_id, user_id, current.created_by, "stop this channel's digest"
        )
        subscription_id = current.id

        async def store(session: AsyncSession) -> None:
            await queries.delete_subscription(session, team_id, subscription_id)
            await record_change(
                session,
                team_id=team_id,
                actor_id=user_id,
                entity="digest_subscription",
                entity_id=subscription_id,
                action="digest_unsubscribed",
                before=_described(current),
            )
            if current.created_by and current.created_by != user_id:
                await outbox.enqueue(
                    session,
                    team_id=team_id,
                    kind=outbox_kinds.DIGEST_STOPPED,
                    payload={"user_id": current.created_by, "channel_id": channel_id, "stopped_by": user_id},
                    now=self._clock.now(),
                )

        await write(self._writer, store)
        await self._changed()

    async def subscriptions(self, team_id: str) -> list[SubscriptionView]:
        """Every subscription of the workspace with its next firing."""
        now = self._clock.now()
        async with self._db.read() as session:
            found = await queries.list_subscriptions(session, team_id)
        return [_with_next(s, now) for s in found]

    async def preview(self, team_id: str, channel_id: str) -> Digest:
        """Exactly the digest `/digest now` would post in the channel at this moment."""
        window, _ = await self._window_now(team_id, channel_id)
        return await self._content.build(window)

    async def post_now(self, team_id: str, channel_id: str, user_id: str) -> None:
        """Queue the digest for the channel now; the scheduled one still posts its whole period."""
        window, subscription = await self._window_now(team_id, channel_id)
        now = self._clock.now()

        async def store(session: AsyncSession) -> None:
            payload = post_payload(window, channel_id, None, subscription, None, requested_by=user_id)
            await outbox.enqueue(
                session, team_id=team_id, kind=outbox_kinds.POST_DIGEST, payload=payload, now=now
            )
            await record_change(
                session,
                team_id=team_id,
                actor_id=user_id,
                entity="digest_subscription",
                entity_id=(subscription.id or 0) if subscription else 0,
                action="digest_posted_now",
                after={"channel_id": channel_id, "since": window.since.isoformat()},
            )

        await write(self._writer, store)

    async def _window_now(
        self, team_id: str, channel_id: str
    ) -> tuple[DigestWindow, DigestSubscription | None]:
        now = self._clock.now()
        async with self._db.read() as session:
            subscription = await queries.get_for_channel(session, team_id, channel_id)
            since = await previous_due(session, subscription) if subscription else None
        if subscription is None:
            window = DigestWindow(team_id, now - timedelta(days=FIRST_PREVIEW_DAYS), now, list(ALL_SECTIONS))
        else:
            window = DigestWindow(
                team_id,
                since or first_since(subscription),
                now,
                list(subscription.sections),
                subscription.timezone,
            )
        return window, subscription

    async def _changed(self) -> None:
        if self._on_change is not None:
            await self._on_change()


def _form_of(subscription: DigestSubscription) -> SubscriptionForm:
    return SubscriptionForm(
        subscription.weekday,
        subscription.hour,
        subscription.minute,
        subscription.timezone,
        list(subscription.sections),
        subscription.skip_quiet_weeks,
    )


def _described(subscription: DigestSubscription | None) -> dict[str, Any] | None:
    if subscription is None:
        return None
    return {"channel_id": subscription.channel_id, **vars(_form_of(subscription))}
