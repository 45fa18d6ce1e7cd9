"""`/request settings`: the intake channel and the triagers, for admins."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot import text
from bot.errors import PmbotError
from bot.runtime import Services
from bot.views import ids
from bot.views.settings_modal import settings_modal
from handlers import forms
from handlers.modals import open_then_fill
from handlers.replies import modal_errors


def register(app: AsyncApp) -> None:
    """Attach the settings modal's submission."""
    app.view(ids.SETTINGS_MODAL)(save_settings)


async def open_settings(
    ack: AsyncAck,
    trigger_id: str,
    client: AsyncWebClient,
    respond: AsyncRespond | None,
    context: AsyncBoltContext,
    services: Services,
) -> None:
    """Open the modal at once, then fill it in (or refuse) once roles and settings are read."""
    await ack()
    team_id, user_id = context.team_id or "", context.user_id or ""

    async def build() -> View:
        await services.permissions.require_admin(team_id, user_id, "change pmbot's settings")
        current = await services.workspace.get(team_id)
        return settings_modal(current.intake_channel_id, current.triager_ids)

    await open_then_fill(client, trigger_id, "pmbot settings", build, respond)


async def save_settings(
    ack: AsyncAck,
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
    services: Services,
) -> None:
    """Save; the server checks the person is an admin whatever the modal showed."""
    try:
        new = forms.workspace_settings(view["state"]["values"])
        await services.workspace.update(context.team_id or "", context.user_id or "", new)
    except PmbotError as error:
        await ack(response_action="errors", errors=modal_errors(error, ids.INTAKE_CHANNEL))
        return
    await ack()
    triagers = ", ".join(text.user(user) for user in new.triager_ids) or "workspace admins and owners"
    await client.chat_postMessage(
        channel=context.user_id or "",
        text=(
            f"Saved. New request cards go to {text.channel(new.intake_channel_id or '')}; "
            f"triagers: {triagers}. Make sure @pmbot is in that channel (`/invite @pmbot`)."
        ),
    )
