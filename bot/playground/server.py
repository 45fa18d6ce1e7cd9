"""The playground's HTTP side on loopback: the page, its JSON and live-update endpoints, and the
Slack stand-in's Web API (`/api/<method>`) and response URLs (`/response/<token>`)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import asdict
from importlib import resources
from typing import Any

from aiohttp import web

from bot.manifest import COMMANDS, SHORTCUTS
from bot.playground import sample
from bot.playground.bridge import Bridge, SlackError

log = logging.getLogger(__name__)

JSON = "application/json"
JSON_FIELDS = ("blocks", "attachments", "view", "metadata")
STATIC = resources.files("bot.playground") / "static"
CONTENT_TYPES = {".js": "text/javascript", ".css": "text/css", ".html": "text/html", ".svg": "image/svg+xml"}
HEARTBEAT_SECONDS = 15
BRIDGE = web.AppKey("bridge", Bridge)


LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")


@web.middleware
async def loopback_only(request: web.Request, handler: Any) -> web.StreamResponse:
    """Refuse what a web page elsewhere could make a browser send to this port.

    The page's actions carry no credentials: a Host that is not loopback (DNS rebinding) or a
    page action that is not JSON (a cross-site form, which skips CORS preflight) is refused.
    """
    if request.host.rpartition(":")[0] not in LOOPBACK_HOSTS:
        raise web.HTTPForbidden(text="the playground answers on 127.0.0.1 only")
    if request.path.startswith("/ui/") and request.method == "POST" and request.content_type != JSON:
        raise web.HTTPUnsupportedMediaType(text="the playground's actions are JSON")
    return await handler(request)


def build_app(bridge: Bridge) -> web.Application:
    """The aiohttp application serving the page and the stand-in."""
    app = web.Application(middlewares=[loopback_only])
    app[BRIDGE] = bridge
    app.router.add_get("/", _page)
    app.router.add_get("/archives/{channel}/{ts}", _page)
    app.router.add_get("/static/{name}", _static)
    app.router.add_get("/ui/state", _state)
    app.router.add_get("/ui/events", _events)
    for name, handler in UI_POSTS.items():
        app.router.add_post(f"/ui/{name}", _ui(handler))
    app.router.add_route("*", "/api/{method}", _web_api)
    app.router.add_post("/response/{token}", _response_url)
    return app


async def _page(request: web.Request) -> web.Response:
    return web.Response(text=(STATIC / "index.html").read_text(), content_type="text/html")


async def _static(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    resource = STATIC / name
    suffix = "." + name.rpartition(".")[2]
    if "/" in name or name.startswith(".") or suffix not in CONTENT_TYPES or not resource.is_file():
        raise web.HTTPNotFound()
    return web.Response(body=resource.read_bytes(), content_type=CONTENT_TYPES[suffix], charset="utf-8")


def _viewer(request: web.Request, given: str | None = None) -> str:
    user = given or request.query.get("as") or sample.FIRST_VIEWER.id
    if sample.person(user) is None:
        raise web.HTTPBadRequest(text="unknown person")
    return user


async def _state(request: web.Request) -> web.Response:
    """Everything the page shows for one person."""
    bridge = request.app[BRIDGE]
    state, me = bridge.state, _viewer(request)
    messages = []
    for message in state.visible_to(me):
        shown = {**message.for_slack(), **asdict(message)}
        shown.pop("metadata", None)
        messages.append(shown)
    body = {
        "version": state.version,
        "me": me,
        "team": {"id": sample.TEAM_ID, "name": sample.TEAM_NAME, "url": bridge.api.workspace_url},
        "people": [{**asdict(p), "initials": p.initials} for p in sample.PEOPLE],
        "bot": {"id": sample.BOT_USER_ID, "name": "pmbot", "initials": "PM"},
        "channels": [{"id": cid, "name": name} for cid, name in sample.CHANNELS.items()],
        "dm": sample.dm_channel(me),
        "messages": messages,
        "home": state.home_of(me),
        "modals": state.stack_of(me),
        "commands": COMMANDS,
        "shortcuts": [{"callback_id": s["callback_id"], "name": s["name"]} for s in SHORTCUTS],
    }
    return web.json_response(body)


async def _events(request: web.Request) -> web.StreamResponse:
    """Server-sent events: one `changed` line whenever the workspace changes."""
    bridge = request.app[BRIDGE]
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
    await response.prepare(request)
    version = bridge.state.version
    await response.write(f"data: {version}\n\n".encode())
    with contextlib.suppress(ConnectionResetError):
        while True:
            try:
                version = await _wait(bridge, version)
            except TimeoutError:
                await response.write(b": still here\n\n")
                continue
            await response.write(f"data: {version}\n\n".encode())
    return response


async def _wait(bridge: Bridge, version: int) -> int:
    async with asyncio.timeout(HEARTBEAT_SECONDS):
        return await bridge.state.wait_past(version)


def _ui(handler: Any) -> Any:
    async def handle(request: web.Request) -> web.Response:
        bridge = request.app[BRIDGE]
        body = await request.json()
        try:
            answer = await handler(bridge, _viewer(request, body.get("as")), body)
        except SlackError as refused:
            return web.json_response({"ok": False, "error": str(refused)}, status=400)
        return web.json_response({"ok": True, **(answer or {})})

    return handle


async def _message(bridge: Bridge, me: str, body: dict[str, Any]) -> None:
    await bridge.message(me, body["channel"], str(body.get("text") or "").strip(), body.get("thread_ts"))


async def _action(bridge: Bridge, me: str, body: dict[str, Any]) -> None:
    values = body.get("values") or {}
    if body.get("view_id"):
        await bridge.view_action(me, body["view_id"], body["action"], values)
    else:
        await bridge.message_action(me, body["channel"], body["ts"], body["action"], values)


async def _submit(bridge: Bridge, me: str, body: dict[str, Any]) -> dict[str, Any]:
    return {"errors": await bridge.submit(me, body["view_id"], body.get("values") or {})}


async def _close(bridge: Bridge, me: str, body: dict[str, Any]) -> None:
    await bridge.close(me, body["view_id"])


async def _options(bridge: Bridge, me: str, body: dict[str, Any]) -> dict[str, Any]:
    where = {key: body.get(key) for key in ("view_id", "channel", "ts", "values")}
    options = await bridge.options(me, body["action_id"], body["block_id"], body.get("value", ""), where)
    return {"options": options}


async def _shortcut(bridge: Bridge, me: str, body: dict[str, Any]) -> None:
    await bridge.shortcut(me, body["channel"], body["ts"], body["callback_id"])


async def _home(bridge: Bridge, me: str, body: dict[str, Any]) -> None:
    await bridge.home_opened(me, body.get("tab") or "home")


UI_POSTS = {
    "message": _message,
    "action": _action,
    "submit": _submit,
    "close": _close,
    "options": _options,
    "shortcut": _shortcut,
    "home": _home,
}


# --- the Slack stand-in ------------------------------------------------------------------


async def _web_api(request: web.Request) -> web.Response:
    bridge = request.app[BRIDGE]
    params = await _read_params(request)
    header = request.headers.get("Authorization", "")
    token = header.removeprefix("Bearer ") if header.startswith("Bearer ") else params.pop("token", None)
    answer = bridge.api.answer(request.match_info["method"], params, token)
    if not answer.get("ok"):
        log.warning("Slack stand-in: %s answered %s", request.match_info["method"], answer.get("error"))
    return web.json_response(answer)


async def _response_url(request: web.Request) -> web.Response:
    bridge = request.app[BRIDGE]
    answer = bridge.respond(request.match_info["token"], await _read_params(request))
    if not answer.get("ok"):
        return web.Response(status=404, text=answer["error"])
    return web.Response(text="ok")


async def _read_params(request: web.Request) -> dict[str, Any]:
    """Query string plus a JSON or form-encoded body; JSON-carrying form fields decoded."""
    params: dict[str, Any] = dict(request.query)
    if request.body_exists:
        if request.content_type == JSON:
            params.update(await request.json())
        else:
            params.update({k: v for k, v in (await request.post()).items() if isinstance(v, str)})
    for key in JSON_FIELDS:
        value = params.get(key)
        if isinstance(value, str) and value[:1] in ("{", "["):
            with contextlib.suppress(ValueError):
                params[key] = json.loads(value)
    return params
