"""`/request list …`, `/request REQ-n`, `/request help` and the list's paging buttons."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond

from bot.errors import NotFound
from bot.runtime import Services
from bot.services.requests.service import OPEN_STATUSES
from bot.services.requests.transitions import Actor, moves_for
from bot.views import ids
from bot.views.common import as_dicts, fallback_text
from bot.views.requests.card import viewer_actions
from bot.views.requests.replies import PER_PAGE, help_blocks, request_page, request_with_history
from handlers.payload import who
from storage.models import RequestStatus

__all__ = ["answer_list", "answer_one", "help_blocks", "register"]

SCOPES = ("open", "mine", "all", *(status.value for status in RequestStatus))


def register(app: AsyncApp) -> None:
    """Attach the paging buttons."""
    app.action(ids.LIST_PAGE)(turn_list_page)
    app.action(f"{ids.LIST_PAGE}_prev")(turn_list_page)


async def answer_list(ack: AsyncAck, context: AsyncBoltContext, services: Services, typed: str) -> None:
    """Answer `/request list [scope]` with the first page."""
    scope = typed.strip().lower().replace("-", "_").replace(" ", "_") or "open"
    if scope not in SCOPES:
        await ack(blocks=as_dicts(help_blocks(f"`list` takes one of: {', '.join(SCOPES)}.")))
        return
    await ack(blocks=as_dicts(await _page(services, context, scope, 0)))


async def answer_one(ack: AsyncAck, context: AsyncBoltContext, services: Services, number: int) -> None:
    """Answer `/request REQ-n` with the request, the buttons this person may use, and its history."""
    team_id, user_id = who(context)
    try:
        detail = await services.requests.get(team_id, number, with_history=True)
    except NotFound as missing:
        await ack(text=missing.message)
        return
    roles = {Actor.TRIAGER} if await services.permissions.is_triager(team_id, user_id) else set()
    request = detail.request
    actions = viewer_actions(
        request,
        moves_for(request.status, roles),
        following=user_id in detail.follower_ids,
        is_requester=user_id == request.requester_id,
    )
    await ack(blocks=as_dicts(request_with_history(detail, actions)))


async def turn_list_page(
    ack: AsyncAck,
    action: dict[str, Any],
    respond: AsyncRespond,
    context: AsyncBoltContext,
    services: Services,
) -> None:
    """Replace the ephemeral list with the page its button asks for."""
    await ack()
    wanted = json.loads(action["value"])
    scope = wanted["scope"] if wanted.get("scope") in SCOPES else "open"
    blocks = await _page(services, context, scope, max(int(wanted.get("page", 0)), 0))
    await respond(
        text=fallback_text(blocks), blocks=as_dicts(blocks), replace_original=True, response_type="ephemeral"
    )


async def _page(services: Services, context: AsyncBoltContext, scope: str, page: int) -> list[Any]:
    statuses: list[RequestStatus] | None
    if scope == "open":
        statuses = OPEN_STATUSES
    elif scope in ("mine", "all"):
        statuses = None
    else:
        statuses = [RequestStatus(scope)]
    result = await services.requests.list(
        context.team_id or "",
        statuses=statuses,
        involving=context.user_id if scope == "mine" else None,
        page=page,
        per_page=PER_PAGE,
    )
    return request_page(result.requests, scope=scope, page=page, has_more=result.has_more)
