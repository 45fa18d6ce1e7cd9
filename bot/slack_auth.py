"""Is the bot token good? One `auth.test` at start-up, then again in the background.

Slack answers `auth.test` with the scopes the token was granted in its `x-oauth-scopes` header;
pmbot compares them with the manifest's, so a scope added to the manifest but not re-installed is
named at start rather than discovered when a person acts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.manifest import BOT_SCOPES
from bot.text import plural

log = logging.getLogger(__name__)

# Errors that say the token itself is refused: retrying changes nothing.
TOKEN_REFUSED = frozenset(
    {
        "invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive",
        "not_allowed_token_type", "team_access_not_granted", "invalid_token",
    }
)  # fmt: skip
FIRST_RETRY_SECONDS = 2.0
MAX_RETRY_SECONDS = 300.0
RECHECK_SECONDS = 15 * 60.0
SCOPES_HEADER = "x-oauth-scopes"


class TokenState(StrEnum):
    VALID = "valid"
    INVALID = "invalid"
    UNKNOWN = "unknown"  # Slack did not answer (yet)


@dataclass(frozen=True)
class AuthResult:
    """What the last `auth.test` said."""

    state: TokenState
    detail: str = ""
    scopes: frozenset[str] | None = None

    def missing_scopes(self, wanted: Iterable[str] = BOT_SCOPES) -> list[str]:
        """The manifest's scopes the token was not granted (none known: none missing)."""
        return [scope for scope in wanted if self.scopes is not None and scope not in self.scopes]


async def check_token(client: AsyncWebClient, token: str | None = None) -> AuthResult:
    """Ask Slack once whether the token (the client's own unless given) is valid, and its scopes."""
    try:
        response = await client.auth_test(token=token) if token else await client.auth_test()
    except SlackApiError as error:
        data = error.response.data
        code = str(data.get("error", "")) if isinstance(data, dict) else ""
        if code in TOKEN_REFUSED:
            return AuthResult(TokenState.INVALID, code)
        return AuthResult(TokenState.UNKNOWN, code or f"HTTP {error.response.status_code}")
    except (TimeoutError, aiohttp.ClientError, OSError) as error:
        return AuthResult(TokenState.UNKNOWN, f"{type(error).__name__}: {error}".rstrip(": "))
    return AuthResult(TokenState.VALID, str(response.get("team", "")), _granted_scopes(response.headers))


def _granted_scopes(headers: Mapping[str, object]) -> frozenset[str] | None:
    raw = next((value for name, value in headers.items() if name.lower() == SCOPES_HEADER), None)
    if isinstance(raw, list):
        raw = ",".join(str(part) for part in raw)
    if raw is None:
        return None
    return frozenset(scope.strip() for scope in str(raw).split(",") if scope.strip())


def warn_missing_scopes(result: AuthResult) -> None:
    """Log, as a warning, the manifest's scopes the token lacks."""
    missing = result.missing_scopes()
    if missing:
        log.warning(
            "the bot token lacks %s that pmbot's manifest asks for (%s): add them under OAuth & "
            "Permissions (or re-create the app from `pmbot manifest --link`) and reinstall the app",
            plural(len(missing), "scope"),
            ", ".join(missing),
        )


class TokenWatch:
    """Holds the last `auth.test` result; retries while unknown, re-checks now and then once known."""

    def __init__(self, client: AsyncWebClient, first: AuthResult | None = None) -> None:
        self._client = client
        self.last = first or AuthResult(TokenState.UNKNOWN, "not checked yet")
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start checking in the background."""
        self._task = asyncio.create_task(self._watch(), name="pmbot-token-watch")

    async def stop(self) -> None:
        """Stop checking."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _watch(self) -> None:
        retry = FIRST_RETRY_SECONDS
        while True:
            if self.last.state == TokenState.UNKNOWN:
                await asyncio.sleep(retry)
                retry = min(retry * 2, MAX_RETRY_SECONDS)
            else:
                await asyncio.sleep(RECHECK_SECONDS)
                retry = FIRST_RETRY_SECONDS
            self._record(await check_token(self._client))

    def _record(self, result: AuthResult) -> None:
        before, self.last = self.last, result
        if result.state == before.state:
            return
        if result.state == TokenState.INVALID:
            log.error("Slack refuses the bot token (%s): SLACK_BOT_TOKEN must be replaced", result.detail)
        elif result.state == TokenState.VALID:
            log.info("Slack accepts the bot token (auth.test answered)")
            warn_missing_scopes(result)
        else:
            log.warning("Slack did not answer auth.test (%s); trying again", result.detail)
