"""What a launch's outbox jobs do in Slack: the parent message, the checklist thread, the go / no-go
poll and the notices, each rendered from the database when delivered.

A ts is stored the moment its post succeeds, so a job retried after a later failure never posts a
message twice. A sync that finds its message not posted yet re-arms the launch's post job instead.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncSession

from bot import text
from bot.clock import Clock
from bot.deliveries.attempt import post_part
from bot.deliveries.worker import Delivery, GiveUp
from bot.directory import SlackDirectory
from bot.errors import NotFound
from bot.local_time import local_date
from bot.services import outbox_kinds
from bot.services.digests.content import permalink
from bot.services.launches.outbox import post_key
from bot.services.launches.reads import LaunchView
from bot.services.launches.service import LaunchService
from bot.views.common import as_dicts, section
from bot.views.launches.checklist import checklist_message
from bot.views.launches.notices import assignment_message, no_go_told, notice_message, poll_message
from bot.views.launches.parent import parent_message
from bot.workspace_url import WorkspaceUrls
from storage import outbox
from storage.launches import queries
from storage.outbox import ClaimedJob
from storage.writer import UnitOfWork, Writer

WAIT_FOR_PARENT = timedelta(seconds=5)  # a thread post waits this long for its parent to be posted


class LaunchDeliveries:
    """Keeps a launch's messages in step with the database."""

    def __init__(
        self,
        client: AsyncWebClient,
        launches: LaunchService,
        writer: Writer,
        clock: Clock,
        directory: SlackDirectory,
        workspace_urls: WorkspaceUrls,
    ) -> None:
        self._client = client
        self._workspace_urls = workspace_urls
        self._directory = directory
        self._launches = launches
        self._writer = writer
        self._clock = clock

    def table(self) -> dict[str, Delivery]:
        """The deliveries by job kind, for the outbox worker."""
        return {
            outbox_kinds.POST_LAUNCH: Delivery(self.post_all, self.post_failed),
            outbox_kinds.SYNC_LAUNCH_PARENT: Delivery(self.sync_parent),
            outbox_kinds.SYNC_LAUNCH_CHUNK: Delivery(self.sync_chunk),
            outbox_kinds.SYNC_GONOGO: Delivery(self.sync_poll),
            outbox_kinds.LAUNCH_NOTICE: Delivery(self.post_notice),
            outbox_kinds.LAUNCH_ASSIGNMENT: Delivery(self.tell_assigned),
            outbox_kinds.LAUNCH_NO_GO: Delivery(self.tell_no_go),
        }

    async def post_all(self, job: ClaimedJob) -> None:
        """Post the parent, then each checklist message in its thread; update those already posted."""
        view = await self._view(job)
        launch = view.launch
        fallback, blocks = parent_message(view)
        parent_ts = launch.parent_ts
        if parent_ts:
            await self._client.chat_update(
                channel=launch.channel_id, ts=parent_ts, text=fallback, blocks=as_dicts(blocks)
            )
        else:
            posted = await self._client.chat_postMessage(
                channel=launch.channel_id, text=fallback, blocks=as_dicts(blocks), unfurl_links=False
            )
            parent_ts = posted["ts"]
            await self._writer.run(
                partial(queries.set_parent_ts, team_id=job.team_id, launch_id=launch.id or 0, ts=parent_ts)
            )
        for chunk in view.chunks:
            await self._put_chunk(view, chunk.index, parent_ts)

    async def post_failed(self, job: ClaimedJob, reason: str) -> None:
        """Tell the launch's creator where the checklist could not go, and what to do."""
        view = await self._view(job)
        launch = view.launch
        await self._client.chat_postMessage(
            channel=launch.created_by,
            text=(
                f"{launch.ref} is saved, but I could not post its checklist in "
                f"{text.channel(launch.channel_id)} ({reason}). Invite me there with `/invite @pmbot`; "
                "the checklist goes out at the launch's next change (its date, say)."
            ),
        )

    async def sync_parent(self, job: ClaimedJob) -> UnitOfWork[None] | None:
        """Re-render the parent message."""
        view = await self._view(job)
        launch = view.launch
        if not launch.parent_ts:
            return partial(_rearm_post, job, self._clock.now())
        fallback, blocks = parent_message(view)
        await self._client.chat_update(
            channel=launch.channel_id, ts=launch.parent_ts, text=fallback, blocks=as_dicts(blocks)
        )
        return None

    async def sync_chunk(self, job: ClaimedJob) -> UnitOfWork[None] | None:
        """Re-render one checklist message."""
        view = await self._view(job)
        index = int(job.payload["chunk"])
        if not view.launch.parent_ts or index not in view.messages:
            return partial(_rearm_post, job, self._clock.now())
        fallback, blocks = checklist_message(view, index, await self._owner_names(view))
        await self._client.chat_update(
            channel=view.launch.channel_id, ts=view.messages[index], text=fallback, blocks=as_dicts(blocks)
        )
        return None

    async def sync_poll(self, job: ClaimedJob) -> UnitOfWork[None] | None:
        """Post a round's go / no-go poll in the thread, or update it."""
        view = await self._view(job)
        launch, round_ = view.launch, int(job.payload["round"])
        if not launch.parent_ts:
            return partial(
                _again_later, job, self._clock.now() + WAIT_FOR_PARENT, f"launch:{launch.id}:gonogo:{round_}"
            )
        fallback, blocks = poll_message(view, round_)
        ts = view.messages.get(-round_)
        if ts:
            await self._client.chat_update(
                channel=launch.channel_id, ts=ts, text=fallback, blocks=as_dicts(blocks)
            )
            return None
        posted = await self._client.chat_postMessage(
            channel=launch.channel_id, thread_ts=launch.parent_ts, text=fallback, blocks=as_dicts(blocks)
        )
        return partial(
            queries.record_message,
            team_id=job.team_id,
            launch_id=launch.id or 0,
            chunk=-round_,
            ts=posted["ts"],
        )

    async def post_notice(self, job: ClaimedJob) -> UnitOfWork[None] | None:
        """Post a notice (a slip, launched, cancelled, a go / no-go result) in the thread."""
        view = await self._view(job)
        launch = view.launch
        if not launch.parent_ts:
            return partial(_again_later, job, self._clock.now() + WAIT_FOR_PARENT, None)
        fallback, blocks = notice_message(view, job.payload)
        await self._client.chat_postMessage(
            channel=launch.channel_id, thread_ts=launch.parent_ts, text=fallback, blocks=as_dicts(blocks)
        )
        return None

    async def _owner_names(self, view: LaunchView) -> dict[str, str]:
        owners = [item.owner_id for item in view.items if item.owner_id]
        return await self._directory.names(view.launch.team_id, owners)

    async def _put_chunk(self, view: LaunchView, index: int, parent_ts: str) -> None:
        launch = view.launch
        fallback, blocks = checklist_message(view, index, await self._owner_names(view))
        ts = view.messages.get(index)
        if ts:
            await self._client.chat_update(
                channel=launch.channel_id, ts=ts, text=fallback, blocks=as_dicts(blocks)
            )
            return
        with post_part(f"chunk:{index}"):  # one job posts every chunk into one thread
            posted = await self._client.chat_postMessage(
                channel=launch.channel_id, thread_ts=parent_ts, text=fallback, blocks=as_dicts(blocks)
            )
        # Stored at once: should a later post of this job fail, this one is not posted again.
        await self._writer.run(
            partial(
                queries.record_message,
                team_id=launch.team_id,
                launch_id=launch.id or 0,
                chunk=index,
                ts=posted["ts"],
            )
        )

    async def tell_assigned(self, job: ClaimedJob) -> None:
        """DM a new checklist-item owner or go / no-go decider what is now theirs to do."""
        view = await self._view(job)
        launch = view.launch
        today = local_date(self._clock.now(), launch.timezone)
        link = permalink(await self._workspace_urls.url(job.team_id), launch.channel_id, launch.parent_ts)
        said = assignment_message(view, job.payload["actor_id"], job.payload.get("item_id"), today, link)
        await self._client.chat_postMessage(
            channel=job.payload["user_id"], text=said, blocks=as_dicts([section(said)])
        )

    async def tell_no_go(self, job: ClaimedJob) -> None:
        """DM the launch owner a decider's no-go and its reason."""
        said = no_go_told(await self._view(job), job.payload)
        await self._client.chat_postMessage(
            channel=job.payload["user_id"], text=said, blocks=as_dicts([section(said)])
        )

    async def _view(self, job: ClaimedJob) -> LaunchView:
        try:
            return await self._launches.view(job.team_id, job.payload["launch_id"])
        except NotFound as missing:
            raise GiveUp(missing.message) from None


async def _rearm_post(job: ClaimedJob, now: datetime, session: AsyncSession) -> None:
    """The message is not posted yet: (re-)arm the launch's post job, which renders everything fresh."""
    launch_id = job.payload["launch_id"]
    await outbox.enqueue(
        session,
        team_id=job.team_id,
        kind=outbox_kinds.POST_LAUNCH,
        payload={"launch_id": launch_id},
        now=now,
        dedupe_key=post_key(launch_id),
    )


async def _again_later(job: ClaimedJob, due: datetime, dedupe_key: str | None, session: AsyncSession) -> None:
    """The thread has no parent yet: the same job again at `due`."""
    await outbox.enqueue(
        session, team_id=job.team_id, kind=job.kind, payload=job.payload, now=due, dedupe_key=dedupe_key
    )
