"""Signed requests shaped as Slack sends them over HTTP, with the same payloads for Socket Mode.

Every builder takes the signing secret and returns a `SignedRequest` (body, headers, payload, kind).
The view-state helpers (`plain_text`, `static_select`...) and event builders are re-exported here.
"""

from __future__ import annotations

from typing import Any

from .events import app_home_opened_event, app_mention_event, event, message_event, url_verification
from .signing import (
    CHANNEL_ID,
    DUMMY_RESPONSE_URL,
    USER_ID,
    VERIFICATION_TOKEN,
    SignedRequest,
    action_ts,
    new_trigger_id,
    new_ts,
    new_view_id,
    sign,
    signed_form,
    signed_interactive,
)
from .state_values import (
    checkboxes,
    conversations_select,
    datepicker,
    external_select,
    multi_external_select,
    multi_users_select,
    option,
    plain_text,
    static_select,
    timepicker,
    users_select,
)
from .workspace import APP_ID, BOT_ID, BOT_USER_ID, TEAM_DOMAIN, TEAM_ID, view_object

__all__ = [
    "DUMMY_RESPONSE_URL",
    "SignedRequest",
    "app_home_opened_event",
    "app_mention_event",
    "block_action",
    "block_suggestion",
    "checkboxes",
    "conversations_select",
    "datepicker",
    "event",
    "external_select",
    "global_shortcut",
    "message_event",
    "message_shortcut",
    "multi_external_select",
    "multi_users_select",
    "new_trigger_id",
    "new_ts",
    "option",
    "plain_text",
    "sign",
    "slash_command",
    "static_select",
    "timepicker",
    "url_verification",
    "users_select",
    "view_closed",
    "view_submission",
]


def _name(an_id: str) -> str:
    """Turn "C_GENERAL" into "general" and "U_ALICE" into "alice"."""
    return an_id.split("_", 1)[-1].lower()


def _user(user_id: str, team_id: str) -> dict[str, Any]:
    return {"id": user_id, "username": _name(user_id), "name": _name(user_id), "team_id": team_id}


def _team(team_id: str) -> dict[str, Any]:
    return {"id": team_id, "domain": TEAM_DOMAIN}


def _channel(channel_id: str) -> dict[str, Any]:
    return {"id": channel_id, "name": "directmessage" if channel_id.startswith("D") else _name(channel_id)}


def _common(kind: str, user_id: str, team_id: str) -> dict[str, Any]:
    """The fields every interactivity payload starts with."""
    return {
        "type": kind,
        "user": _user(user_id, team_id),
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "team": _team(team_id),
        "enterprise": None,
        "is_enterprise_install": False,
    }


def _view(view: dict[str, Any] | None, team_id: str) -> dict[str, Any]:
    fields = dict(view or {})
    return view_object(fields.pop("id", None) or new_view_id(), team_id=team_id, **fields)


def _message(message: dict[str, Any] | None, team_id: str) -> dict[str, Any]:
    base = {"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID, "app_id": APP_ID, "team": team_id}
    return {**base, "text": "", "blocks": [], **(message or {}), "ts": (message or {}).get("ts") or new_ts()}


def slash_command(
    secret: str,
    *,
    command: str = "/request",
    text: str = "",
    user_id: str = USER_ID,
    team_id: str = TEAM_ID,
    channel_id: str = CHANNEL_ID,
    trigger_id: str | None = None,
    response_url: str = DUMMY_RESPONSE_URL,
    timestamp: int | None = None,
) -> SignedRequest:
    """A form-encoded slash command with every field Slack sends, in Slack's order.

    `text` is what the person typed; Slack sends it HTML-encoded (`&`, `<`, `>`), so it is here too.
    """
    fields = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "team_domain": TEAM_DOMAIN,
        "channel_id": channel_id,
        "channel_name": _channel(channel_id)["name"],
        "user_id": user_id,
        "user_name": _name(user_id),
        "command": command,
        "text": text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"),
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id or new_trigger_id(),
    }
    return signed_form(secret, fields, "slash_commands", timestamp)


def _action(
    action_id: str,
    block_id: str,
    value: str | None,
    selected_user: str | None,
    selected_option: str | dict[str, Any] | None,
    action_type: str | None,
    selected_options: list[str | dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """One entry of `actions`: a button unless a user, an option or checkboxes were selected."""
    if selected_options is not None:
        chosen_all = [option(o) if isinstance(o, str) else o for o in selected_options]
        kind, fields = "checkboxes", {"selected_options": chosen_all}
    elif selected_user is not None:
        kind, fields = "users_select", {"selected_user": selected_user}
    elif selected_option is not None:
        chosen = option(selected_option) if isinstance(selected_option, str) else selected_option
        kind, fields = "static_select", {"selected_option": chosen}
    else:
        kind, fields = "button", {"text": {"type": "plain_text", "text": "Button", "emoji": True}}
        if value is not None:
            fields["value"] = value
    return {
        "action_id": action_id,
        "block_id": block_id,
        "type": action_type or kind,
        **fields,
        "action_ts": action_ts(),
    }


def block_action(
    secret: str,
    *,
    action_id: str,
    block_id: str = "b",
    value: str | None = None,
    selected_user: str | None = None,
    selected_option: str | dict[str, Any] | None = None,
    action_type: str | None = None,
    selected_options: list[str | dict[str, Any]] | None = None,
    user_id: str = USER_ID,
    team_id: str = TEAM_ID,
    channel_id: str = CHANNEL_ID,
    message: dict[str, Any] | None = None,
    view: dict[str, Any] | None = None,
    container: dict[str, Any] | None = None,
    trigger_id: str | None = None,
    response_url: str = DUMMY_RESPONSE_URL,
    timestamp: int | None = None,
) -> SignedRequest:
    """A `block_actions` payload from a message, or from a view (modal/home) when `view` is given.

    Like Slack, a view-surface payload has no channel, message or response_url.
    """
    payload = _common("block_actions", user_id, team_id)
    if view is not None:
        full_view = _view(view, team_id)
        payload.update(view=full_view, container={"type": "view", "view_id": full_view["id"]})
    else:
        msg = _message(message, team_id)
        surface = {
            "type": "message",
            "message_ts": msg["ts"],
            "channel_id": channel_id,
            "is_ephemeral": False,
        }
        payload.update(
            container=surface, channel=_channel(channel_id), message=msg, response_url=response_url
        )
        payload["state"] = {"values": {}}
    if container is not None:
        payload["container"] = container
    payload["trigger_id"] = trigger_id or new_trigger_id()
    payload["actions"] = [
        _action(action_id, block_id, value, selected_user, selected_option, action_type, selected_options)
    ]
    return signed_interactive(secret, payload, timestamp)


def view_submission(
    secret: str,
    *,
    callback_id: str,
    values: dict[str, dict[str, dict[str, Any]]] | None = None,
    private_metadata: str = "",
    user_id: str = USER_ID,
    team_id: str = TEAM_ID,
    view_id: str | None = None,
    hash: str | None = None,
    trigger_id: str | None = None,
    blocks: list[dict[str, Any]] | None = None,
    response_urls: list[dict[str, Any]] | None = None,
    timestamp: int | None = None,
) -> SignedRequest:
    """A `view_submission` payload; `values` is `{block_id: {action_id: state_value}}`."""
    fields: dict[str, Any] = {"callback_id": callback_id, "private_metadata": private_metadata}
    fields.update(state={"values": values or {}}, blocks=blocks or [])
    view = _view({"id": view_id, **fields, **({"hash": hash} if hash else {})}, team_id)
    payload = _common("view_submission", user_id, team_id)
    payload.update(trigger_id=trigger_id or new_trigger_id(), view=view, response_urls=response_urls or [])
    return signed_interactive(secret, payload, timestamp)


def view_closed(
    secret: str,
    *,
    callback_id: str,
    private_metadata: str = "",
    user_id: str = USER_ID,
    team_id: str = TEAM_ID,
    view_id: str | None = None,
    hash: str | None = None,
    is_cleared: bool = False,
    timestamp: int | None = None,
) -> SignedRequest:
    """A `view_closed` payload (sent only for views opened with notify_on_close)."""
    fields = {"id": view_id, "callback_id": callback_id, "private_metadata": private_metadata}
    view = _view({**fields, "notify_on_close": True, **({"hash": hash} if hash else {})}, team_id)
    payload = _common("view_closed", user_id, team_id)
    payload.update(view=view, is_cleared=is_cleared)
    return signed_interactive(secret, payload, timestamp)


def message_shortcut(
    secret: str,
    *,
    callback_id: str,
    message: dict[str, Any] | None = None,
    channel_id: str = CHANNEL_ID,
    user_id: str = USER_ID,
    team_id: str = TEAM_ID,
    trigger_id: str | None = None,
    response_url: str = DUMMY_RESPONSE_URL,
    timestamp: int | None = None,
) -> SignedRequest:
    """A `message_action` payload: a message shortcut run on `message` (type, user, ts, text)."""
    base = {"type": "message", "user": user_id, "text": "", "team": team_id}
    msg = {**base, **(message or {}), "ts": (message or {}).get("ts") or new_ts()}
    payload = _common("message_action", user_id, team_id)
    payload.update(callback_id=callback_id, trigger_id=trigger_id or new_trigger_id(), action_ts=action_ts())
    payload.update(channel=_channel(channel_id), message_ts=msg["ts"], message=msg, response_url=response_url)
    return signed_interactive(secret, payload, timestamp)


def global_shortcut(
    secret: str,
    *,
    callback_id: str,
    user_id: str = USER_ID,
    team_id: str = TEAM_ID,
    trigger_id: str | None = None,
    timestamp: int | None = None,
) -> SignedRequest:
    """A `shortcut` payload (global shortcut): no channel and no response_url."""
    payload = _common("shortcut", user_id, team_id)
    payload.update(callback_id=callback_id, trigger_id=trigger_id or new_trigger_id(), action_ts=action_ts())
    return signed_interactive(secret, payload, timestamp)


def block_suggestion(
    secret: str,
    *,
    action_id: str,
    block_id: str = "b",
    value: str = "",
    user_id: str = USER_ID,
    team_id: str = TEAM_ID,
    view: dict[str, Any] | None = None,
    container: dict[str, Any] | None = None,
    timestamp: int | None = None,
) -> SignedRequest:
    """A `block_suggestion` payload (external_select options load) for the text typed so far.

    From a view unless `container` says `"type": "message"` (then it carries the channel).
    """
    payload = _common("block_suggestion", user_id, team_id)
    payload.update(action_id=action_id, block_id=block_id, value=value)
    if container is not None and container.get("type") == "message":
        payload.update(container=container, channel=_channel(container.get("channel_id", CHANNEL_ID)))
    else:
        full_view = _view(view, team_id)
        payload.update(view=full_view, container=container or {"type": "view", "view_id": full_view["id"]})
    return signed_interactive(secret, payload, timestamp)
