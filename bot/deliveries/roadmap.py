"""What the roadmap's outbox jobs do in Slack: approval cards, outcomes, reminders, announcements."""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncSession

from bot.deliveries.worker import Delivery, GiveUp
from bot.errors import NotFound
from bot.services import outbox_kinds
from bot.services.digests.content import permalink
from bot.services.notifications.policy import announcement_channel
from bot.services.roadmap.reads import ProposalView
from bot.services.roadmap.service import RoadmapService
from bot.services.roadmap.transitions import ProposalMove, moves_for, roles_of
from bot.views.common import as_dicts
from bot.views.roadmap.approval_card import approval_card, change_summary
from bot.views.roadmap.notices import (
    announcement_message,
    outcome_message,
    proposed_message,
    reminder_message,
    resubmitted_message,
)
from bot.workspace_url import WorkspaceUrls
from storage.db import Database
from storage.models import Proposal
from storage.outbox import ClaimedJob
from storage.roadmap import get_policy, list_messages, record_message
from storage.writer import UnitOfWork, Writer


class RoadmapDeliveries:
    """Keeps every copy of an approval card current and tells people about decisions."""

    def __init__(
        self,
        client: AsyncWebClient,
        roadmap: RoadmapService,
        db: Database,
        writer: Writer,
        workspace_urls: WorkspaceUrls,
    ) -> None:
        self._client = client
        self._roadmap = roadmap
        self._db = db
        self._writer = writer
        self._workspace_urls = workspace_urls

    def table(self) -> dict[str, Delivery]:
        """The deliveries by job kind, for the outbox worker."""
        return {
            outbox_kinds.SYNC_PROPOSAL: Delivery(self.sync_cards),
            outbox_kinds.PROPOSAL_OUTCOME: Delivery(self.tell_outcome),
            outbox_kinds.APPROVAL_REMINDER: Delivery(self.remind),
            outbox_kinds.PROPOSAL_RESUBMITTED: Delivery(self.tell_resubmitted),
            outbox_kinds.ROADMAP_ANNOUNCEMENT: Delivery(self.announce),
        }

    async def sync_cards(self, job: ClaimedJob) -> UnitOfWork[None] | None:
        """Post the card where it is missing (channel, each approver, the proposer's confirmation)
        and update it where it is; each person's copy carries only their moves. With the card in a
        channel, the proposer's confirmation is a short DM linking to it, posted once."""
        view = await self._view(job)
        fallback = f"{view.proposal.ref}: {change_summary(view)}"
        async with self._db.read() as session:
            posted = {m.target: (m.channel_id, m.ts) for m in await list_messages(session, view.proposal)}
            policy = await get_policy(session, job.team_id)
        channel = policy.approvals_channel_id
        proposer = view.proposal.proposer_id
        targets = [channel] if channel else []
        targets += [user for user in view.approver_ids if user != proposer]
        if not channel:
            targets.append(proposer)
        for target in dict.fromkeys([*targets, *posted]):
            if channel and target == proposer:
                continue  # its short DM is not a copy: the card in the channel is kept current
            blocks = as_dicts(approval_card(view, None if target == channel else _moves_of(view, target)))
            if target in posted:
                channel_id, ts = posted[target]
                await self._client.chat_update(channel=channel_id, ts=ts, text=fallback, blocks=blocks)
                continue
            posted[target] = await self._post(view.proposal, target, fallback, blocks)
        if channel and proposer not in posted:
            link = permalink(await self._workspace_urls.url(job.team_id), *posted[channel])
            said, blocks = proposed_message(view, channel, link)
            await self._post(view.proposal, proposer, said, as_dicts(blocks))
        return None

    async def _post(
        self, proposal: Proposal, target: str, fallback: str, blocks: list[dict[str, Any]]
    ) -> tuple[str, str]:
        answer = await self._client.chat_postMessage(channel=target, text=fallback, blocks=blocks)
        # Stored at once: should a later post of this job fail, this one is not posted again.
        await self._writer.run(partial(_remember, proposal, target, answer["channel"], answer["ts"]))
        return answer["channel"], answer["ts"]

    async def tell_outcome(self, job: ClaimedJob) -> None:
        """DM the proposer what became of the proposal, linking to the card that keeps its moves."""
        view = await self._view(job)
        link = await self._card_link(job.team_id, view.proposal, for_user=None)
        fallback, blocks = outcome_message(view, job.payload["status"], link)
        await self._client.chat_postMessage(
            channel=job.payload["user_id"], text=fallback, blocks=as_dicts(blocks)
        )

    async def remind(self, job: ClaimedJob) -> None:
        """DM an approver who has not voted, linking to their copy of the card."""
        view = await self._view(job)
        link = await self._card_link(job.team_id, view.proposal, for_user=job.payload["user_id"])
        fallback, blocks = reminder_message(view, link)
        await self._client.chat_postMessage(
            channel=job.payload["user_id"], text=fallback, blocks=as_dicts(blocks)
        )

    async def tell_resubmitted(self, job: ClaimedJob) -> None:
        """DM an approver that a proposal is back as a new revision, linking to their copy of the card."""
        view = await self._view(job)
        link = await self._card_link(job.team_id, view.proposal, for_user=job.payload["user_id"])
        fallback, blocks = resubmitted_message(
            view, job.payload.get("asked_by_id"), job.payload.get("comment"), link
        )
        await self._client.chat_postMessage(
            channel=job.payload["user_id"], text=fallback, blocks=as_dicts(blocks)
        )

    async def announce(self, job: ClaimedJob) -> None:
        """Post the applied change to the announcements channel, unless the card is there already."""
        view = await self._view(job)
        async with self._db.read() as session:
            policy = await get_policy(session, job.team_id)
        channel = announcement_channel(policy.approvals_channel_id, policy.announcements_channel_id)
        if channel is None:
            return  # the updated card in the approvals channel is the announcement (or no channel)
        fallback, blocks = announcement_message(view)
        await self._client.chat_postMessage(channel=channel, text=fallback, blocks=as_dicts(blocks))

    async def _card_link(self, team_id: str, proposal: Proposal, *, for_user: str | None) -> str | None:
        """The permalink of `for_user`'s own copy of the card, else of the approvals channel's card;
        with no channel, of the proposer's copy. None while none is posted yet."""
        async with self._db.read() as session:
            posted = {m.target: (m.channel_id, m.ts) for m in await list_messages(session, proposal)}
            policy = await get_policy(session, team_id)
        channel = policy.approvals_channel_id
        # With a channel, the proposer's DM is a short link, not a copy: the channel's card is theirs.
        candidates = [for_user, channel] if for_user else [channel or proposal.proposer_id]
        spot = next((posted[target] for target in candidates if target and target in posted), None)
        return permalink(await self._workspace_urls.url(team_id), *spot) if spot else None

    async def _view(self, job: ClaimedJob) -> ProposalView:
        try:
            return await self._roadmap.proposal(job.team_id, job.payload["proposal_id"])
        except NotFound as missing:
            raise GiveUp(missing.message) from None


def _moves_of(view: ProposalView, user_id: str) -> list[ProposalMove]:
    voted = user_id in {vote.approver_id for vote in view.votes}  # on the current revision
    roles = roles_of(
        user_id, view.proposal.proposer_id, is_approver=user_id in view.approver_ids, voted=voted
    )
    return moves_for(view.proposal.status, roles)


async def _remember(proposal: Proposal, target: str, channel_id: str, ts: str, session: AsyncSession) -> None:
    await record_message(session, proposal, target, channel_id, ts)
