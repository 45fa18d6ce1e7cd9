"""The admin settings modals' state → typed settings, or inline errors keyed by block_id."""

from __future__ import annotations

from bot.errors import InvalidInput
from bot.services.settings.service import DigestDefaults, WorkspaceSettings
from bot.views import ids
from handlers.forms import State, selected, value


def workspace_settings(state: State) -> WorkspaceSettings:
    """The settings modal's values."""
    channel = value(state, ids.INTAKE_CHANNEL).get("selected_conversation")
    if not channel:
        raise InvalidInput({ids.INTAKE_CHANNEL: "Pick the channel where request cards go."})
    users = value(state, ids.TRIAGERS).get("selected_users") or []
    return WorkspaceSettings(intake_channel_id=channel, triager_ids=list(users))


def digest_defaults(state: State) -> DigestDefaults:
    """The digest defaults modal's day and time ("HH:MM")."""
    day = selected(state, ids.DEFAULT_DIGEST_DAY)
    picked = value(state, ids.DEFAULT_DIGEST_TIME).get("selected_time") or ""
    try:
        hour, minute = (int(part) for part in picked.split(":"))
        weekday = int(day or "")
    except ValueError:
        raise InvalidInput({ids.DEFAULT_DIGEST_TIME: "Pick a day of the week and a time of day."}) from None
    return DigestDefaults(weekday=weekday, hour=hour, minute=minute)
