"""`/roadmap help`: its usage, the admins' line only to admins."""

from __future__ import annotations

from slack_sdk.models.blocks import Block

from bot.views.common import section

USAGE = [
    "*pmbot roadmap*",
    "`/roadmap` — the roadmap, by horizon, with a button to share it",
    "`/roadmap RM-4` or `/roadmap <words>` — one item and its history",
    "`/roadmap propose` — propose a change (approvers decide)",
    "`/roadmap pending` — proposals waiting for votes, and whose vote is missing",
    "`/roadmap help` — this help",
]
ADMIN_USAGE = "`/roadmap settings` — approvers, quorum, expiry and channels (admins)"


def help_blocks(prefix: str = "", *, admin: bool = False) -> list[Block]:
    """Usage of `/roadmap`, after an optional line saying what was not found; the admins' line
    only to an admin (the others could not use it)."""
    lines = list(USAGE)
    if admin:
        lines.insert(lines.index("`/roadmap help` — this help"), ADMIN_USAGE)
    return [*([section(prefix)] if prefix else []), section("\n".join(lines))]
