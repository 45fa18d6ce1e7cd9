"""The Slack Web API methods pmbot calls, answered from the playground's state as Slack answers them."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.playground import sample
from bot.playground.state import MAX_VIEW_STACK, Message, PlaygroundState

Answer = dict[str, Any]
Params = dict[str, Any]


def error(code: str) -> Answer:
    """Slack's answer to a call that failed."""
    return {"ok": False, "error": code}


def user_object(person: sample.Person) -> dict[str, Any]:
    """A person as `users.info` describes them."""
    offset = ZoneInfo(person.tz).utcoffset(datetime.now())
    return {
        "id": person.id,
        "team_id": sample.TEAM_ID,
        "name": person.handle,
        "real_name": person.name,
        "deleted": False,
        "tz": person.tz,
        "tz_label": person.tz,
        "tz_offset": int(offset.total_seconds()) if offset else 0,
        "is_admin": person.is_admin,
        "is_owner": False,
        "is_primary_owner": False,
        "is_bot": False,
        "profile": {"real_name": person.name, "display_name": person.handle},
    }


class SlackWebApi:
    """Answers `POST /api/<method>` for the sample workspace; unknown methods say `unknown_method`."""

    def __init__(self, state: PlaygroundState, *, workspace_url: str) -> None:
        self.state = state
        self.workspace_url = workspace_url
        self._methods: dict[str, Callable[[Params], Answer]] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._post_message,
            "chat.postEphemeral": self._post_ephemeral,
            "chat.update": self._update,
            "chat.delete": self._delete,
            "chat.getPermalink": self._permalink,
            "conversations.open": self._conversations_open,
            "users.info": self._users_info,
            "usergroups.users.list": lambda params: error("no_such_subteam"),
            "views.open": self._views_open,
            "views.push": self._views_push,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
        }

    def answer(self, method: str, params: Params, token: str | None) -> Answer:
        """Answer one call; a wrong token is refused as Slack refuses it."""
        if token != sample.BOT_TOKEN:
            return error("invalid_auth")
        handler = self._methods.get(method)
        return handler(params) if handler else error("unknown_method")

    # --- messages ------------------------------------------------------------------------

    def _auth_test(self, params: Params) -> Answer:
        return {
            "ok": True,
            "url": self.workspace_url,
            "team": sample.TEAM_NAME,
            "user": "pmbot",
            "team_id": sample.TEAM_ID,
            "user_id": sample.BOT_USER_ID,
            "bot_id": sample.BOT_ID,
            "is_enterprise_install": False,
        }

    def _channel(self, given: str | None) -> str | None:
        """A channel id, a person's id (Slack posts into the app's DM with them), or None if unknown."""
        if not given:
            return None
        if sample.person(given):
            return sample.dm_channel(given)
        if given in sample.CHANNELS or sample.person(sample.dm_owner(given) or ""):
            return given
        return None

    def _post_message(self, params: Params) -> Answer:
        channel = self._channel(params.get("channel"))
        if channel is None:
            return error("channel_not_found")
        if not params.get("text") and not params.get("blocks"):
            return error("no_text")
        message = self.post(channel, sample.BOT_USER_ID, params)
        return {"ok": True, "channel": channel, "ts": message.ts, "message": message.for_slack()}

    def post(self, channel: str, user: str, params: Params, *, only_for: str | None = None) -> Message:
        """Add a message (from pmbot or a person) and tell the page."""
        thread_ts = params.get("thread_ts") or None
        if thread_ts and not self.state.find(channel, thread_ts):
            thread_ts = None
        message = Message(
            channel=channel,
            ts=self.state.next_ts(),
            user=user,
            text=str(params.get("text") or ""),
            blocks=list(params.get("blocks") or []),
            thread_ts=thread_ts,
            only_for=only_for,
            metadata=params.get("metadata"),
        )
        self.state.messages.append(message)
        self.state.changed()
        return message

    def _post_ephemeral(self, params: Params) -> Answer:
        channel, user = self._channel(params.get("channel")), params.get("user")
        if channel is None:
            return error("channel_not_found")
        if not user or not sample.person(user):
            return error("user_not_in_channel")
        message = self.post(channel, sample.BOT_USER_ID, params, only_for=user)
        return {"ok": True, "message_ts": message.ts}

    def _update(self, params: Params) -> Answer:
        channel = self._channel(params.get("channel"))
        message = self.state.find(channel or "", params.get("ts") or "")
        if message is None:
            return error("message_not_found")
        if message.user != sample.BOT_USER_ID:
            return error("cant_update_message")
        self.replace(message, params)
        return {"ok": True, "channel": message.channel, "ts": message.ts, "text": message.text}

    def replace(self, message: Message, params: Params) -> None:
        """Edit a message in place (chat.update, or replace_original through a response_url)."""
        message.text = str(params.get("text") or "")
        message.blocks = list(params.get("blocks") or [])
        if "metadata" in params:
            message.metadata = params["metadata"]
        message.edited = True
        self.state.changed()

    def _delete(self, params: Params) -> Answer:
        message = self.state.find(self._channel(params.get("channel")) or "", params.get("ts") or "")
        if message is None:
            return error("message_not_found")
        self.state.messages.remove(message)
        self.state.changed()
        return {"ok": True, "channel": message.channel, "ts": message.ts}

    def _permalink(self, params: Params) -> Answer:
        channel, ts = params.get("channel") or "", params.get("message_ts") or ""
        if not self.state.find(channel, ts):
            return error("message_not_found")
        link = f"{self.workspace_url}archives/{channel}/p{ts.replace('.', '')}"
        return {"ok": True, "channel": channel, "permalink": link}

    def _conversations_open(self, params: Params) -> Answer:
        users = [u for u in str(params.get("users") or "").split(",") if u]
        if len(users) != 1 or not sample.person(users[0]):
            return error("user_not_found")
        return {"ok": True, "channel": {"id": sample.dm_channel(users[0])}}

    def _users_info(self, params: Params) -> Answer:
        found = sample.person(params.get("user") or "")
        return {"ok": True, "user": user_object(found)} if found else error("user_not_found")

    # --- views ---------------------------------------------------------------------------

    def store_view(self, view: dict[str, Any], view_id: str, *, root: str | None = None) -> dict[str, Any]:
        """Fill in what Slack adds to a view; every store gets a new hash."""
        previous = self.state.views.get(view_id, {})
        stored = {
            "type": "modal",
            "blocks": [],
            "private_metadata": "",
            "callback_id": "",
            "external_id": "",
            "state": {"values": {}},
            "notify_on_close": False,
            "clear_on_close": False,
            **{k: v for k, v in previous.items() if k in ("root_view_id", "previous_view_id")},
            **view,
            "id": view_id,
            "team_id": sample.TEAM_ID,
            "app_id": sample.APP_ID,
            "bot_id": sample.BOT_ID,
            "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
        }
        stored.setdefault("root_view_id", root or view_id)
        self.state.views[view_id] = stored
        self.state.changed()
        return stored

    def _view_param(self, params: Params) -> dict[str, Any] | None:
        view = params.get("view")
        return view if isinstance(view, dict) and view.get("type") in ("modal", "home") else None

    def _views_open(self, params: Params) -> Answer:
        view, user = self._view_param(params), self.state.use_trigger(params.get("trigger_id") or "")
        if view is None:
            return error("invalid_arguments")
        if user is None:
            return error("invalid_trigger_id")
        stored = self.store_view(view, self.state.new_view_id())
        self.state.stacks[user] = [stored["id"]]
        self.state.changed()
        return {"ok": True, "view": stored}

    def _views_push(self, params: Params) -> Answer:
        view, user = self._view_param(params), self.state.use_trigger(params.get("trigger_id") or "")
        if view is None:
            return error("invalid_arguments")
        if user is None or not self.state.stacks.get(user):
            return error("invalid_trigger_id")
        return self.push(user, view)

    def push(self, user: str, view: dict[str, Any]) -> Answer:
        """Put a view on top of the person's modals (views.push, or `response_action: push`)."""
        stack = self.state.stacks.setdefault(user, [])
        if len(stack) >= MAX_VIEW_STACK:
            return error("push_limit_reached")
        root = stack[0] if stack else None
        stored = self.store_view(view, self.state.new_view_id(), root=root)
        stored["previous_view_id"] = stack[-1] if stack else None
        stack.append(stored["id"])
        self.state.changed()
        return {"ok": True, "view": stored}

    def _views_update(self, params: Params) -> Answer:
        view = self._view_param(params)
        view_id = params.get("view_id") or self._by_external_id(params.get("external_id"))
        if view is None or not view_id:
            return error("invalid_arguments")
        previous = self.state.views.get(view_id)
        if previous is None or self.state.owner_of_view(view_id) is None:
            return error("not_found")
        if params.get("hash") and params["hash"] != previous["hash"]:
            return error("hash_conflict")
        return {"ok": True, "view": self.store_view(view, view_id)}

    def _by_external_id(self, external_id: str | None) -> str | None:
        if not external_id:
            return None
        return next((v["id"] for v in self.state.views.values() if v.get("external_id") == external_id), None)

    def _views_publish(self, params: Params) -> Answer:
        view, user = self._view_param(params), params.get("user_id") or ""
        if view is None or view.get("type") != "home":
            return error("invalid_arguments")
        if not sample.person(user):
            return error("user_not_found")
        previous_id = self.state.homes.get(user)
        previous = self.state.views.get(previous_id or "")
        if previous and params.get("hash") and params["hash"] != previous["hash"]:
            return error("hash_conflict")
        stored = self.store_view(view, previous_id or self.state.new_view_id())
        self.state.homes[user] = stored["id"]
        return {"ok": True, "view": stored}
