"""Builders for the element values Slack reports in `view.state.values[block_id][action_id]`."""

from __future__ import annotations

from typing import Any


def option(value: str, text: str | None = None) -> dict[str, Any]:
    """An option object as Slack echoes it back in `selected_option`."""
    return {"text": {"type": "plain_text", "text": text or value, "emoji": True}, "value": value}


def plain_text(value: str | None) -> dict[str, Any]:
    """A plain_text_input's state; Slack reports an empty optional input as None."""
    return {"type": "plain_text_input", "value": value}


def static_select(value: str | None, text: str | None = None) -> dict[str, Any]:
    """A static_select's state; None means nothing was chosen."""
    return {"type": "static_select", "selected_option": option(value, text) if value is not None else None}


def external_select(value: str | None, text: str | None = None) -> dict[str, Any]:
    """An external_select's state; None means nothing was chosen."""
    return {"type": "external_select", "selected_option": option(value, text) if value is not None else None}


def users_select(user: str | None) -> dict[str, Any]:
    """A users_select's state."""
    return {"type": "users_select", "selected_user": user}


def multi_external_select(options: list[dict[str, Any]]) -> dict[str, Any]:
    """A multi_external_select's state: the options picked, echoed as the options listener sent them."""
    return {"type": "multi_external_select", "selected_options": list(options)}


def multi_users_select(users: list[str]) -> dict[str, Any]:
    """A multi_users_select's state."""
    return {"type": "multi_users_select", "selected_users": list(users)}


def conversations_select(channel: str | None) -> dict[str, Any]:
    """A conversations_select's state."""
    return {"type": "conversations_select", "selected_conversation": channel}


def datepicker(date_str: str | None) -> dict[str, Any]:
    """A datepicker's state; dates are "YYYY-MM-DD" strings."""
    return {"type": "datepicker", "selected_date": date_str}


def timepicker(time_str: str | None) -> dict[str, Any]:
    """A timepicker's state; times are "HH:mm" strings."""
    return {"type": "timepicker", "selected_time": time_str}


def checkboxes(values: list[str]) -> dict[str, Any]:
    """A checkboxes element's state."""
    return {"type": "checkboxes", "selected_options": [option(v) for v in values]}
