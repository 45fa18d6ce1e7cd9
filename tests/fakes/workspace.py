"""The state of a fake Slack workspace and the answers Slack's Web API methods give about it."""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from . import history

TEAM_ID = "T_TEST"
TEAM_DOMAIN = "acme"
APP_ID = "A_TEST"
BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
# What a fresh install of pmbot's manifest grants; `auth.test` reports them in x-oauth-scopes.
GRANTED_SCOPES = (
    "commands",
    "chat:write",
    "users:read",
    "usergroups:read",
    "channels:history",
    "groups:history",
)

Answer = dict[str, Any]


def error(code: str, **extra: Any) -> Answer:
    """Slack's answer to a call that failed with `code`."""
    return {"ok": False, "error": code, **extra}


def _dm_channel(channel: str) -> str:
    """Slack opens a DM when a message is posted to a user id; name it like conversations.open does."""
    return "D" + channel if channel[:1] in ("U", "W") else channel


def view_object(view_id: str, *, team_id: str = TEAM_ID, **fields: Any) -> dict[str, Any]:
    """A view as Slack returns and sends it (modal by default); `fields` override the defaults."""
    return {
        "id": view_id,
        "team_id": team_id,
        "type": "modal",
        "blocks": [],
        "private_metadata": "",
        "callback_id": "",
        "state": {"values": {}},
        "hash": f"1700000000.{view_id[-8:]}",
        "title": {"type": "plain_text", "text": "pmbot", "emoji": True},
        "clear_on_close": False,
        "notify_on_close": False,
        "close": None,
        "submit": None,
        "previous_view_id": None,
        "root_view_id": view_id,
        "app_id": APP_ID,
        "external_id": "",
        "app_installed_team_id": team_id,
        "bot_id": BOT_ID,
        **fields,
    }


class SlackWorkspace:
    """One workspace's users, messages, views and user groups, answering Web API methods like Slack."""

    def __init__(self, *, team_id: str = TEAM_ID, team_domain: str = TEAM_DOMAIN) -> None:
        """Start with an empty workspace holding only the bot."""
        self.team_id = team_id
        self.team_domain = team_domain
        self.bot_user_id = BOT_USER_ID
        self.bot_id = BOT_ID
        self.app_id = APP_ID
        self.users: dict[str, dict[str, Any]] = {}
        self.usergroups: dict[str, list[str]] = {}
        self.usergroup_names: dict[str, tuple[str, str]] = {}  # id → (name, handle); else named by id
        self.closed_channels: set[str] = set()
        self.archived_channels: set[str] = set()
        # Set (say to "token_revoked") and every call with a bot token answers that error.
        self.token_refusal: str | None = None
        # Where message ts come from: a serial by default, or seconds from a clock when set.
        self.seconds: Callable[[], float] | None = None
        self._last_ts_micros = 0
        self.messages: dict[tuple[str, str], dict[str, Any]] = {}
        self.views: dict[str, dict[str, Any]] = {}
        self.home_views: dict[str, dict[str, Any]] = {}
        self.socket_url = ""
        self.granted_scopes: list[str] = list(GRANTED_SCOPES)
        self.refused_tokens: set[str] = set()
        self._serial = itertools.count(1)
        self._ts_serial = itertools.count(1)
        self._methods: dict[str, Callable[[dict[str, Any]], Answer]] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.getPermalink": self._chat_get_permalink,
            "chat.delete": self._chat_delete,
            "conversations.open": self._conversations_open,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "users.info": self._users_info,
            "usergroups.users.list": self._usergroups_users_list,
            "usergroups.list": self._usergroups_list,
            "views.open": self._views_open,
            "views.push": self._views_open,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
        }
        self.add_user(BOT_USER_ID, name="pmbot", is_bot=True, is_app_user=True)

    def add_user(
        self,
        user_id: str,
        *,
        tz: str = "UTC",
        is_admin: bool = False,
        is_owner: bool = False,
        name: str | None = None,
        **extra: Any,
    ) -> None:
        """Add a person shaped like Slack's user object; `extra` overrides any field (deleted, is_bot...)."""
        handle = name or user_id.lower()
        offset = ZoneInfo(tz).utcoffset(datetime.now())
        real_name = handle.replace(".", " ").title()
        self.users[user_id] = {
            "id": user_id,
            "team_id": self.team_id,
            "name": handle,
            "real_name": real_name,
            "deleted": False,
            "tz": tz,
            "tz_label": tz,
            "tz_offset": int(offset.total_seconds()) if offset else 0,
            "is_admin": is_admin,
            "is_owner": is_owner,
            "is_primary_owner": False,
            "is_bot": False,
            "is_app_user": False,
            "profile": {"real_name": real_name, "display_name": handle},
            **extra,
        }

    def answer(self, method: str, params: dict[str, Any], token: str | None) -> Answer:
        """Answer one Web API call as Slack would; unknown methods answer `{"ok": true}`."""
        refusal = self._check_token(method, token)
        if refusal is not None:
            return refusal
        if method == "apps.connections.open":
            return {"ok": True, "url": self.socket_url}
        handler = self._methods.get(method)
        return handler(params) if handler else {"ok": True}

    def next_ts(self) -> str:
        """A unique, increasing message timestamp like "1700000000.000100" (or from `seconds()`)."""
        if self.seconds is None:
            micros = 1_700_000_000_000_000 + next(self._ts_serial) * 100
        else:
            micros = max(int(self.seconds() * 1_000_000), self._last_ts_micros + 1)
        self._last_ts_micros = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def permalink(self, channel: str, ts: str) -> str:
        """The permalink Slack builds for a message."""
        return f"https://{self.team_domain}.slack.com/archives/{channel}/p{ts.replace('.', '')}"

    def _check_token(self, method: str, token: str | None) -> Answer | None:
        if method == "api.test":
            return None
        if self.token_refusal and token and token.startswith("xoxb-"):
            return error(self.token_refusal)
        if not token:
            return error("not_authed")
        if token in self.refused_tokens:
            return error("invalid_auth")
        is_app_token = token.startswith("xapp-")
        if is_app_token != (method == "apps.connections.open"):
            return error("not_allowed_token_type")
        return None

    def _auth_test(self, params: dict[str, Any]) -> Answer:
        return {
            "ok": True,
            "url": f"https://{self.team_domain}.slack.com/",
            "team": self.team_domain.title(),
            "user": "pmbot",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _bot_message(self, params: dict[str, Any], ts: str) -> dict[str, Any]:
        message = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "team": self.team_id,
            "text": params.get("text", ""),
            "ts": ts,
        }
        for key in ("blocks", "attachments", "thread_ts", "metadata"):
            if key in params:
                message[key] = params[key]
        return message

    def _postable(self, params: dict[str, Any]) -> Answer | None:
        channel = params.get("channel")
        if not channel:
            return error("channel_not_found")
        if channel in self.closed_channels:
            return error("not_in_channel")
        if channel in self.archived_channels:
            return error("is_archived")
        if not params.get("text") and not params.get("blocks") and not params.get("attachments"):
            return error("no_text")
        return None

    def _chat_post_message(self, params: dict[str, Any]) -> Answer:
        refusal = self._postable(params)
        if refusal is not None:
            return refusal
        channel, ts = _dm_channel(params["channel"]), self.next_ts()
        message = self._bot_message(params, ts)
        self.messages[(channel, ts)] = message
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _chat_update(self, params: dict[str, Any]) -> Answer:
        channel, ts = params.get("channel", ""), params.get("ts", "")
        if not channel or not ts:
            return error("invalid_arguments")
        message = {**self.messages.get((channel, ts), {}), **self._bot_message(params, ts)}
        self.messages[(channel, ts)] = message
        return {"ok": True, "channel": channel, "ts": ts, "text": message["text"], "message": message}

    def _chat_post_ephemeral(self, params: dict[str, Any]) -> Answer:
        refusal = self._postable(params)
        if refusal is not None:
            return refusal
        if not params.get("user"):
            return error("user_not_in_channel")
        return {"ok": True, "message_ts": self.next_ts()}

    def _chat_get_permalink(self, params: dict[str, Any]) -> Answer:
        channel, ts = params.get("channel", ""), params.get("message_ts", "")
        if not channel or not ts:
            return error("invalid_arguments")
        return {"ok": True, "channel": channel, "permalink": self.permalink(channel, ts)}

    def _chat_delete(self, params: dict[str, Any]) -> Answer:
        channel, ts = params.get("channel", ""), params.get("ts", "")
        self.messages.pop((channel, ts), None)
        return {"ok": True, "channel": channel, "ts": ts}

    def _conversations_open(self, params: dict[str, Any]) -> Answer:
        users = params.get("users") or ""
        ids = users if isinstance(users, list) else [u for u in str(users).split(",") if u]
        if not ids:
            return error("users_list_not_supplied")
        channel_id = "D" + ids[0] if len(ids) == 1 else "G" + "_".join(ids)
        return {"ok": True, "channel": {"id": channel_id}}

    def _conversations_history(self, params: dict[str, Any]) -> Answer:
        return history.channel_history(self.messages, params)

    def _conversations_replies(self, params: dict[str, Any]) -> Answer:
        return history.thread_replies(self.messages, params)

    def _users_info(self, params: dict[str, Any]) -> Answer:
        user = self.users.get(params.get("user", ""))
        return {"ok": True, "user": user} if user else error("user_not_found")

    def _usergroups_users_list(self, params: dict[str, Any]) -> Answer:
        users = self.usergroups.get(params.get("usergroup", ""))
        return {"ok": True, "users": list(users)} if users is not None else error("no_such_subteam")

    def _usergroups_list(self, params: dict[str, Any]) -> Answer:
        groups = [
            {"id": group_id, "team_id": self.team_id, "name": name, "handle": handle, "is_usergroup": True}
            for group_id in self.usergroups
            for name, handle in [self.usergroup_names.get(group_id, (group_id, group_id.lower()))]
        ]
        return {"ok": True, "usergroups": groups}

    def _full_view(
        self, view: dict[str, Any], view_id: str, previous: dict[str, Any] | None
    ) -> dict[str, Any]:
        """Fill in the fields Slack adds to a stored view; every store gets a fresh hash."""
        base = previous or view_object(view_id, team_id=self.team_id)
        stored = {
            **base,
            **view,
            "id": view_id,
            "hash": f"{1_700_000_000 + next(self._serial)}.{secrets.token_hex(4)}",
        }
        self.views[view_id] = stored
        return stored

    def _new_view_id(self) -> str:
        return f"V{next(self._serial):010d}"

    def _view_param(self, params: dict[str, Any]) -> dict[str, Any] | None:
        view = params.get("view")
        return view if isinstance(view, dict) else None

    def _views_open(self, params: dict[str, Any]) -> Answer:
        view = self._view_param(params)
        if view is None or not params.get("trigger_id"):
            return error("invalid_arguments")
        return {"ok": True, "view": self._full_view(view, self._new_view_id(), None)}

    def _find_view(self, params: dict[str, Any]) -> dict[str, Any] | None:
        if params.get("view_id"):
            return self.views.get(params["view_id"])
        external_id = params.get("external_id")
        return next((v for v in self.views.values() if external_id and v["external_id"] == external_id), None)

    def _views_update(self, params: dict[str, Any]) -> Answer:
        view = self._view_param(params)
        if view is None or not (params.get("view_id") or params.get("external_id")):
            return error("invalid_arguments")
        previous = self._find_view(params)
        if previous and params.get("hash") and params["hash"] != previous["hash"]:
            return error("hash_conflict")
        view_id = previous["id"] if previous else params.get("view_id") or self._new_view_id()
        return {"ok": True, "view": self._full_view(view, view_id, previous)}

    def _views_publish(self, params: dict[str, Any]) -> Answer:
        view, user_id = self._view_param(params), params.get("user_id")
        if view is None or not user_id:
            return error("invalid_arguments")
        previous = self.home_views.get(user_id)
        if previous and params.get("hash") and params["hash"] != previous["hash"]:
            return error("hash_conflict")
        view_id = previous["id"] if previous else self._new_view_id()
        stored = self._full_view({"type": "home", **view}, view_id, previous)
        self.home_views[user_id] = stored
        return {"ok": True, "view": stored}
