"""The Slack app manifest: every command, shortcut, event, scope and URL pmbot needs."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, urlsplit

import yaml

from bot.views import ids

COMMANDS = [
    {
        "command": "/request",
        "description": "File a stakeholder request, or list and look up requests",
        "usage_hint": "[title] | list [mine|open|all|<status>] | REQ-12 | settings | help",
    },
    {
        "command": "/roadmap",
        "description": "See the roadmap, propose a change, see pending approvals",
        "usage_hint": "[RM-4 | words] | propose | pending | settings | help",
    },
    {
        "command": "/launch",
        "description": "Plan a launch with a checklist thread, see upcoming launches, run go / no-go",
        "usage_hint": "new | list | LCH-3 | <name> | gonogo <launch> | templates | help",
    },
    {
        "command": "/digest",
        "description": "Subscribe this channel to a weekly status digest, preview it, post it now",
        "usage_hint": "subscribe | unsubscribe | list | preview | now | help",
    },
]
SHORTCUTS = [
    {
        "name": "File as request",
        "type": "message",
        "callback_id": ids.FILE_AS_REQUEST,
        "description": "File this message as a request to the product team",
    },
]
# Only what the code calls: slash commands; chat.postMessage/update/postEphemeral (a DM is a
# chat.postMessage to the user's id, which needs no im:write); users.info (timezones, admin flags);
# usergroups.users.list (approvers given as a user group); conversations.history / replies in
# public and private channels, to find a post whose answer was lost (README, "Why pmbot reads
# channel history"; no im:history).
BOT_SCOPES = ["commands", "chat:write", "users:read", "usergroups:read", "channels:history", "groups:history"]
BOT_EVENTS = ["app_home_opened", "app_uninstalled", "tokens_revoked"]


CREATE_APP_URL = "https://api.slack.com/apps?new_app=1&manifest_json="


class ManifestError(ValueError):
    """The URL given for the manifest is not one Slack accepts."""


def public_url(url: str) -> str:
    """The base URL Slack will call, checked: Slack sends requests only to https URLs."""
    parts = urlsplit(url.strip())
    if parts.scheme != "https" or not parts.netloc:
        raise ManifestError(
            f"--url must be the https:// address where Slack reaches pmbot (got {url!r}); Slack only "
            "calls https URLs. With no public https address, use --socket-mode instead"
        )
    return url.strip()


def build_manifest(url: str | None, *, socket_mode: bool = False) -> dict[str, Any]:
    """The manifest for an app served at `url` (HTTP mode) or over Socket Mode."""
    events_url = f"{url.rstrip('/')}/slack/events" if url else None
    commands = [{**command, "should_escape": False} for command in COMMANDS]
    interactivity: dict[str, Any] = {"is_enabled": True}
    events: dict[str, Any] = {"bot_events": BOT_EVENTS}
    if not socket_mode and events_url:
        for command in commands:
            command["url"] = events_url
        interactivity |= {"request_url": events_url, "message_menu_options_url": events_url}
        events["request_url"] = events_url
    return {
        "display_information": {
            "name": "pmbot",
            "description": "Requests, roadmap approvals, launch checklists and status digests.",
            "background_color": "#2c2d30",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": True,
            },
            "bot_user": {"display_name": "pmbot", "always_online": True},
            "slash_commands": commands,
            "shortcuts": SHORTCUTS,
        },
        "oauth_config": {"scopes": {"bot": BOT_SCOPES}},
        "settings": {
            "event_subscriptions": events,
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": socket_mode,
            "token_rotation_enabled": False,
        },
    }


def create_app_link(url: str | None, *, socket_mode: bool = False) -> str:
    """A link that opens Slack's "Create app" page with this manifest filled in."""
    manifest = json.dumps(build_manifest(url, socket_mode=socket_mode), separators=(",", ":"))
    return CREATE_APP_URL + quote(manifest, safe="")


def manifest_yaml(url: str | None, *, socket_mode: bool = False) -> str:
    """The manifest as YAML, ready to paste into api.slack.com/apps → Create New App."""
    return yaml.safe_dump(build_manifest(url, socket_mode=socket_mode), sort_keys=False, allow_unicode=True)
