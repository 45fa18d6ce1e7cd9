"""The App Home tab: publish it when opened, and the buttons it (and its "See all" modal) carries.

"File a request" and "Propose a roadmap change" reuse the buttons handled in handlers/requests/filing.py
and handlers/roadmap/commands.py; "New launch" and "Launch templates" are answered by the launch feature.
The settings buttons open the same modals as `/request settings` and `/roadmap settings` (and the
pmbot admins and digest defaults modals of handlers/settings/modals.py); the server checks the person is
an admin when a modal opens and again when it is submitted.
"""

from __future__ import annotations

import json
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot.runtime import Services
from bot.services.home.service import HomeList
from bot.views import ids
from bot.views.home.lists import LIST_TITLES, PER_PAGE, full_list_modal
from bot.views.home.tab import home_view
from handlers.modals import open_then_fill, replace_page
from handlers.roadmap import commands as roadmap
from handlers.settings import modals as settings

HOME_TAB = "home"


def register(app: AsyncApp) -> None:
    """Attach the Home tab's listeners."""
    app.event("app_home_opened")(publish_home)
    app.action(ids.HOME_SEE_ALL)(open_full_list)
    app.action(ids.HOME_LIST_PAGE)(turn_full_list_page)
    app.action(f"{ids.HOME_LIST_PAGE}_prev")(turn_full_list_page)
    app.action(ids.HOME_OPEN_SETTINGS)(open_settings_from_home)
    app.action(ids.HOME_OPEN_POLICY)(open_policy_from_home)
    app.action(ids.HOME_OPEN_ADMINS)(settings.open_admins)
    app.action(ids.HOME_DIGEST_DEFAULTS)(settings.open_digest_defaults)


async def publish_home(
    event: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext, services: Services
) -> None:
    """Publish the person's Home tab as the database has it now (the Messages tab needs nothing);
    remember they opened it, so later changes re-publish it."""
    if event.get("tab") != HOME_TAB:
        return
    user_id = event["user"]
    await services.home_viewers.opened(context.team_id or "", user_id)
    queue = await services.home.queue(context.team_id or "", user_id)
    await client.views_publish(user_id=user_id, view=home_view(queue))


async def open_full_list(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
    services: Services,
) -> None:
    """ "See all": open a modal at once, then fill it with the list's first page."""
    await ack()
    which = _list(action.get("value"))
    await open_then_fill(
        client, body["trigger_id"], LIST_TITLES[which], lambda: _page(services, context, which, 0)
    )


async def turn_full_list_page(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
    services: Services,
) -> None:
    """Previous / Next in the "See all" modal: replace the page in place."""
    await ack()
    wanted = json.loads(action.get("value") or "{}")
    page = max(int(wanted.get("page", 0)), 0)
    modal = await _page(services, context, _list(wanted.get("list")), page)
    await replace_page(client, body, modal)


async def open_settings_from_home(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext, services: Services
) -> None:
    """Intake channel and triagers, from the Home tab; a refusal is shown in the modal."""
    await settings.open_settings(ack, body["trigger_id"], client, None, context, services)


async def open_policy_from_home(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext, services: Services
) -> None:
    """Approvers and the approval policy, from the Home tab; a refusal is shown in the modal."""
    await roadmap.open_policy(ack, body["trigger_id"], client, None, context, services)


async def _page(services: Services, context: AsyncBoltContext, which: HomeList, page: int) -> View:
    team_id, user_id = context.team_id or "", context.user_id or ""
    listed = await services.home.full_list(team_id, user_id, which, page=page, per_page=PER_PAGE)
    return full_list_modal(which, listed, page, await services.home.today(team_id, user_id))


def _list(value: str | None) -> HomeList:
    try:
        return HomeList(value or "")
    except ValueError:
        return HomeList.MINE
