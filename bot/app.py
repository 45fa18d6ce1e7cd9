"""App assembly: the Bolt app with pmbot's services and every listener attached."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from slack_bolt.async_app import AsyncApp, AsyncBoltContext

from bot.runtime import Services
from handlers import register_all


def create_app(services: Services) -> AsyncApp:
    """Build the Bolt app; HTTP signatures are checked in bot.web before Bolt sees a request."""
    app = AsyncApp(
        client=services.client,
        signing_secret=services.settings.SLACK_SIGNING_SECRET,
        request_verification_enabled=False,
        logger=logging.getLogger("slack_bolt"),
    )

    async def provide_services(context: AsyncBoltContext, next: Callable[[], Awaitable[None]]) -> None:
        context["services"] = services
        await next()

    app.middleware(provide_services)
    register_all(app)
    return app
