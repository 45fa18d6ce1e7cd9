"""Opening a modal whose content needs slow work first."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from slack_bolt.async_app import AsyncRespond
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot.errors import PmbotError
from bot.views.simple_modals import loading_modal, refusal_modal


async def open_then_fill(
    client: AsyncWebClient,
    trigger_id: str,
    title: str,
    build: Callable[[], Awaitable[View]],
    respond: AsyncRespond | None = None,
) -> None:
    """Open a loading modal at once (a trigger id lasts 3 s), then replace it with what `build`
    makes; a refusal from `build` is shown in the modal, and ephemerally where there is a
    response_url (a Home tab button has none)."""
    opened = (await client.views_open(trigger_id=trigger_id, view=loading_modal(title)))["view"]
    try:
        view = await build()
    except PmbotError as refused:
        view = refusal_modal(refused.message)
        if respond is not None:
            await respond(text=refused.message, response_type="ephemeral")
    await client.views_update(view_id=opened["id"], hash=opened["hash"], view=view)
