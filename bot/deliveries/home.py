"""What the Home tab's outbox jobs do in Slack: publish one person's home, find the approvers to refresh."""

from __future__ import annotations

from functools import partial

from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.deliveries.worker import Delivery
from bot.services import outbox_kinds
from bot.services.home.refresh import refresh_homes
from bot.services.home.service import HomeService
from bot.services.settings.permissions import Permissions
from bot.views.home.tab import home_view
from storage.outbox import ClaimedJob
from storage.writer import UnitOfWork


class HomeDeliveries:
    """Home tabs are rendered from the database when the job runs, so a re-armed job is never stale."""

    def __init__(
        self, client: AsyncWebClient, home: HomeService, permissions: Permissions, clock: Clock
    ) -> None:
        self._client = client
        self._home = home
        self._permissions = permissions
        self._clock = clock

    def table(self) -> dict[str, Delivery]:
        """The deliveries by job kind, for the outbox worker."""
        return {
            outbox_kinds.PUBLISH_HOME: Delivery(self.publish),
            outbox_kinds.REFRESH_APPROVER_HOMES: Delivery(self.refresh_approvers),
        }

    async def publish(self, job: ClaimedJob) -> None:
        """Render the person's queue as it is now and publish it as their Home tab."""
        user_id = job.payload["user_id"]
        queue = await self._home.queue(job.team_id, user_id)
        await self._client.views_publish(user_id=user_id, view=home_view(queue))

    async def refresh_approvers(self, job: ClaimedJob) -> UnitOfWork[None]:
        """Queue a publish for each approver, stored with this job's completion. While nobody is
        named, admins approve: the pmbot admins are refreshed (Slack's admins cannot be listed)."""
        approvers = await self._permissions.approver_ids(job.team_id)
        return partial(refresh_homes, team_id=job.team_id, user_ids=approvers, now=self._clock.now())
