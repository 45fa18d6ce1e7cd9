"""Reading a modal's state: the typed values every form needs, or inline errors keyed by block_id."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any, TypeVar

from bot.errors import InvalidInput
from bot.views import ids

E = TypeVar("E", bound=StrEnum)
State = dict[str, dict[str, dict[str, Any]]]


def required_text(state: State, block_id: str, missing: str) -> str:
    """One required text field, such as a decline reason."""
    text = typed(state, block_id)
    if not text:
        raise InvalidInput({block_id: missing})
    return text


def user_ids(state: State, block_id: str) -> list[str]:
    """The people picked in a multi-user select (none is an empty list)."""
    return list(value(state, block_id).get("selected_users") or [])


def value(state: State, block_id: str) -> dict[str, Any]:
    """The element state of a block (its `value` action)."""
    return state.get(block_id, {}).get(ids.VALUE, {})


def typed(state: State, block_id: str) -> str:
    """The text typed in a block, trimmed."""
    return (value(state, block_id).get("value") or "").strip()


def selected(state: State, block_id: str) -> str | None:
    """The value of the option picked in a select, if any."""
    selected = value(state, block_id).get("selected_option")
    return selected.get("value") if selected else None


def choice(state: State, block_id: str, choices: type[E], default: E, errors: dict[str, str]) -> E:
    """The option picked as one of `choices`; a value outside them adds an inline error."""
    picked = selected(state, block_id)
    try:
        return choices(picked) if picked else default
    except ValueError:
        errors[block_id] = "Pick one of the options."
        return default


def picked_date(state: State, block_id: str) -> date | None:
    """The date picked in a datepicker, if any."""
    raw = value(state, block_id).get("selected_date")
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        raise InvalidInput({block_id: "That is not a date."}) from None
