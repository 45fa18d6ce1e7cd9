"""Inline modal errors, as several listeners answer them."""

from __future__ import annotations

from collections.abc import Mapping

from bot import text
from bot.errors import InvalidInput, PmbotError
from bot.services.roadmap import proposals
from bot.views import ids


def modal_errors(
    error: PmbotError, default_block: str, names: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Inline errors for `response_action: errors` (keyed by block_id). Slack shows them as plain
    text, so mentions, dates and links become words (people by `names`, else "@someone")."""
    if isinstance(error, InvalidInput):
        found = {ids_or(field, default_block): message for field, message in error.fields.items()}
    else:
        found = {default_block: error.message}
    return {block: text.plain_of_mrkdwn(message, names) for block, message in found.items()}


def ids_or(field: str, default_block: str) -> str:
    """A service names fields by what they are; modal blocks use the same names where they exist."""
    known = {ids.TITLE, ids.DESCRIPTION, ids.KIND, ids.IMPACT, ids.ON_BEHALF_OF, ids.NEEDED_BY}
    known |= {ids.REASON, ids.QUESTION, ids.INTAKE_CHANNEL, ids.TRIAGERS, ids.COMMENT}
    known |= {ids.APPROVERS, ids.APPROVER_GROUP, ids.REQUIRED_APPROVALS, ids.EXPIRY_DAYS}
    known |= {proposals.KIND, proposals.ITEM, proposals.TITLE, proposals.DESCRIPTION, proposals.HORIZON}
    known |= {proposals.TARGET_DATE, proposals.OWNER, proposals.RATIONALE, proposals.LINKED}
    return field if field in known else default_block
