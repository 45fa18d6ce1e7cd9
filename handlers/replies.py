"""Inline modal errors, as several listeners answer them."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from bot import text
from bot.directory import SlackDirectory
from bot.errors import InvalidInput, PmbotError
from bot.services.roadmap import proposals
from bot.views import ids

NAMES_LOOKED_UP = 10  # people an inline error names (triagers, approvers); more stay "@someone"
NAMES_WAIT = 1.0  # seconds: a view_submission must be answered within 3 s


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


async def named_modal_errors(
    directory: SlackDirectory, team_id: str, error: PmbotError, default_block: str
) -> dict[str, str]:
    """`modal_errors`, the people it names by name (looked up within NAMES_WAIT, else "@someone")."""
    return modal_errors(error, default_block, await _names(directory, team_id, error.message))


async def in_plain_text(directory: SlackDirectory, team_id: str, errors: Mapping[str, str]) -> dict[str, str]:
    """Inline errors (block_id → mrkdwn message) as Slack shows them: plain text, people by name."""
    names = await _names(directory, team_id, " ".join(errors.values()))
    return {block: text.plain_of_mrkdwn(message, names) for block, message in errors.items()}


async def _names(directory: SlackDirectory, team_id: str, message: str) -> dict[str, str]:
    mentioned = text.mentioned_ids(message)[:NAMES_LOOKED_UP]
    if not mentioned:
        return {}
    try:
        return await asyncio.wait_for(directory.names(team_id, mentioned), NAMES_WAIT)
    except TimeoutError:
        return {}


def ids_or(field: str, default_block: str) -> str:
    """A service names fields by what they are; modal blocks use the same names where they exist."""
    known = {ids.TITLE, ids.DESCRIPTION, ids.KIND, ids.IMPACT, ids.ON_BEHALF_OF, ids.NEEDED_BY}
    known |= {ids.REASON, ids.QUESTION, ids.INTAKE_CHANNEL, ids.TRIAGERS, ids.COMMENT}
    known |= {ids.APPROVERS, ids.APPROVER_GROUP, ids.REQUIRED_APPROVALS, ids.EXPIRY_DAYS}
    known |= {proposals.KIND, proposals.ITEM, proposals.TITLE, proposals.DESCRIPTION, proposals.HORIZON}
    known |= {proposals.TARGET_DATE, proposals.OWNER, proposals.RATIONALE, proposals.LINKED}
    return field if field in known else default_block
