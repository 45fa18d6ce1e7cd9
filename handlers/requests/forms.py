"""The request modal's state → a RequestDraft, or inline errors keyed by block_id."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.errors import InvalidInput
from bot.services.requests.types import RequestDraft
from bot.views import ids
from handlers.forms import State, choice, picked_date, typed
from storage.models import Impact, RequestKind

# The earliest timezone on Earth is UTC-12: a date is only "in the past" once it is over there.
EARLIEST_UTC_OFFSET = timedelta(hours=-12)


def request_draft(state: State, *, now: datetime) -> RequestDraft:
    """The request typed into the request modal; InvalidInput names each bad field."""
    title = typed(state, ids.TITLE)
    needed_by = picked_date(state, ids.NEEDED_BY)
    errors: dict[str, str] = {}
    if not title:
        errors[ids.TITLE] = "Give the request a title."
    if needed_by is not None and needed_by < _earliest_today(now):
        errors[ids.NEEDED_BY] = "That date has passed; pick today or a later day."
    kind = choice(state, ids.KIND, RequestKind, RequestKind.FEATURE, errors)
    impact = choice(state, ids.IMPACT, Impact, Impact.MEDIUM, errors)
    if errors:
        raise InvalidInput(errors)
    return RequestDraft(
        title=title,
        description=typed(state, ids.DESCRIPTION),
        kind=kind,
        impact=impact,
        on_behalf_of=typed(state, ids.ON_BEHALF_OF) or None,
        needed_by=needed_by,
    )


def _earliest_today(now: datetime) -> date:
    return (now.astimezone(UTC) + EARLIEST_UTC_OFFSET).date()
