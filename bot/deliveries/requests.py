"""What each kind of outbox job does in Slack."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient
from sqlalchemy.ext.asyncio import AsyncSession

from bot.deliveries import advice
from bot.deliveries.problems import ProblemReports
from bot.deliveries.slack_errors import code_of
from bot.deliveries.worker import Delivery, GiveUp
from bot.errors import NotFound
from bot.services import outbox_kinds
from bot.services.requests.service import RequestDetail, RequestService
from bot.services.requests.similar import SimilarRequests
from bot.services.requests.transitions import Move, moves_in
from bot.services.requests.types import Suggestion
from bot.services.settings.service import SettingsService
from bot.views.common import as_dicts
from bot.views.requests.card import card_fallback_text, request_card
from bot.views.requests.notifications import filed_reply
from bot.views.requests.similar import possible_duplicates
from storage.outbox import ClaimedJob
from storage.requests import set_card
from storage.slack_state import set_delivery_problem
from storage.writer import UnitOfWork

log = logging.getLogger(__name__)

CARD_DELETED = "message_not_found"  # what chat.update answers for a message deleted in Slack


class RequestDeliveries:
    """Cards and thread replies of requests (their DMs are `notices.py`)."""

    def __init__(
        self,
        client: AsyncWebClient,
        requests: RequestService,
        settings: SettingsService,
        similar: SimilarRequests,
        problems: ProblemReports,
    ) -> None:
        self._client = client
        self._requests = requests
        self._settings = settings
        self._similar = similar
        self._problems = problems

    def table(self) -> dict[str, Delivery]:
        """The deliveries by job kind, for the outbox worker."""
        return {
            outbox_kinds.SYNC_CARD: Delivery(self.sync_card, self.card_failed),
            outbox_kinds.FILED_REPLY: Delivery(self.reply_filed, self.reply_filed_failed),
            outbox_kinds.TELL_PROBLEM: Delivery(self.tell_problem),
        }

    async def sync_card(self, job: ClaimedJob) -> UnitOfWork[None] | None:
        """Post the request's card to the intake channel, or update it where it already is."""
        try:
            detail, intake = await self._requests.card(job.team_id, job.payload["request_id"])
        except NotFound as missing:
            raise GiveUp(missing.message) from None
        request = detail.request
        searched = job.payload.get("similar")
        blocks, fallback = as_dicts(await self._card_blocks(detail, searched)), card_fallback_text(request)
        if request.card_channel_id and request.card_ts:
            try:
                await self._client.chat_update(
                    channel=request.card_channel_id, ts=request.card_ts, text=fallback, blocks=blocks
                )
                return None
            except SlackApiError as error:
                if code_of(error) != CARD_DELETED:
                    raise
                # Someone deleted the card in Slack: post a fresh one rather than lose it for good.
        if intake is None:
            return None  # nowhere to post yet; the filer was told how to set the channel
        posted = await self._client.chat_postMessage(
            channel=intake, text=fallback, blocks=blocks, unfurl_links=False, unfurl_media=False
        )
        return partial(_card_posted, job.team_id, request.id or 0, posted["channel"], posted["ts"])

    async def _card_blocks(self, detail: RequestDetail, searched: list[dict[str, Any]] | None) -> list[Block]:
        """The card; its possible duplicates as the filing found them, else searched now."""
        request = detail.request
        if Move.MARK_DUPLICATE not in moves_in(request.status):  # the transition table: planned or closed
            return request_card(detail)
        if searched is not None:
            earlier = [Suggestion.from_payload(item) for item in searched]
        else:
            # Only older ones: the first filed is the original, so two cards never point at each other.
            earlier = await self._similar.find(
                request.team_id, request.title, exclude_number=request.number, before_number=request.number
            )
        return [*request_card(detail), *possible_duplicates(request.number, earlier)]

    async def card_failed(self, job: ClaimedJob, reason: str) -> None:
        """Tell the filer (once) and the admins (once, and on their Home tab) what keeps the card out."""
        detail = await self._requests.get_by_id(job.team_id, job.payload["request_id"])
        request = detail.request
        intake = (await self._settings.get(job.team_id)).intake_channel_id
        await self._problems.report(
            job.team_id,
            problem=advice.intake_problem(reason, intake),
            key=f"{reason}:{intake}",
            actor=(request.filed_by_id, advice.filer_notice(request.ref, reason, intake)),
            to_admins=advice.admin_notice(reason, intake),
        )

    async def tell_problem(self, job: ClaimedJob) -> None:
        """DM one person what keeps pmbot from posting, and what to do."""
        await self._client.chat_postMessage(channel=job.payload["user_id"], text=job.payload["text"])

    async def reply_filed(self, job: ClaimedJob) -> None:
        """Reply "Filed as REQ-n" in the thread of the message the request came from."""
        payload = job.payload
        await self._client.chat_postMessage(
            channel=payload["channel_id"], thread_ts=payload["thread_ts"], text=filed_reply(payload["ref"])
        )

    async def reply_filed_failed(self, job: ClaimedJob, reason: str) -> None:
        """The thread was closed to pmbot: tell the filer privately instead."""
        payload = job.payload
        message = f"{filed_reply(payload['ref'])} (I can't post in that channel, so only you see this.)"
        if payload.get("response_url"):
            webhook = AsyncWebhookClient(payload["response_url"], timeout=10)
            await webhook.send(text=message, response_type="ephemeral", replace_original=False)
        else:
            await self._client.chat_postMessage(channel=payload["filer_id"], text=message)


async def _card_posted(
    team_id: str, request_id: int, channel_id: str, ts: str, session: AsyncSession
) -> None:
    """Remember the card; a card that reached the channel clears any problem the admins were shown."""
    await set_card(session, team_id=team_id, request_id=request_id, channel_id=channel_id, ts=ts)
    await set_delivery_problem(session, team_id, None)
