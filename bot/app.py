"""App assembly: the Bolt app with pmbot's services and every listener attached."""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_bolt.response import BoltResponse

from bot.runtime import Services
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

BOLT_ENVIRONMENT = ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_BOT_TOKEN", "SLACK_VERIFICATION_TOKEN")


@contextmanager
def _hidden_from_bolt(*names: str) -> Iterator[None]:
    saved = {name: os.environ.pop(name) for name in names if name in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)


def create_app(services: Services) -> AsyncApp:
    """Build the Bolt app; HTTP signatures are checked in bot.web before Bolt sees a request."""
    with _hidden_from_bolt(*BOLT_ENVIRONMENT):
        app = AsyncApp(
            client=services.client,
            signing_secret=services.settings.SLACK_SIGNING_SECRET,
            request_verification_enabled=False,
            logger=logging.getLogger("slack_bolt"),
        )

    async def provide_services(context: AsyncBoltContext, next: Callable[[], Awaitable[None]]) -> None:
        context["services"] = services
        context["ack"] = KeptAck()
        await next()

    app.middleware(provide_services)
    for listeners in LISTENERS:
        listeners.register(app)
    return app


class KeptAck(AsyncAck):
    """An ack whose answer, once given, stays given.

    Bolt 1.30 sets `ack.response` back to None when a listener raises after it acked. If that
    happens before Bolt looks (it polls every 10 ms), Bolt waits out its 3 seconds and answers
    404 "unhandled request" (over Socket Mode: no ack at all), although the listener acked in
    time and the error handler already told the person what went wrong.
    """

    @property  # type: ignore[override]
    def response(self) -> BoltResponse | None:
        """The answer given by `ack()`, if any."""
        return getattr(self, "_given", None)

    @response.setter
    def response(self, value: BoltResponse | None) -> None:
        if value is not None or self.response is None:
            self._given = value
