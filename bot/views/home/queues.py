"""The Home tab's work queues: what waits for the person to act on it."""

from __future__ import annotations

from slack_sdk.models.blocks import Block

from bot.services.home.service import HomeList, HomeQueue
from bot.views.home.lists import list_blocks


def waiting_for_triage(queue: HomeQueue) -> list[Block]:
    """Triagers (admins while nobody is named): new requests nobody has triaged, oldest first."""
    if not queue.is_triager:
        return []
    return list_blocks(
        queue,
        HomeList.TRIAGE,
        ":mailbox_with_mail: Waiting for triage",
        "Every request is triaged. New ones appear here, oldest first.",
    )


def assigned_to_you(queue: HomeQueue) -> list[Block]:
    """Open requests assigned to the person (shown to those who have any)."""
    if not queue.assigned.total:
        return []
    return list_blocks(queue, HomeList.ASSIGNED, ":hammer_and_wrench: Assigned to you", "")


def your_proposals(queue: HomeQueue) -> list[Block]:
    """The person's open roadmap proposals and whose vote each waits for (shown to proposers)."""
    if not queue.your_proposals.total:
        return []
    return list_blocks(queue, HomeList.PROPOSALS, ":scroll: Your proposals", "")
