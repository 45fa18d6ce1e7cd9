"""What a person does on the page, sent to pmbot as Slack would send it, and pmbot's answers applied.

Every request goes over HTTP to pmbot's `/slack/events`, signed with the signing secret; pmbot's
Web API calls come back to `web_api` through the client's base URL, and its `response_url`
answers to `respond()` below.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import aiohttp

from bot.manifest import COMMANDS, SHORTCUTS
from bot.playground import payloads, sample
from bot.playground.payloads import SignedRequest
from bot.playground.state import Message, PlaygroundState
from bot.playground.web_api import SlackWebApi

log = logging.getLogger(__name__)

SLACKBOT = "USLACKBOT"
KNOWN_COMMANDS = {command["command"] for command in COMMANDS}
KNOWN_SHORTCUTS = {shortcut["callback_id"] for shortcut in SHORTCUTS}
RESPONSE_URL_USES = 5  # Slack takes five answers per response_url
REQUEST_TIMEOUT_SECONDS = 10  # Slack gives up after 3 s; the playground waits longer and says so


class SlackError(Exception):
    """Something Slack itself would have refused or reported; shown on the page as Slack shows it."""


class Bridge:
    """Turns the page's clicks into signed requests to pmbot and applies what pmbot answers."""

    def __init__(self, api: SlackWebApi, *, events_url: str, signing_secret: str, response_base: str) -> None:
        self.api = api
        self.state: PlaygroundState = api.state
        self._events_url = events_url
        self._secret = signing_secret
        self.response_base = response_base
        self._session: aiohttp.ClientSession | None = None

    async def aclose(self) -> None:
        """Close the HTTP session."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _send(self, request: SignedRequest) -> tuple[int, str]:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_SECONDS)
            )
        async with self._session.post(self._events_url, data=request.body, headers=request.headers) as answer:
            return answer.status, await answer.text()

    def _response_url(self, user: str, channel: str, message_ts: str | None) -> str:
        return self.response_base + self.state.new_response_target(user, channel, message_ts)

    # --- the message box -----------------------------------------------------------------

    async def message(self, user: str, channel: str, text: str, thread_ts: str | None = None) -> None:
        """A line typed in the message box: a slash command, or a message for everyone to read."""
        if text.startswith("/"):
            command, _, rest = text.partition(" ")
            await self.command(user, channel, command, rest.strip())
            return
        self.api.post(channel, user, {"text": _escaped(text), "thread_ts": thread_ts})

    async def command(self, user: str, channel: str, command: str, text: str) -> None:
        """Run a slash command; its answer (if any) shows as Slack shows it."""
        if command not in KNOWN_COMMANDS:
            self._slackbot(user, channel, f"`{command}` is not a valid command. pmbot's: {_commands()}.")
            return
        request = payloads.slash_command(
            self._secret,
            command=command,
            text=_escaped(text),
            user=user,
            channel=channel,
            trigger_id=self.state.new_trigger(user),
            response_url=self._response_url(user, channel, None),
        )
        status, body = await self._send(request)
        if status != 200:
            self._slackbot(user, channel, f'`{command}` failed with the error "dispatch_failed" ({status}).')
            return
        if body.strip():
            reply = json.loads(body) if body.lstrip().startswith("{") else {"text": body}
            in_channel = reply.get("response_type") == "in_channel"
            self.api.post(channel, sample.BOT_USER_ID, reply, only_for=None if in_channel else user)

    def _slackbot(self, user: str, channel: str, text: str) -> None:
        self.api.post(channel, SLACKBOT, {"text": text}, only_for=user)

    # --- messages' buttons, menus and shortcuts ------------------------------------------

    async def message_action(
        self, user: str, channel: str, ts: str, action: dict[str, Any], values: dict[str, Any]
    ) -> None:
        """A click on an element of a message (an ephemeral one too)."""
        message = self._message(channel, ts, user)
        payload = payloads.common("block_actions", user)
        payload.update(
            payloads.message_surface(
                channel,
                message.for_slack(),
                ephemeral=message.only_for is not None,
                response_url=self._response_url(user, channel, ts),
            )
        )
        payload.update(trigger_id=self.state.new_trigger(user), state={"values": values})
        payload["actions"] = [{**action, "action_ts": payloads.action_ts()}]
        await self._interact(payload)

    async def shortcut(self, user: str, channel: str, ts: str, callback_id: str) -> None:
        """A message shortcut from the "⋯" menu (File as request)."""
        if callback_id not in KNOWN_SHORTCUTS:
            raise SlackError(f"unknown shortcut {callback_id}")
        message = self._message(channel, ts, user)
        payload = payloads.common("message_action", user)
        payload.update(callback_id=callback_id, trigger_id=self.state.new_trigger(user))
        payload.update(action_ts=payloads.action_ts(), message_ts=ts, message=message.for_slack())
        payload.update(
            channel={"id": channel, "name": payloads.channel_name(channel)},
            response_url=self._response_url(user, channel, None),
        )
        await self._interact(payload)

    def _message(self, channel: str, ts: str, user: str) -> Message:
        message = self.state.find(channel, ts)
        if message is None or message.only_for not in (None, user):
            raise SlackError("That message is gone.")
        return message

    # --- modals and the Home tab ---------------------------------------------------------

    async def view_action(
        self, user: str, view_id: str, action: dict[str, Any], values: dict[str, Any]
    ) -> None:
        """A click on an element of a modal or of the Home tab."""
        view = self._view(user, view_id)
        payload = payloads.common("block_actions", user)
        payload.update(payloads.view_surface(view, values), trigger_id=self.state.new_trigger(user))
        payload["actions"] = [{**action, "action_ts": payloads.action_ts()}]
        await self._interact(payload)

    async def submit(self, user: str, view_id: str, values: dict[str, Any]) -> dict[str, str]:
        """Submit the top modal; returns the inline errors pmbot answered with (empty when it closed)."""
        view = self._view(user, view_id)
        payload = payloads.common("view_submission", user)
        payload.update(trigger_id=self.state.new_trigger(user), response_urls=[])
        payload["view"] = {**view, "state": {"values": values}}
        answer = _json(await self._interact(payload))
        return self._apply_response_action(user, view_id, answer)

    def _apply_response_action(self, user: str, view_id: str, answer: dict[str, Any]) -> dict[str, str]:
        stack = self.state.stacks.get(user, [])
        kind = answer.get("response_action")
        if kind == "errors":
            return dict(answer.get("errors") or {})
        if kind == "update":
            self.api.store_view(answer["view"], view_id)
        elif kind == "push":
            self.api.push(user, answer["view"])
        elif kind == "clear":
            stack.clear()
        elif view_id in stack:
            stack.remove(view_id)
        self.state.changed()
        return {}

    async def close(self, user: str, view_id: str) -> None:
        """Close the top modal (its close button, or Cancel); pmbot hears of it only if it asked to."""
        view = self._view(user, view_id)
        stack = self.state.stacks.get(user, [])
        closing = list(stack) if view.get("clear_on_close") else [view_id]
        for closed in closing:
            stack.remove(closed)
        self.state.changed()
        if view.get("notify_on_close"):
            payload = payloads.common("view_closed", user)
            payload.update(view=view, is_cleared=len(closing) > 1)
            await self._interact(payload)

    async def options(
        self, user: str, action_id: str, block_id: str, typed: str, where: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Ask pmbot for an external select's options (type-ahead)."""
        payload = payloads.common("block_suggestion", user)
        payload.update(action_id=action_id, block_id=block_id, value=typed)
        if where.get("view_id"):
            payload.update(payloads.view_surface(self._view(user, where["view_id"]), where.get("values", {})))
        else:
            channel = where["channel"]
            payload.update(
                container={"type": "message", "message_ts": where["ts"], "channel_id": channel},
                channel={"id": channel, "name": payloads.channel_name(channel)},
            )
        answer = _json(await self._interact(payload))
        if answer.get("option_groups"):
            return [option for group in answer["option_groups"] for option in group.get("options", [])]
        return list(answer.get("options") or [])

    async def home_opened(self, user: str, tab: str = "home") -> None:
        """The person opened pmbot's Home (or Messages) tab: the `app_home_opened` event."""
        event = {
            "type": "app_home_opened",
            "user": user,
            "channel": sample.dm_channel(user),
            "tab": tab,
            "event_ts": payloads.action_ts(),
        }
        home = self.state.home_of(user)
        if home is not None:
            event["view"] = home
        status, _ = await self._send(payloads.event_callback(self._secret, event))
        if status != 200:
            raise SlackError(f"pmbot answered the app_home_opened event with {status}")

    def _view(self, user: str, view_id: str) -> dict[str, Any]:
        view = self.state.views.get(view_id)
        if view is None or self.state.owner_of_view(view_id) != user:
            raise SlackError("That view is gone.")
        return view

    async def _interact(self, payload: dict[str, Any]) -> str:
        """Send an interactivity payload; the body of pmbot's 200 answer (a refusal is an error)."""
        status, body = await self._send(payloads.interactive(self._secret, payload))
        if status != 200:
            raise SlackError(f"pmbot answered {status}: Slack would show a failure here.")
        return body

    # --- response_url --------------------------------------------------------------------

    def respond(self, token: str, answer: dict[str, Any]) -> dict[str, Any]:
        """A POST to a response_url: an ephemeral or in-channel reply, or the original replaced/deleted."""
        target = self.state.responses.get(token)
        if target is None:
            return {"ok": False, "error": "expired_url"}
        target.uses += 1
        if target.uses > RESPONSE_URL_USES:
            return {"ok": False, "error": "used_url"}
        original = self.state.find(target.channel, target.message_ts) if target.message_ts else None
        if answer.get("delete_original") and original is not None:
            self.state.messages.remove(original)
            self.state.changed()
        elif answer.get("replace_original") and original is not None:
            self.api.replace(original, answer)
        else:
            in_channel = answer.get("response_type") == "in_channel"
            only_for = None if in_channel else target.user
            self.api.post(target.channel, sample.BOT_USER_ID, answer, only_for=only_for)
        return {"ok": True}


def _json(body: str) -> dict[str, Any]:
    """pmbot's answer as JSON; an empty ack is an empty answer."""
    return json.loads(body) if body.lstrip().startswith("{") else {}


def _escaped(text: str) -> str:
    """A typed message as Slack stores it: `&`, `<` and `>` escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _commands() -> str:
    return ", ".join(sorted(KNOWN_COMMANDS))
