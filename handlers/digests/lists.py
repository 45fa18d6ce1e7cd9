"""The "See all N" button under a digest list that did not fit, and the pager of its modal."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot.runtime import Services
from bot.services.digests.content import DigestContentService, DigestList, DigestWindow
from bot.views import ids
from bot.views.digests.lines import LIST_TITLES
from bot.views.digests.see_all import PER_PAGE, digest_list_modal
from handlers.modals import open_then_fill, replace_page


@dataclass(frozen=True)
class ListWanted:
    """What a "See all" or pager button asks for: a list of a digest's window, and a page."""

    which: DigestList
    since: datetime
    until: datetime
    timezone: str
    page: int


def register(app: AsyncApp) -> None:
    """Attach the digest list listeners."""
    app.action(ids.DIGEST_SEE_ALL)(open_digest_list)
    app.action(ids.DIGEST_LIST_PAGE)(turn_digest_list_page)
    app.action(f"{ids.DIGEST_LIST_PAGE}_prev")(turn_digest_list_page)


async def open_digest_list(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
    services: Services,
) -> None:
    """ "See all N": open a modal at once, then fill it with the list's first page."""
    await ack()
    wanted = parse_value(action.get("value"))
    service = services.digest_content
    await open_then_fill(
        client, body["trigger_id"], LIST_TITLES[wanted.which], lambda: _page(service, context, wanted)
    )


async def turn_digest_list_page(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
    services: Services,
) -> None:
    """Previous / Next in the modal: replace the page in place."""
    await ack()
    modal = await _page(services.digest_content, context, parse_value(action.get("value")))
    await replace_page(client, body, modal)


def parse_value(value: str | None) -> ListWanted:
    """A button's value as `bot.views.digests.lines.list_value` wrote it; nonsense reads as page 0 of
    the new requests of the past week, which shows what exists rather than failing."""
    try:
        raw = json.loads(value or "{}")
        since = datetime.fromtimestamp(int(raw["s"]), UTC)
        until = datetime.fromtimestamp(int(raw["u"]), UTC)
        zone, page = str(raw.get("z") or "UTC"), max(int(raw["p"]), 0)
        return ListWanted(DigestList(raw["l"]), since, until, zone, page)
    except (ValueError, KeyError, TypeError):
        now = datetime.now(UTC)
        return ListWanted(DigestList.NEW, now - timedelta(days=7), now, "UTC", 0)


async def _page(service: DigestContentService, context: AsyncBoltContext, wanted: ListWanted) -> View:
    window = DigestWindow(
        team_id=context.team_id or "", since=wanted.since, until=wanted.until, timezone=wanted.timezone
    )
    page = await service.page(window, wanted.which, page=wanted.page, per_page=PER_PAGE)
    return digest_list_modal(page, wanted.since, wanted.until, wanted.timezone)
