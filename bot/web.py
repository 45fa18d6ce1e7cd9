"""The ASGI application: POST /slack/events, /healthz, /readyz, /metrics, and the services' lifespan."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from slack_bolt.async_app import AsyncApp
from sqlalchemy.exc import SQLAlchemyError

from bot import metrics
from bot.interactions.answering import STORE_FAILURES, Answerer
from bot.interactions.incoming import read_incoming
from bot.interactions.redelivery import Redelivery
from bot.interactions.replies import Reply
from bot.interactions.telling import Teller
from bot.logs import interaction
from bot.probes import Answer, Probes
from bot.runtime import Services
from bot.signature import is_valid_signature
from storage import inbox

log = logging.getLogger(__name__)

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class Companion(Protocol):
    """Something that runs beside the web app, such as the Socket Mode connection."""

    async def start(self) -> None: ...
    async def stop(self) -> None: ...


EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"
METRICS_PATH = "/metrics"
HTTP_ROUTE = "http"
MAX_BODY_BYTES = 1_000_000  # Slack's payloads are far smaller; refuse anything bigger unread
SIGNATURE_HEADERS = ("x-slack-signature", "x-slack-request-timestamp")
# On shutdown, how long interactions already answered may take to finish; what is left is handed
# back to the inbox and finished by the next process (or another replica).
DRAIN_SECONDS = 5.0


class SlackWebApp:
    """pmbot over HTTP. Starts and stops the services with the ASGI lifespan."""

    def __init__(
        self,
        bolt: AsyncApp,
        services: Services,
        *,
        migrate_on_start: bool = True,
        companions: list[Companion] | None = None,
        probes: Probes | None = None,
    ) -> None:
        self._services = services
        self._migrate_on_start = migrate_on_start
        self._companions = companions or []
        self._probes = probes or Probes(services)
        teller = Teller(services.client, services.settings.SLACK_API_URL)
        # Folding the record into the listener's write pays where one writer takes both (SQLite).
        # On PostgreSQL the inbox has its own writer so that a record never queues behind the
        # main writer's batches: under load a folded filing would miss its deadline there.
        folds = services.inbox_writer is services.writer
        self._answerer = Answerer(
            bolt,
            services.db,
            services.inbox_writer,
            teller,
            writes_first=services.writes_first if folds else _writes_nothing_first,
        )
        self._redelivery = Redelivery(
            self._answerer, services.inbox_writer, sole_process=services.db.is_sqlite
        )
        services.attach(self._redelivery.start, self._stop_answering)

    async def answer_slack(self, body: str, headers: dict[str, list[str]]) -> Reply:
        """Answer a request that reached pmbot some other way (a Socket Mode envelope) as an HTTP
        one: recorded in the inbox under its key, run once, answered within the budget."""
        return await self._answerer.answer(body, headers)

    async def idle(self) -> None:
        """Until no interaction is being worked on (after its answer, a click's work may go on)."""
        await self._answerer.idle()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._http(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.start()
                except (OSError, SQLAlchemyError) as error:
                    # One line, not a traceback: the usual cause is a database that does not answer.
                    await send(
                        {"type": "lifespan.startup.failed", "message": f"pmbot could not start: {error}"}
                    )
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def start(self) -> None:
        """Start the services (and with them the finishing of what a previous run left)."""
        await self._services.start(migrate=self._migrate_on_start)
        for companion in self._companions:
            await companion.start()

    async def stop(self) -> None:
        """Stop the companions, then the services (which first stop answering)."""
        for companion in reversed(self._companions):
            await companion.stop()
        await self._services.stop()

    async def _stop_answering(self) -> None:
        """Take no new requests, let answered ones finish (within a bound), hand back the rest."""
        await self._redelivery.stop()
        left = await self._answerer.drain(DRAIN_SECONDS)
        if left:
            try:
                await self._services.inbox_writer.run(lambda session: inbox.release(session, left))
            except STORE_FAILURES as error:  # their leases run out instead
                log.warning("could not hand back %d unfinished interactions: %s", len(left), error)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        method, path = scope["method"], scope["path"]
        if path == EVENTS_PATH and method == "POST":
            await self._slack_events(scope, receive, send)
        elif path == HEALTH_PATH and method in ("GET", "HEAD"):
            await _respond(send, 200, json.dumps({"ok": True}).encode(), "application/json")
        elif path == READY_PATH and method in ("GET", "HEAD"):
            await _answer(send, await self._probes.ready())
        elif path == METRICS_PATH and method == "GET":
            await _answer(send, await self._probes.metrics(_headers(scope).get("authorization")))
        else:
            await _respond(send, 404, b"not found")

    async def _slack_events(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = await _read_body(receive)
        if body is None:
            await _respond(send, 413, b"payload too large")
            return
        if _repeated(scope, SIGNATURE_HEADERS):
            log.info("refused a request with a repeated signature header")
            await _respond(send, 400, b"repeated signature header")
            return
        headers = _headers(scope)
        if not is_valid_signature(
            signing_secret=self._services.settings.SLACK_SIGNING_SECRET,
            body=body,
            timestamp=headers.get("x-slack-request-timestamp"),
            signature=headers.get("x-slack-signature"),
        ):
            log.info("refused a request with a missing, stale or wrong signature")
            await _respond(send, 401, b"invalid signature")
            return
        started = time.perf_counter()
        text = body.decode("utf-8", errors="replace")
        incoming = read_incoming(text)
        with interaction(metrics.interaction_key(incoming.payload)):
            reply = await self._answerer.answer(
                text, {name: [value] for name, value in headers.items()}, incoming
            )
        metrics.observe_answer(
            HTTP_ROUTE, metrics.answer_kind(incoming.payload), time.perf_counter() - started
        )
        await _respond(send, reply.status, reply.body.encode(), reply.content_type)


async def _read_body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


def _writes_nothing_first(_incoming: Any) -> bool:
    return False


def _repeated(scope: Scope, names: tuple[str, ...]) -> bool:
    seen = [name.decode("latin-1").lower() for name, _ in scope["headers"]]
    return any(seen.count(name) > 1 for name in names)


def _headers(scope: Scope) -> dict[str, str]:
    return {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}


async def _answer(send: Send, answer: Answer) -> None:
    await _respond(send, answer.status, answer.body, answer.content_type)


async def _respond(
    send: Send, status: int, body: bytes, content_type: str = "text/plain;charset=utf-8"
) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type.encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
