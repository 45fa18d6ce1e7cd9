"""`/request settings`: the intake channel and the triagers, for admins."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot import text
from bot.errors import NotAllowed, PmbotError
from bot.runtime import Services
from bot.views import ids
from bot.views.settings_modal import settings_modal
from bot.views.simple_modals import loading_modal, refusal_modal
from handlers import forms
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
    opened = await client.views_open(trigger_id=trigger_id, view=loading_modal("pmbot settings"))
    view_id, view_hash = opened["view"]["id"], opened["view"]["hash"]
    team_id, user_id = context.team_id or "", context.user_id or ""
    try:
        await services.permissions.require_admin(team_id, user_id, "change pmbot's settings")
    except NotAllowed as refused:
        await client.views_update(view_id=view_id, hash=view_hash, view=refusal_modal(refused.message))
        if respond is not None:  # a Home tab button has no response_url: the modal says it
            await respond(text=refused.message, response_type="ephemeral")
        return
    current = await services.workspace.get(team_id)
    modal = settings_modal(current.intake_channel_id, current.triager_ids)
    await client.views_update(view_id=view_id, hash=view_hash, view=modal)


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
