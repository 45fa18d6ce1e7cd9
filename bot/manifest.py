"""The Slack app manifest: every command, shortcut, event, scope and URL pmbot needs."""

from __future__ import annotations

from typing import Any

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
BOT_SCOPES = ["commands", "chat:write", "users:read", "im:write", "usergroups:read"]
BOT_EVENTS = ["app_home_opened", "app_uninstalled", "tokens_revoked"]


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


def manifest_yaml(url: str | None, *, socket_mode: bool = False) -> str:
    """The manifest as YAML, ready to paste into api.slack.com/apps → Create New App."""
    return yaml.safe_dump(build_manifest(url, socket_mode=socket_mode), sort_keys=False, allow_unicode=True)
