"""What an operator asks a running pmbot: is it ready (/readyz), and its metrics (/metrics).

/healthz (in bot.web) only says the process answers. /readyz says whether it can do its work:
the database reads and writes within READY_TIMEOUT_SECONDS, the last `auth.test` accepted the bot
token, and — over Socket Mode — the WebSocket to Slack is open.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from bot import metrics
from bot.runtime import Services
from bot.slack_auth import TokenState, TokenWatch

log = logging.getLogger(__name__)

READY_TIMEOUT_SECONDS = 2.0


class SocketLink(Protocol):
    """The Socket Mode connection, as far as readiness cares."""

    async def connected(self) -> bool: ...


@dataclass(frozen=True)
class Answer:
    """An HTTP answer: status, body, content type."""

    status: int
    body: bytes
    content_type: str = "application/json"


class Probes:
    """Readiness and metrics for one pmbot process."""

    def __init__(
        self, services: Services, *, token: TokenWatch | None = None, socket: SocketLink | None = None
    ) -> None:
        self._services = services
        self._token = token
        self._socket = socket

    async def readiness(self) -> tuple[bool, dict[str, Any]]:
        """Each check's verdict, and whether all passed."""
        checks: dict[str, Any] = {
            "database_read": await self._bounded(self._services.db.ping()),
            "database_write": await self._bounded(self._write_probe()),
        }
        if self._token is not None:
            last = self._token.last
            checks["slack_token"] = "ok" if last.state == TokenState.VALID else f"{last.state}: {last.detail}"
        if self._socket is not None:
            checks["socket_mode"] = "ok" if await self._socket.connected() else "not connected"
        return all(verdict == "ok" for verdict in checks.values()), checks

    async def ready(self) -> Answer:
        """200 with each check when ready, else 503 with the same."""
        ok, checks = await self.readiness()
        return Answer(200 if ok else 503, json.dumps({"ok": ok, "checks": checks}).encode())

    async def metrics(self, authorization: str | None) -> Answer:
        """The metrics, to a caller with the bearer token; 404 while METRICS_TOKEN is unset."""
        token = self._services.settings.METRICS_TOKEN
        if token is None:
            return Answer(404, b"not found", "text/plain;charset=utf-8")
        given = (authorization or "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), token.encode()):
            return Answer(
                401, b"metrics need the bearer token set in METRICS_TOKEN", "text/plain;charset=utf-8"
            )
        body = await metrics.render(self._services.db, self._services.clock)
        return Answer(200, body, metrics.CONTENT_TYPE)

    async def _write_probe(self) -> None:
        # A write transaction that changes nothing: on SQLite its BEGIN IMMEDIATE takes the write
        # lock (so the file is writable and no other process holds it); PostgreSQL says whether
        # the server accepts writes (not a read-only standby). It goes through the one writer,
        # so a stuck writer shows too.
        async def probe(session: AsyncSession) -> str:
            if self._services.db.is_sqlite:
                await session.execute(text("SELECT 1"))
                return "off"
            return str(await session.scalar(text("SHOW transaction_read_only")))

        if await self._services.writer.run(probe) != "off":
            raise RuntimeError("the database accepts no writes (read-only)")

    @staticmethod
    async def _bounded(check: Any) -> str:
        try:
            async with asyncio.timeout(READY_TIMEOUT_SECONDS):
                await check
        except TimeoutError:
            return f"no answer within {READY_TIMEOUT_SECONDS:g}s"
        except Exception as error:  # any failure means not ready; say which, do not crash
            log.warning("readiness check failed: %s", error)
            return f"failed: {type(error).__name__}"
        return "ok"
