"""App assembly: the Bolt app with pmbot's services and every listener attached."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot import text
from bot.interactions.answering import ANSWERING
from bot.interactions.sealing import ForgedMetadata, seal_view, unseal
from bot.runtime import Services
from bot.views.common import fallback_text
from bot.views.simple_modals import refusal_modal
from handlers import errors, events
from handlers.digests import commands as digest_commands
from handlers.digests import lists as digest_lists
from handlers.home import tab as home_tab
from handlers.launches import checklist as launch_checklist
from handlers.launches import forms as launch_forms
from handlers.requests import filing as request_filing
from handlers.requests import listing as request_listing
from handlers.requests import similar as request_similar
from handlers.requests import triage as request_triage
from handlers.roadmap import approvals as roadmap_approvals
from handlers.roadmap import commands as roadmap_commands
from handlers.settings import modals as settings_modals

# Bolt reads these from the environment on its own: with both client variables it switches itself
# to OAuth (multi-workspace) mode, and the bot token makes it warn. pmbot's settings were read
# already (bot.config), so Bolt is built without seeing them.
# Every listener module, each with register(app); events and the error handler come last.
LISTENERS = (
    request_filing,
    request_listing,
    request_triage,
    request_similar,
    settings_modals,
    roadmap_commands,
    roadmap_approvals,
    home_tab,
    digest_lists,
    digest_commands,
    launch_checklist,
    launch_forms,
    events,
    errors,
)

log = logging.getLogger(__name__)
BOLT_ENVIRONMENT = ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_BOT_TOKEN", "SLACK_VERIFICATION_TOKEN")


@contextmanager
def _hidden_from_bolt(*names: str) -> Iterator[None]:
    saved = {name: os.environ.pop(name) for name in names if name in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)


def create_app(services: Services) -> AsyncApp:
    """Build the Bolt app; HTTP signatures are checked in bot.web before Bolt sees a request.

    Listeners run to their end inside `async_dispatch` (process_before_response): bot.interactions
    holds that task, answers Slack as soon as the listener acks, and knows when its work is done
    (to record it, and to drain it on shutdown) — Bolt's own mode would leave it an orphan task.
    """
    with _hidden_from_bolt(*BOLT_ENVIRONMENT):
        app = AsyncApp(
            client=services.client,
            signing_secret=services.settings.SLACK_SIGNING_SECRET,
            request_verification_enabled=False,
            process_before_response=True,
            logger=logging.getLogger("slack_bolt"),
        )

    secret = services.settings.SLACK_SIGNING_SECRET
    services.writes_first = request_filing.files_at_once

    async def provide_services(
        body: dict[str, Any], context: AsyncBoltContext, next: Callable[[], Awaitable[None]]
    ) -> BoltResponse | None:
        bound = {"secret": secret, "team_id": context.team_id or "", "user_id": context.user_id or ""}
        context["services"] = services
        context["ack"] = KeptAck(bound)
        context["client"] = SealingClient(services.client, bound)
        _drop_nul_characters(body)
        _decode_command_text(body)
        if not _opened_seal(body, bound):
            log.info(
                "refused a %s whose modal metadata was not sealed by pmbot for its sender", body.get("type")
            )
            return _refused(body)
        await next()
        return None

    app.middleware(provide_services)
    for listeners in LISTENERS:
        listeners.register(app)
    events.register_last(app)
    return app


def _drop_nul_characters(value: Any) -> Any:
    """NUL (U+0000) removed from every string of the payload, in place: Slack's clients cannot type
    it, a hand-made payload can, and PostgreSQL refuses it in text (the whole write would fail)."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        for key, item in value.items():
            value[key] = _drop_nul_characters(item)
    elif isinstance(value, list):
        value[:] = [_drop_nul_characters(item) for item in value]
    return value


def _decode_command_text(body: dict[str, Any]) -> None:
    """A slash command's text arrives HTML-encoded (`&amp;`, `&lt;`, `&gt;`): decode it once, here,
    so it is stored as the person typed it and escaped once when shown."""
    if isinstance(body.get("command"), str) and isinstance(body.get("text"), str):
        body["text"] = text.unescape(body["text"])


def _opened_seal(body: dict[str, Any], bound: dict[str, str]) -> bool:
    """Replace the view's sealed metadata with what is inside; False if the seal is not ours."""
    view = body.get("view")
    if not isinstance(view, dict) or not view.get("private_metadata"):
        return True
    try:
        view["private_metadata"] = unseal(str(view["private_metadata"]), **bound)
    except ForgedMetadata:
        return False
    return True


def _refused(body: dict[str, Any]) -> BoltResponse:
    if body.get("type") != "view_submission":
        return BoltResponse(status=200, body="")
    modal = refusal_modal("This form could not be checked, so nothing was saved. Close it and open it again.")
    return BoltResponse(
        status=200,
        body=json.dumps({"response_action": "update", "view": modal.to_dict()}),
        headers={"content-type": "application/json;charset=utf-8"},
    )


class SealingClient(AsyncWebClient):
    """The Web API client listeners get: every view it opens, pushes or updates has its
    private_metadata sealed for the person who acted (bot.interactions.sealing)."""

    def __init__(self, client: AsyncWebClient, bound: dict[str, str]) -> None:
        super().__init__(
            token=client.token,
            base_url=client.base_url,
            timeout=client.timeout,
            session=client.session,
            retry_handlers=client.retry_handlers,
            logger=client.logger,
        )
        self._bound = bound

    async def views_open(self, *, view: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        return await super().views_open(view=seal_view(view, **self._bound), **kwargs)

    async def views_push(self, *, view: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        return await super().views_push(view=seal_view(view, **self._bound), **kwargs)

    async def views_update(self, *, view: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        return await super().views_update(view=seal_view(view, **self._bound), **kwargs)


class KeptAck(AsyncAck):
    """An ack whose answer, once given, stays given.

    Bolt 1.30 sets `ack.response` back to None when a listener raises after it acked. If that
    happens before Bolt looks (it polls every 10 ms), Bolt waits out its 3 seconds and answers
    404 "unhandled request" (over Socket Mode: no ack at all), although the listener acked in
    time and the error handler already told the person what went wrong.
    It also seals the metadata of a view it answers with (`response_action` update or push).
    """

    def __init__(self, bound: dict[str, str] | None = None) -> None:
        super().__init__()
        self._bound = bound

    async def __call__(self, *args: Any, view: Any = None, **kwargs: Any) -> BoltResponse:  # type: ignore[override]
        if view is not None and self._bound is not None:
            view = seal_view(view, **self._bound)
        if kwargs.get("blocks") and not kwargs.get("text") and not args:
            kwargs["text"] = fallback_text(kwargs["blocks"])
        return await super().__call__(*args, view=view, **kwargs)

    @property  # type: ignore[override]
    def response(self) -> BoltResponse | None:
        """The answer given by `ack()`, if any."""
        return getattr(self, "_given", None)

    @response.setter
    def response(self, value: BoltResponse | None) -> None:
        if value is not None or self.response is None:
            self._given = value
        interaction = ANSWERING.get()
        if value is not None and interaction is not None:
            interaction.answered(value)  # Slack's HTTP answer goes now; the listener runs on
