"""`/roadmap`: the roadmap view, sharing it, proposing changes, and the approval policy."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot.deliveries.slack_errors import code_of
from bot.errors import NotFound, PmbotError
from bot.runtime import Services
from bot.services.roadmap import proposals as form
from bot.views import ids
from bot.views.common import as_dicts, option
from bot.views.limits import SELECT_OPTIONS
from bot.views.roadmap.overview import item_blocks, pending_blocks, roadmap_blocks
from bot.views.roadmap.policy_modal import policy_modal, policy_saved
from bot.views.roadmap.proposal_modal import proposal_modal
from bot.views.roadmap.replies import help_blocks
from handlers.modals import open_then_fill
from handlers.replies import named_modal_errors
from handlers.roadmap import forms as roadmap_forms


def register(app: AsyncApp) -> None:
    """Attach the roadmap listeners."""
    app.command("/roadmap")(route_roadmap_command)
    app.action(ids.SHARE_ROADMAP)(share_roadmap)
    app.action(ids.OPEN_PROPOSE_MODAL)(open_propose_modal)
    app.view(ids.PROPOSE_MODAL)(submit_proposal)
    app.options(ids.ITEM_PICKER)(suggest_items)
    app.options(ids.REQUEST_PICKER)(suggest_requests)
    app.view(ids.POLICY_MODAL)(save_policy)
    app.options(ids.APPROVER_GROUP_PICKER)(suggest_user_groups)


async def route_roadmap_command(
    ack: AsyncAck,
    command: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: AsyncBoltContext,
    services: Services,
) -> None:
    """`/roadmap [RM-n | words | propose | pending | settings | help]`."""
    typed = (command.get("text") or "").strip()
    team_id = context.team_id or ""
    match typed.lower():
        case "":
            await ack(blocks=as_dicts(roadmap_blocks(await services.roadmap.roadmap(team_id))))
        case "help":
            await ack(blocks=as_dicts(help_blocks(admin=await _is_admin(context, services))))
        case "propose":
            await ack()
            await client.views_open(trigger_id=command["trigger_id"], view=proposal_modal())
        case "pending":
            proposals = await services.roadmap.open_proposals(team_id)
            await ack(blocks=as_dicts(pending_blocks(proposals, services.clock.now())))
        case "settings":
            await open_policy(ack, command["trigger_id"], client, respond, context, services)
        case _:
            await show_item(ack, context, typed, services)


async def _is_admin(context: AsyncBoltContext, services: Services) -> bool:
    return await services.permissions.is_admin(context.team_id or "", context.user_id or "")


async def show_item(ack: AsyncAck, context: AsyncBoltContext, typed: str, services: Services) -> None:
    """One item with its history, or what matched nothing."""
    try:
        view, history = await services.roadmap.item(context.team_id or "", typed)
    except NotFound as missing:
        await ack(blocks=as_dicts(help_blocks(missing.message, admin=await _is_admin(context, services))))
        return
    await ack(blocks=as_dicts(item_blocks(view, history)))


async def share_roadmap(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    services: Services,
    context: AsyncBoltContext,
) -> None:
    """Post a read-only snapshot where the roadmap was asked for."""
    await ack()
    items = await services.roadmap.roadmap(context.team_id or "")
    channel = (body.get("channel") or {}).get("id") or body.get("container", {}).get("channel_id")
    try:
        await client.chat_postMessage(
            channel=channel,
            text="Roadmap snapshot",
            blocks=as_dicts(roadmap_blocks(items, shared_by=context.user_id)),
        )
    except SlackApiError as error:
        reason = code_of(error) or "Slack did not answer"
        await respond(
            text=f":warning: I can't post here ({reason}). Invite me with `/invite @pmbot` and try again.",
            response_type="ephemeral",
            replace_original=False,
        )


async def open_propose_modal(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
    """The "Propose a change" button."""
    await ack()
    await client.views_open(trigger_id=body["trigger_id"], view=proposal_modal())


async def submit_proposal(
    ack: AsyncAck, view: dict[str, Any], context: AsyncBoltContext, services: Services
) -> None:
    """Propose, or resubmit after "request changes"; bad input is shown inline."""
    team_id, user_id = context.team_id or "", context.user_id or ""
    resubmit = json.loads(view.get("private_metadata") or "{}").get("number")
    try:
        draft = roadmap_forms.proposal_draft(view["state"]["values"])
        if resubmit:
            await services.roadmap.resubmit(team_id, user_id, resubmit, draft)
        else:
            await services.roadmap.propose(team_id, user_id, draft)
    except PmbotError as error:
        await ack(
            response_action="errors",
            errors=await named_modal_errors(services.directory, context.team_id or "", error, form.RATIONALE),
        )
        return
    await ack()


async def suggest_items(
    ack: AsyncAck, payload: dict[str, Any], context: AsyncBoltContext, services: Services
) -> None:
    """Type-ahead over roadmap items."""
    found = await services.roadmap.search_items(
        context.team_id or "", payload.get("value", ""), limit=SELECT_OPTIONS
    )
    await ack(options=[option(f"{item.ref} {item.title}", str(item.number)).to_dict() for item in found])


async def suggest_requests(
    ack: AsyncAck, payload: dict[str, Any], context: AsyncBoltContext, services: Services
) -> None:
    """Type-ahead over requests, to link them to a change."""
    found = await services.requests.search(
        context.team_id or "", payload.get("value", ""), limit=SELECT_OPTIONS
    )
    await ack(options=[option(f"{r.ref} {r.title}", str(r.number)).to_dict() for r in found])


async def open_policy(
    ack: AsyncAck,
    trigger_id: str,
    client: AsyncWebClient,
    respond: AsyncRespond | None,
    context: AsyncBoltContext,
    services: Services,
) -> None:
    """Open at once, then fill in the policy (or refuse a non-admin)."""
    await ack()
    team_id, user_id = context.team_id or "", context.user_id or ""

    async def build() -> View:
        await services.permissions.require_admin(team_id, user_id, "change the approval policy")
        current = await services.workspace.approval_settings(team_id)
        return policy_modal(current, await _group_name(services, team_id, current.approver_group_id))

    await open_then_fill(client, trigger_id, "Approval policy", build, respond)


async def suggest_user_groups(
    ack: AsyncAck, payload: dict[str, Any], context: AsyncBoltContext, services: Services
) -> None:
    """Type-ahead over the workspace's user groups, by name or @handle; saved by id."""
    typed = str(payload.get("value") or "").strip().lower().lstrip("@")
    try:
        groups = await services.directory.usergroups(context.team_id or "")
    except (SlackApiError, aiohttp.ClientError, TimeoutError):
        await ack(options=[])  # Slack shows "no results"; the modal's hint says what the field is
        return
    found = [g for g in groups if typed in g.name.lower() or typed in g.handle.lower()][:SELECT_OPTIONS]
    await ack(options=[option(_group_label(g.name, g.handle), g.id).to_dict() for g in found])


async def _group_name(services: Services, team_id: str, group_id: str | None) -> str | None:
    if not group_id:
        return None
    try:
        groups = await services.directory.usergroups(team_id)
    except (SlackApiError, aiohttp.ClientError, TimeoutError):
        return None
    return next((_group_label(g.name, g.handle) for g in groups if g.id == group_id), None)


def _group_label(name: str, handle: str) -> str:
    return f"{name} (@{handle})" if handle else name


async def save_policy(
    ack: AsyncAck,
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
    services: Services,
) -> None:
    """Save the policy; the server checks the person is an admin."""
    try:
        new = roadmap_forms.approval_settings(view["state"]["values"])
        await services.workspace.update_approval_settings(context.team_id or "", context.user_id or "", new)
    except PmbotError as error:
        await ack(
            response_action="errors",
            errors=await named_modal_errors(services.directory, context.team_id or "", error, ids.APPROVERS),
        )
        return
    await ack()
    await client.chat_postMessage(channel=context.user_id or "", text=policy_saved(new))
