"""Opening a modal whose content needs slow work first."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot.deliveries.slack_errors import code_of
from bot.errors import PmbotError
from bot.views.simple_modals import loading_modal, refusal_modal

log = logging.getLogger(__name__)


async def open_then_fill(
    client: AsyncWebClient,
    trigger_id: str,
    title: str,
    build: Callable[[], Awaitable[View]],
    respond: AsyncRespond | None = None,
) -> None:
    """Open a loading modal at once (a trigger id lasts 3 s), then replace it with what `build`
    makes. A refusal from `build` is said once: in the modal already on screen, or ephemerally
    (where there is a response_url) only if that modal could not be updated."""
    opened = (await client.views_open(trigger_id=trigger_id, view=loading_modal(title)))["view"]
    try:
        view = await build()
    except PmbotError as refused:
        await _refuse(client, opened, refused.message, respond)
        return
    await client.views_update(view_id=opened["id"], hash=opened["hash"], view=view)


async def _refuse(
    client: AsyncWebClient, opened: dict[str, Any], message: str, respond: AsyncRespond | None
) -> None:
    try:
        await client.views_update(view_id=opened["id"], hash=opened["hash"], view=refusal_modal(message))
    except SlackApiError:
        if respond is None:
            raise
        await respond(text=message, response_type="ephemeral")


# The newest click seen on each open view (view id → action_ts), so a slower, older click never
# overwrites the page a newer one asked for. Bounded: old views drop out first.
_NEWEST_CLICK: OrderedDict[str, float] = OrderedDict()
NEWEST_CLICKS_KEPT = 1000
HASH_CONFLICT = "hash_conflict"


async def replace_page(client: AsyncWebClient, body: dict[str, Any], view: View) -> None:
    """Show `view` in place of the clicked modal; of two quick clicks, the newer one wins.

    The update carries the hash of the view the click came from. A `hash_conflict` means another
    click changed the view meanwhile: if this click is the newer one, its page (built from the
    database just now) replaces that one; if not, the newer click's page stays.
    """
    shown = body["view"]
    view_id = shown["id"]
    clicked = _click_time(body)
    if clicked < _NEWEST_CLICK.get(view_id, 0.0):
        return
    _remember_click(view_id, clicked)
    try:
        await client.views_update(view_id=view_id, hash=shown["hash"], view=view)
    except SlackApiError as error:
        if code_of(error) != HASH_CONFLICT:
            raise
        if _NEWEST_CLICK.get(view_id) != clicked:
            return
        log.info("view %s changed under a click; showing the newest click's page", view_id)
        await client.views_update(view_id=view_id, view=view)


def _click_time(body: dict[str, Any]) -> float:
    actions = body.get("actions") or [{}]
    try:
        return float(actions[0].get("action_ts") or 0.0)
    except ValueError:
        return 0.0


def _remember_click(view_id: str, clicked: float) -> None:
    _NEWEST_CLICK[view_id] = clicked
    _NEWEST_CLICK.move_to_end(view_id)
    while len(_NEWEST_CLICK) > NEWEST_CLICKS_KEPT:
        _NEWEST_CLICK.popitem(last=False)
