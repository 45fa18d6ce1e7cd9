"""The WebSocket half of a fake Slack: Socket Mode connections, envelopes and their acks."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

from aiohttp import WSMsgType, web

SOCKET_KINDS = ("slash_commands", "interactive", "events_api")


def hello(app_id: str, num_connections: int) -> dict[str, Any]:
    """The first message Slack sends on a new Socket Mode connection."""
    return {
        "type": "hello",
        "num_connections": num_connections,
        "debug_info": {"host": "applink-fake", "build_number": 1, "approximate_connection_time": 18060},
        "connection_info": {"app_id": app_id},
    }


def envelope(
    kind: str, payload: dict[str, Any], *, retry_attempt: int = 0, retry_reason: str = ""
) -> dict[str, Any]:
    """Wrap a payload as Slack does; only events_api envelopes carry retry fields, as on the wire."""
    if kind not in SOCKET_KINDS:
        raise ValueError(f"unknown Socket Mode envelope type {kind!r}; expected one of {SOCKET_KINDS}")
    wrapped: dict[str, Any] = {
        "envelope_id": str(uuid.uuid4()),
        "type": kind,
        "payload": payload,
        "accepts_response_payload": kind != "events_api",
    }
    if kind == "events_api":
        wrapped.update(retry_attempt=retry_attempt, retry_reason=retry_reason)
    return wrapped


class SocketModeHub:
    """Accepts Socket Mode clients, greets them, sends envelopes and matches acks by envelope_id."""

    def __init__(self, app_id: str) -> None:
        """Start with no client connected."""
        self.app_id = app_id
        self.sockets: list[web.WebSocketResponse] = []
        self.acks: list[dict[str, Any]] = []
        self._pending: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._changed = asyncio.Condition()

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        """Serve one WebSocket connection until the client or the hub closes it."""
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json(hello(self.app_id, len(self.sockets) + 1))
        await self._track(ws, connected=True)
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    self._on_text(message.data)
        finally:
            await self._track(ws, connected=False)
        return ws

    async def wait_for_socket(self, timeout: float = 10.0) -> web.WebSocketResponse:  # noqa: ASYNC109
        """Await a connected client and return the newest connection."""
        try:
            async with asyncio.timeout(timeout), self._changed:
                await self._changed.wait_for(lambda: bool(self.sockets))
        except TimeoutError:
            raise AssertionError(f"no Socket Mode client connected within {timeout}s") from None
        return self.sockets[-1]

    async def send(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        timeout: float = 10.0,  # noqa: ASYNC109 - the deadline also names what was missing
        retry_attempt: int = 0,
        retry_reason: str = "",
    ) -> dict[str, Any]:
        """Send an envelope to the newest client and return its ack (which may carry a `payload`)."""
        wrapped = envelope(kind, payload, retry_attempt=retry_attempt, retry_reason=retry_reason)
        envelope_id = wrapped["envelope_id"]
        ack: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[envelope_id] = ack
        try:
            async with asyncio.timeout(timeout):
                ws = await self.wait_for_socket(timeout)
                await ws.send_json(wrapped)
                return await ack
        except TimeoutError:
            raise AssertionError(
                f"no ack for {kind} envelope {envelope_id} within {timeout}s "
                "(Bolt sends no ack at all when no listener matched)"
            ) from None
        finally:
            self._pending.pop(envelope_id, None)

    async def disconnect(self, reason: str = "warning", timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Ask the newest client to reconnect, as Slack does, and await its new connection."""
        old = await self.wait_for_socket(timeout)
        await old.send_json({"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-fake"}})
        try:
            async with asyncio.timeout(timeout), self._changed:
                await self._changed.wait_for(lambda: bool(self.sockets) and self.sockets[-1] is not old)
        except TimeoutError:
            raise AssertionError(f"the Socket Mode client did not reconnect within {timeout}s") from None

    async def close(self) -> None:
        """Close every connection and fail the envelopes still awaiting an ack."""
        for ws in list(self.sockets):
            await ws.close()
        for ack in self._pending.values():
            ack.cancel()

    def _on_text(self, data: str) -> None:
        try:
            message = json.loads(data)
        except ValueError:
            return
        if not isinstance(message, dict) or "envelope_id" not in message:
            return
        self.acks.append(message)
        ack = self._pending.get(message["envelope_id"])
        if ack is not None and not ack.done():
            ack.set_result(message)

    async def _track(self, ws: web.WebSocketResponse, *, connected: bool) -> None:
        async with self._changed:
            if connected:
                self.sockets.append(ws)
            elif ws in self.sockets:
                self.sockets.remove(ws)
            self._changed.notify_all()
