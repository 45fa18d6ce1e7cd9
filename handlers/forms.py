"""Modal state → typed input, or inline errors keyed by block_id."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar

from bot.errors import InvalidInput
from bot.services.requests.service import RequestDraft
from bot.services.settings.service import DigestDefaults, WorkspaceSettings
from bot.views import ids
from storage.models import Impact, RequestKind

# The earliest timezone on Earth is UTC-12: a date is only "in the past" once it is over there.
EARLIEST_UTC_OFFSET = timedelta(hours=-12)

E = TypeVar("E", bound=StrEnum)
State = dict[str, dict[str, dict[str, Any]]]


def request_draft(state: State, *, now: datetime) -> RequestDraft:
    """The request typed into the request modal; InvalidInput names each bad field."""
    title = _text(state, ids.TITLE)
    needed_by = _date(state, ids.NEEDED_BY)
    errors: dict[str, str] = {}
    if not title:
        errors[ids.TITLE] = "Give the request a title."
    if needed_by is not None and needed_by < _earliest_today(now):
        errors[ids.NEEDED_BY] = "That date has passed; pick today or a later day."
    kind = _choice(state, ids.KIND, RequestKind, RequestKind.FEATURE, errors)
    impact = _choice(state, ids.IMPACT, Impact, Impact.MEDIUM, errors)
    if errors:
        raise InvalidInput(errors)
    return RequestDraft(
        title=title,
        description=_text(state, ids.DESCRIPTION),
        kind=kind,
        impact=impact,
        on_behalf_of=_text(state, ids.ON_BEHALF_OF) or None,
        needed_by=needed_by,
    )


def required_text(state: State, block_id: str, missing: str) -> str:
    """One required text field, such as a decline reason."""
    value = _text(state, block_id)
    if not value:
        raise InvalidInput({block_id: missing})
    return value


def workspace_settings(state: State) -> WorkspaceSettings:
    """The settings modal's values."""
    channel = _value(state, ids.INTAKE_CHANNEL).get("selected_conversation")
    if not channel:
        raise InvalidInput({ids.INTAKE_CHANNEL: "Pick the channel where request cards go."})
    users = _value(state, ids.TRIAGERS).get("selected_users") or []
    return WorkspaceSettings(intake_channel_id=channel, triager_ids=list(users))


def user_ids(state: State, block_id: str) -> list[str]:
    """The people picked in a multi-user select (none is an empty list)."""
    return list(_value(state, block_id).get("selected_users") or [])


def digest_defaults(state: State) -> DigestDefaults:
    """The digest defaults modal's day and time ("HH:MM")."""
    day = _selected(state, ids.DEFAULT_DIGEST_DAY)
    picked = _value(state, ids.DEFAULT_DIGEST_TIME).get("selected_time") or ""
    try:
        hour, minute = (int(part) for part in picked.split(":"))
        weekday = int(day or "")
    except ValueError:
        raise InvalidInput({ids.DEFAULT_DIGEST_TIME: "Pick a day of the week and a time of day."}) from None
    return DigestDefaults(weekday=weekday, hour=hour, minute=minute)


def _value(state: State, block_id: str) -> dict[str, Any]:
    return state.get(block_id, {}).get(ids.VALUE, {})


def _text(state: State, block_id: str) -> str:
    return (_value(state, block_id).get("value") or "").strip()


def _selected(state: State, block_id: str) -> str | None:
    selected = _value(state, block_id).get("selected_option")
    return selected.get("value") if selected else None


def _choice(state: State, block_id: str, choices: type[E], default: E, errors: dict[str, str]) -> E:
    selected = _selected(state, block_id)
    try:
        return choices(selected) if selected else default
    except ValueError:
        errors[block_id] = "Pick one of the options."
        return default


def _date(state: State, block_id: str) -> date | None:
    raw = _value(state, block_id).get("selected_date")
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        raise InvalidInput({block_id: "That is not a date."}) from None


def _earliest_today(now: datetime) -> date:
    return (now.astimezone(UTC) + EARLIEST_UTC_OFFSET).date()
