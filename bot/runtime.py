"""The services one pmbot process runs, built from settings and started and stopped together."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.deliveries.client import build_client, close_session, open_session
from bot.deliveries.digests import DigestDeliveries
from bot.deliveries.home import HomeDeliveries
from bot.deliveries.launch_reminders import LaunchReminderDeliveries
from bot.deliveries.launches import LaunchDeliveries
from bot.deliveries.notices import NoticeDeliveries
from bot.deliveries.problems import ProblemReports
from bot.deliveries.requests import RequestDeliveries
from bot.deliveries.roadmap import RoadmapDeliveries
from bot.deliveries.worker import OutboxWorker
from bot.directory import SlackDirectory
from bot.interactions.incoming import Incoming
from bot.scheduler import Scheduler
from bot.services.digests.content import DigestContentService
from bot.services.digests.schedule import DigestSource
from bot.services.digests.service import DigestService
from bot.services.home.service import HomeService
from bot.services.home.viewers import HomeViewers
from bot.services.launches.reminders import LaunchReminderSource
from bot.services.launches.service import LaunchService
from bot.services.launches.template_store import LaunchTemplates
from bot.services.requests.sentence_model import extra_installed
from bot.services.requests.service import RequestService
from bot.services.requests.similar import SimilarRequests
from bot.services.requests.vector_search import SentenceVectors
from bot.services.retention import RetentionService
from bot.services.roadmap.service import RoadmapService
from bot.services.settings.permissions import Permissions
from bot.services.settings.service import SettingsService
from bot.workspace_url import WorkspaceUrls
from storage.db import Database
from storage.migrate import upgrade_to_head
from storage.writer import Writer


@dataclass
class Services:
    """Everything a listener may need; Bolt hands it to listeners as `services`."""

    settings: Settings
    db: Database
    writer: Writer
    inbox_writer: Writer  # records interactions; on PostgreSQL apart: a stalled table stalls only its writes
    client: AsyncWebClient
    clock: Clock
    directory: SlackDirectory
    permissions: Permissions
    requests: RequestService
    similar: SimilarRequests
    roadmap: RoadmapService
    workspace: SettingsService
    home: HomeService
    home_viewers: HomeViewers
    launches: LaunchService
    launch_templates: LaunchTemplates
    digest_content: DigestContentService
    digests: DigestService
    outbox: OutboxWorker
    scheduler: Scheduler
    retention: RetentionService
    # Which interactions' listeners write before they ack (their inbox entry rides on that write);
    # the app's handlers say (bot.app.create_app).
    writes_first: Callable[[Incoming], bool] = field(default=lambda _incoming: False)
    # What runs on top of the services (the answering of Slack's requests): started after them,
    # stopped before them, whoever starts and stops the services.
    attached: list[tuple[Callable[[], None], Callable[[], Awaitable[None]]]] = field(default_factory=list)

    def attach(self, start: Callable[[], None], stop: Callable[[], Awaitable[None]]) -> None:
        """Run `start()` after the services start and `await stop()` before they stop."""
        self.attached.append((start, stop))

    async def start(self, *, migrate: bool = True) -> None:
        """Bring the schema to head, then start writing and delivering."""
        if migrate:
            await upgrade_to_head(self.db)
        open_session(self.client)
        self.writer.start()
        self.inbox_writer.start()
        self.outbox.start()
        self.scheduler.start()
        if self.similar.vectors is not None:
            self.similar.vectors.start()
        for start, _ in self.attached:
            start()

    async def stop(self) -> None:
        """Stop what is attached, stop delivering, finish queued writes, close the database."""
        for _, stop in reversed(self.attached):
            await stop()
        await self.scheduler.stop()
        await self.outbox.stop()  # deliveries under way may still search, with vectors
        if self.similar.vectors is not None:
            await self.similar.vectors.stop()
        await self.inbox_writer.stop()
        await self.writer.stop()
        await close_session(self.client)
        await self.db.dispose()


def build_services(settings: Settings, *, clock: Clock | None = None) -> Services:
    """Wire pmbot's services; nothing starts until `start()`."""
    clock = clock or SystemClock()
    db = Database(settings.DATABASE_URL)
    writer = Writer(db)
    inbox_writer = writer if db.is_sqlite else Writer(db)
    client = build_client(settings, clock)
    directory = SlackDirectory(client)
    permissions = Permissions(db, directory)
    requests = RequestService(db, writer, permissions, clock)
    vectors = SentenceVectors(db, writer) if settings.SIMILAR_VECTORS and extra_installed() else None
    similar = SimilarRequests(db, writer, clock, vectors=vectors)
    roadmap = RoadmapService(db, writer, permissions, clock)
    workspace = SettingsService(db, writer, permissions, clock)
    home = HomeService(db, permissions, clock, directory)
    launch_templates = LaunchTemplates(db, writer, permissions, clock)
    launches = LaunchService(db, writer, permissions, clock, directory, launch_templates)
    workspace_urls = WorkspaceUrls(client)
    digest_content = DigestContentService(db, clock, workspace_urls=workspace_urls)
    grace = timedelta(hours=settings.SCHEDULE_GRACE_HOURS)
    retention = build_retention(settings, writer, clock)
    scheduler = Scheduler(
        db, writer, clock, roadmap, [DigestSource(db, writer, clock)], grace=grace, retention=retention
    )
    scheduler.add_source(LaunchReminderSource(db, writer, clock, directory))
    # A saved subscription re-syncs only the digest jobs: the save is answered before Slack's 3 s.
    sync_digests = partial(scheduler.sync_schedules, [DigestSource.name])
    digests = DigestService(db, writer, permissions, clock, digest_content, on_change=sync_digests)
    deliveries = {
        **RequestDeliveries(
            client, requests, workspace, similar, ProblemReports(db, writer, clock, permissions)
        ).table(),
        **NoticeDeliveries(client, clock, gather_seconds=settings.NOTICE_GATHER_SECONDS).table(),
        **RoadmapDeliveries(client, roadmap, db, writer, workspace_urls).table(),
        **HomeDeliveries(client, home, permissions, clock).table(),
        **LaunchDeliveries(client, launches, writer, clock, directory, workspace_urls).table(),
        **LaunchReminderDeliveries(client, db, clock, launches, workspace_urls).table(),
        **DigestDeliveries(client, digest_content, db, clock).table(),
    }
    outbox = OutboxWorker(db, writer, clock, deliveries, client=client)
    writer.on_commit(outbox.wake)
    if vectors is not None:
        writer.on_commit(vectors.wake)
    return Services(
        settings=settings,
        db=db,
        writer=writer,
        inbox_writer=inbox_writer,
        client=client,
        clock=clock,
        directory=directory,
        permissions=permissions,
        requests=requests,
        similar=similar,
        roadmap=roadmap,
        workspace=workspace,
        home=home,
        home_viewers=HomeViewers(db, writer, clock),
        launches=launches,
        launch_templates=launch_templates,
        digest_content=digest_content,
        digests=digests,
        outbox=outbox,
        scheduler=scheduler,
        retention=retention,
    )


def build_retention(settings: Settings, writer: Writer, clock: Clock) -> RetentionService:
    """The pruning of old outbox jobs and scheduled runs, with the settings' keep days."""
    return RetentionService(
        writer,
        clock,
        outbox_keep_days=settings.OUTBOX_KEEP_DAYS,
        runs_keep_days=settings.SCHEDULED_RUNS_KEEP_DAYS,
    )
