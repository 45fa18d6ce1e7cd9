"""A fake Slack Web API (and response_url, and Socket Mode) served on loopback for the real clients."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from aiohttp import web

from .socket_mode import SocketModeHub
from .workspace import SlackWorkspace, error

JSON_FIELDS = ("blocks", "attachments", "view", "metadata", "unfurls", "user_auth_blocks")
RESPONSE_URL = "response_url"
# Calls that show a message; each needs a fallback `text` (notifications, screen readers).
MESSAGE_METHODS = ("chat.postMessage", "chat.update", "chat.postEphemeral", RESPONSE_URL)


def lacks_fallback_text(method: str, params: dict[str, Any]) -> bool:
    """True for a message call whose `text` is missing or blank (Slack warns; people see nothing)."""
    if method not in MESSAGE_METHODS or params.get("delete_original"):
        return False
    return not str(params.get("text") or "").strip()


@dataclass
class Call:
    """One request the fake received: a Web API method, or "response_url".

    `status` 0 means the connection was dropped before the answer (`response`) was sent.
    """

    method: str
    params: dict[str, Any]
    token: str | None
    at: float
    status: int = 200
    response: Any = None
    failed: bool = False


@dataclass
class Fault:
    """A canned failure (or a late answer) for the next call to one method."""

    status: int = 200
    error: str | None = None
    retry_after: int | str | None = None
    body: dict[str, Any] | str | None = None
    delay: float = 0.0
    disconnect: bool = False
    after_work: bool = False  # Slack does the work, then answers with this fault anyway
    content_type: str | None = None  # e.g. "application/json" for an HTML body labelled JSON

    def payload(self) -> dict[str, Any] | str:
        """The body to answer with: explicit, else `{"ok": false, "error": ...}`."""
        if self.body is not None:
            return self.body
        default = {429: "ratelimited"}.get(self.status, "internal_error" if self.status >= 500 else "")
        return error(self.error or default or "invalid_arguments")

    @property
    def does_the_work(self) -> bool:
        """True when Slack still acts on the call (only its answer is late, lost or wrong)."""
        return self.after_work or (self.status == 200 and self.error is None and self.body is None)

    @property
    def answers_truly(self) -> bool:
        """True when the answer, if it arrives, is Slack's real one."""
        return not self.after_work and self.does_the_work

    def response(self) -> web.Response:
        """The HTTP response carrying this fault."""
        headers = {"Retry-After": str(self.retry_after)} if self.retry_after is not None else {}
        payload = self.payload()
        if isinstance(payload, str):
            if self.content_type:
                return web.Response(
                    status=self.status, body=payload.encode(), content_type=self.content_type, headers=headers
                )
            return web.Response(status=self.status, text=payload, headers=headers)
        return web.json_response(payload, status=self.status, headers=headers)


def _decode_json_fields(params: dict[str, Any]) -> dict[str, Any]:
    """Turn form fields that carry JSON (blocks, view, metadata...) back into Python objects."""
    for key in JSON_FIELDS:
        value = params.get(key)
        if isinstance(value, str) and value[:1] in ("{", "["):
            with contextlib.suppress(ValueError):
                params[key] = json.loads(value)
    return params


async def _read_params(request: web.Request) -> dict[str, Any]:
    """Query string plus a JSON or form-encoded body, whichever the client sent."""
    params: dict[str, Any] = dict(request.query)
    if not request.body_exists:
        return params
    if request.content_type == "application/json":
        body = await request.json()
        params.update(body if isinstance(body, dict) else {"_body": body})
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        params.update({k: v if isinstance(v, str) else v.file.read() for k, v in form.items()})
    else:
        params["_body"] = await request.text()
    return params


def _reply(answer: dict[str, Any] | str, headers: dict[str, str] | None = None) -> web.Response:
    """An HTTP 200 carrying a JSON answer, or a text one (response_url answers "ok")."""
    if isinstance(answer, str):
        return web.Response(text=answer, headers=headers)
    return web.json_response(answer, headers=headers)


def _bearer(request: web.Request, params: dict[str, Any]) -> str | None:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return header.removeprefix("Bearer ")
    token = params.pop("token", None)
    return token if isinstance(token, str) else None


class FakeSlack(SlackWorkspace):
    """Slack's Web API on 127.0.0.1: records every call, answers like Slack, fails on request."""

    def __init__(self, *, team_id: str = "T_TEST", team_domain: str = "acme") -> None:
        """Prepare the server; `start()` (or `async with`) binds it to a free port."""
        super().__init__(team_id=team_id, team_domain=team_domain)
        self.calls: list[Call] = []
        self.textless: list[Call] = []  # messages sent without fallback text; the fixture fails on any
        self.socket = SocketModeHub(self.app_id)
        self._faults: defaultdict[str, deque[Fault]] = defaultdict(deque)
        self._every: dict[str, tuple[int, Fault]] = {}
        self._served: defaultdict[str, int] = defaultdict(int)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._origin = ""

    async def __aenter__(self) -> FakeSlack:
        """Start serving."""
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Stop serving."""
        await self.stop()

    async def start(self) -> None:
        """Serve on a free loopback port, on the running event loop."""
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_post("/response/{name}", self._handle_response_url)
        app.router.add_get("/socket", self.socket.handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self._origin = f"http://{host}:{port}"
        self.socket_url = f"ws://{host}:{port}/socket"

    async def stop(self) -> None:
        """Close Socket Mode connections and the server (stop Socket Mode handlers first)."""
        await self.socket.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def base_url(self) -> str:
        """The `base_url` for AsyncWebClient: "http://127.0.0.1:<port>/api/"."""
        if not self._origin:
            raise RuntimeError("FakeSlack is not started")
        return f"{self._origin}/api/"

    def response_url(self, name: str) -> str:
        """A response_url on this server; POSTs to it are recorded as method "response_url"."""
        if not self._origin:
            raise RuntimeError("FakeSlack is not started")
        return f"{self._origin}/response/{name}"

    def fail_next(
        self,
        method: str,
        *,
        status: int = 200,
        error: str | None = None,
        retry_after: int | str | None = None,
        times: int = 1,
        body: dict[str, Any] | str | None = None,
        delay: float = 0.0,
        disconnect: bool = False,
        after_work: bool = False,
        content_type: str | None = None,
    ) -> None:
        """Queue a failure for the next `times` calls to `method` (or "response_url").

        429 answers `ratelimited` (add `retry_after` for the header), 5xx `internal_error`, 200 needs
        `error`; `body` replaces the JSON answer (a str is sent as text/plain). `delay` holds the answer
        back; `disconnect` drops the connection after the request was read. With neither a status nor an
        error nor a body, Slack still does the work: the answer is just late, or lost. `after_work`: Slack
        does the work, then answers with the fault (a 500 after processing). `content_type` labels a
        str body (say an HTML page labelled application/json).
        """
        if status == 200 and error is None and body is None and not disconnect and not delay:
            raise ValueError("fail_next needs a non-200 status, an error, a body, a delay or disconnect")
        fault = Fault(status, error, retry_after, body, delay, disconnect, after_work, content_type)
        self._faults[method].extend([fault] * times)

    def fail_every(self, method: str, every: int, **fault: Any) -> None:
        """Fail every `every`-th call to `method` from now on (fault as for `fail_next`); `every=0` stops."""
        if every <= 0:
            self._every.pop(method, None)
            return
        self._served[method] = 0
        self._every[method] = (every, Fault(**fault))

    def calls_to(self, method: str) -> list[Call]:
        """The recorded calls to one method, oldest first."""
        return [call for call in self.calls if call.method == method]

    def reset(self) -> None:
        """Forget the recorded calls (queued faults and workspace state stay)."""
        self.calls.clear()

    async def wait_for(
        self,
        method: str,
        count: int = 1,
        *,
        timeout: float = 10.0,  # noqa: ASYNC109 - the deadline also names what was missing
        where: Callable[[Call], bool] | None = None,
    ) -> list[Call]:
        """Await at least `count` calls to `method` (matching `where`) and return all that match."""

        def matching() -> list[Call]:
            return [c for c in self.calls_to(method) if where is None or where(c)]

        try:
            async with asyncio.timeout(timeout), self._changed:
                await self._changed.wait_for(lambda: len(matching()) >= count)
        except TimeoutError:
            raise AssertionError(self._timeout_message(method, count, timeout, len(matching()))) from None
        return matching()

    async def wait_for_socket(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Await a connected Socket Mode client."""
        await self.socket.wait_for_socket(timeout)

    async def socket_send(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        timeout: float = 10.0,  # noqa: ASYNC109 - the deadline also names what was missing
        retry_attempt: int = 0,
    ) -> dict[str, Any]:
        """Send a Socket Mode envelope ("slash_commands" | "interactive" | "events_api"); return the ack."""
        reason = "http_timeout" if retry_attempt else ""
        return await self.socket.send(
            kind, payload, timeout=timeout, retry_attempt=retry_attempt, retry_reason=reason
        )

    async def socket_disconnect(self, reason: str = "warning", timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Send Slack's `disconnect` message and await the client's new connection."""
        await self.socket.disconnect(reason, timeout)

    def _timeout_message(self, method: str, count: int, timeout: float, got: int) -> str:
        seen = ", ".join(f"{c.method}{'' if not c.failed else f'(failed {c.status})'}" for c in self.calls)
        return (
            f"timed out after {timeout}s waiting for {count} call(s) to {method!r}; {got} matched. "
            f"Recorded: [{seen or 'nothing'}]"
        )

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        params = _decode_json_fields(await _read_params(request))
        token = _bearer(request, params)
        call = Call(method, params, token, time.time())
        return await self._serve(request, call, lambda: self.answer(method, params, token))

    async def _handle_response_url(self, request: web.Request) -> web.StreamResponse:
        params = _decode_json_fields(await _read_params(request))
        params["name"] = request.match_info["name"]
        return await self._serve(request, Call(RESPONSE_URL, params, None, time.time()), lambda: "ok")

    async def _serve(
        self, request: web.Request, call: Call, answer: Callable[[], dict[str, Any] | str]
    ) -> web.StreamResponse:
        """Record the call, then answer it, or misbehave as the next queued fault says."""
        fault = self._next_fault(call.method)
        if fault is None or fault.does_the_work:
            call.response = answer()
            call.failed = isinstance(call.response, dict) and not call.response.get("ok")
        if fault is not None and not fault.answers_truly:
            call.status, call.response, call.failed = fault.status, fault.payload(), True
        if fault is not None and fault.disconnect:
            call.status, call.failed = 0, True
        await self._record(call)
        if fault is None:
            return _reply(call.response, self._headers_for(call))
        return await self._misbehave(request, call, fault)

    def _headers_for(self, call: Call) -> dict[str, str] | None:
        # Slack tells a token's scopes on every call; pmbot reads them from auth.test.
        if call.method == "auth.test" and not call.failed:
            return {"x-oauth-scopes": ",".join(self.granted_scopes)}
        return None

    def _next_fault(self, method: str) -> Fault | None:
        queue = self._faults.get(method)
        if queue:
            return queue.popleft()
        if method in self._every:
            self._served[method] += 1
            every, fault = self._every[method]
            return fault if self._served[method] % every == 0 else None
        return None

    @staticmethod
    async def _misbehave(request: web.Request, call: Call, fault: Fault) -> web.StreamResponse:
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if fault.disconnect and request.transport is not None:
            request.transport.abort()
        return _reply(call.response) if fault.answers_truly else fault.response()

    async def _record(self, call: Call) -> None:
        if lacks_fallback_text(call.method, call.params):
            self.textless.append(call)
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()
