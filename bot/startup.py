"""Checks `pmbot serve` makes before it listens: the database folder, and Slack's word on the tokens.

A refused token or an unwritable folder stops start-up with one line (exit 2): nothing would
work, and the person starting pmbot is the one who can fix it. Slack not answering is only a
warning: pmbot starts, and the token is checked again in the background.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.engine import make_url

from bot.config import WHERE_TO_GET, ConfigError, Settings
from bot.slack_auth import TOKEN_REFUSED, AuthResult, TokenState, check_token, warn_missing_scopes

log = logging.getLogger(__name__)

PREFLIGHT_TIMEOUT_SECONDS = 10
IMAGE_UID = 10001  # the user the Docker image runs as


async def preflight(settings: Settings, *, socket_mode: bool) -> AuthResult:
    """Check the database folder and the tokens; raise ConfigError for what must be fixed first."""
    check_database_writable(settings.DATABASE_URL)
    client = AsyncWebClient(
        token=settings.SLACK_BOT_TOKEN,
        base_url=settings.SLACK_API_URL,
        timeout=PREFLIGHT_TIMEOUT_SECONDS,
        retry_handlers=[],
    )
    result = await check_token(client)
    if result.state == TokenState.INVALID:
        raise ConfigError(
            f"SLACK_BOT_TOKEN was refused by Slack ({result.detail}): copy it again from "
            f"{WHERE_TO_GET['SLACK_BOT_TOKEN']}"
        )
    if result.state == TokenState.UNKNOWN:
        log.warning(
            "Slack did not answer auth.test (%s): starting anyway; the token is checked again in the "
            "background and /readyz answers 503 until Slack accepts it",
            result.detail,
        )
    else:
        log.info("Slack accepts the bot token (workspace %s)", result.detail)
        warn_missing_scopes(result)
    if socket_mode and settings.SLACK_APP_TOKEN:
        await _check_app_token(client, settings.SLACK_APP_TOKEN)
    return result


async def _check_app_token(client: AsyncWebClient, app_token: str) -> None:
    # Opening a connection URL is the only call an app-level token can make; the URL is not used.
    try:
        await client.apps_connections_open(app_token=app_token)
    except SlackApiError as error:
        data = error.response.data
        code = str(data.get("error", "")) if isinstance(data, dict) else ""
        if code in TOKEN_REFUSED:
            raise ConfigError(
                f"SLACK_APP_TOKEN was refused by Slack ({code}): {WHERE_TO_GET['SLACK_APP_TOKEN']}"
            ) from None
        log.warning("Slack did not open a Socket Mode connection (%s); retrying in the background", code)
    except (TimeoutError, OSError) as error:
        log.warning("Slack did not answer apps.connections.open (%s); retrying in the background", error)


def sqlite_path(database_url: str) -> Path | None:
    """The file of a SQLite URL (absolute), or None for PostgreSQL and in-memory databases."""
    url = make_url(database_url)
    if not url.drivername.startswith("sqlite") or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database).absolute()


def check_database_writable(database_url: str) -> None:
    """Refuse, naming the user, a SQLite database whose folder (or file) this process cannot write."""
    path = sqlite_path(database_url)
    if path is None:
        return
    folder = path.parent
    if not folder.is_dir():
        raise ConfigError(f"DATABASE_URL names a folder that does not exist ({folder}): create it first")
    # SQLite writes its -wal and -shm files beside the database, so the folder must be writable too.
    for target in (folder, path):
        if target.exists() and not os.access(target, os.W_OK | (os.X_OK if target.is_dir() else 0)):
            raise ConfigError(
                f"DATABASE_URL: {target} is not writable by this process (uid {os.getuid()}): give that "
                f"user write access (in Docker, the image runs as uid {IMAGE_UID}: "
                f"`chown {IMAGE_UID} <folder>` on the host, or mount a named volume)"
            )
