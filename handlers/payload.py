"""Reading the parts of a Slack payload that several listeners need."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncBoltContext

from bot.errors import PmbotError


def who(context: AsyncBoltContext) -> tuple[str, str]:
    """(team id, user id) of the person who acted."""
    return context.team_id or "", context.user_id or ""


def number_in_block(action: dict[str, Any], prefix: str, what: str) -> int:
    """The number a card element belongs to: its block_id is "<prefix><number>"."""
    block_id = str(action.get("block_id", ""))
    number = block_id.removeprefix(prefix)
    if not block_id.startswith(prefix) or not number.isdigit():
        raise PmbotError(f"That button does not belong to a {what}.")
    return int(number)
