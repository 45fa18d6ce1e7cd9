"""Admin settings modals: `/request settings` (intake channel, triagers), pmbot admins, digest
defaults. Opening refuses a non-admin in the modal; every submission is checked again by the service."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot import text
from bot.errors import PmbotError
from bot.runtime import Services
from bot.views import ids
from bot.views.settings.modals import admins_modal, digest_defaults_modal, settings_modal
from handlers import forms
from handlers.modals import open_then_fill
from handlers.replies import named_modal_errors
from handlers.settings import forms as settings_forms


def register(app: AsyncApp) -> None:
    """Attach the settings modals' submissions (the Home tab's buttons open them)."""
    app.view(ids.SETTINGS_MODAL)(save_settings)
    app.view(ids.ADMINS_MODAL)(save_admins)
    app.view(ids.DIGEST_DEFAULTS_MODAL)(save_digest_defaults)


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
        new = settings_forms.workspace_settings(view["state"]["values"])
        await services.workspace.update(context.team_id or "", context.user_id or "", new)
    except PmbotError as error:
        await ack(
            response_action="errors",
            errors=await named_modal_errors(
                services.directory, context.team_id or "", error, ids.INTAKE_CHANNEL
            ),
        )
        return
    await ack()
    triagers = ", ".join(text.user(user) for user in new.triager_ids) or "admins (nobody named)"
    await client.chat_postMessage(
        channel=context.user_id or "",
        text=(
            f"Saved. New request cards go to {text.channel(new.intake_channel_id or '')}; "
            f"triagers: {triagers}. Make sure @pmbot is in that channel (`/invite @pmbot`)."
        ),
    )


async def open_admins(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext, services: Services
) -> None:
    """The pmbot admins modal, from the Home tab; a non-admin is refused in the modal."""
    await ack()
    team_id, user_id = context.team_id or "", context.user_id or ""

    async def build() -> View:
        await services.permissions.require_admin(team_id, user_id, "name pmbot admins")
        return admins_modal(await services.workspace.admin_ids(team_id))

    await open_then_fill(client, body["trigger_id"], "pmbot admins", build)


async def save_admins(
    ack: AsyncAck, view: dict[str, Any], context: AsyncBoltContext, services: Services
) -> None:
    """Name the pmbot admins; the service checks the person is an admin whatever the modal showed."""
    try:
        admins = forms.user_ids(view["state"]["values"], ids.PMBOT_ADMINS)
        await services.workspace.update_admins(context.team_id or "", context.user_id or "", admins)
    except PmbotError as error:
        await ack(
            response_action="errors",
            errors=await named_modal_errors(
                services.directory, context.team_id or "", error, ids.PMBOT_ADMINS
            ),
        )
        return
    await ack()


async def open_digest_defaults(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext, services: Services
) -> None:
    """The digest defaults modal, from the Home tab; a non-admin is refused in the modal."""
    await ack()
    team_id, user_id = context.team_id or "", context.user_id or ""

    async def build() -> View:
        await services.permissions.require_admin(team_id, user_id, "change the digest defaults")
        return digest_defaults_modal(await services.workspace.digest_defaults(team_id))

    await open_then_fill(client, body["trigger_id"], "Digest defaults", build)


async def save_digest_defaults(
    ack: AsyncAck, view: dict[str, Any], context: AsyncBoltContext, services: Services
) -> None:
    """Save the digest defaults; the service checks the person is an admin."""
    try:
        defaults = settings_forms.digest_defaults(view["state"]["values"])
        await services.workspace.update_digest_defaults(
            context.team_id or "", context.user_id or "", defaults
        )
    except PmbotError as error:
        await ack(
            response_action="errors",
            errors=await named_modal_errors(
                services.directory, context.team_id or "", error, ids.DEFAULT_DIGEST_TIME
            ),
        )
        return
    await ack()
