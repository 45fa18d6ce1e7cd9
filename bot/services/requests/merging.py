"""Acting on a suggestion: +1 an existing request instead of filing, or merge a new one into it.

Each is one unit of work, so a +1 never lands without its follow, nor a merge half done.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.errors import NotAllowed, PmbotError
from bot.services.requests import triage
from bot.services.requests.changes import Change, add_person, change_request
from storage import requests as queries
from storage.models import Request, RequestStatus


async def upvote_and_follow(
    session: AsyncSession, clock: Clock, *, team_id: str, user_id: str, number: int
) -> bool:
    """+1 REQ-`number` and follow it; False if the person had given their +1 already."""
    upvoted = await add_person(
        session,
        clock,
        team_id=team_id,
        user_id=user_id,
        number=number,
        add=queries.add_upvote,
        action="upvoted",
    )
    await add_person(
        session,
        clock,
        team_id=team_id,
        user_id=user_id,
        number=number,
        add=queries.add_follower,
        action="followed",
    )
    return upvoted


async def merge_into(
    session: AsyncSession, clock: Clock, *, team_id: str, filer_id: str, number: int, original_number: int
) -> None:
    """Withdraw REQ-`number` as a duplicate of REQ-`original_number`, which its filer +1s and follows."""
    await change_request(
        session,
        clock,
        team_id=team_id,
        actor_id=filer_id,
        number=number,
        action="merged",
        apply=_merged(team_id, filer_id, number, original_number),
        notify_also=[],
    )
    await upvote_and_follow(session, clock, team_id=team_id, user_id=filer_id, number=original_number)


def _merged(team_id: str, filer_id: str, number: int, original_number: int) -> Change:
    duplicate = triage.duplicate_of(team_id, number, original_number)

    async def apply(session: AsyncSession, request: Request) -> str | None:
        if request.filed_by_id != filer_id:
            raise NotAllowed(f"Only the person who filed {request.ref} can merge it into another request.")
        if request.status != RequestStatus.NEW:
            raise PmbotError(
                f"{request.ref} has been triaged already, so it can no longer be merged; "
                "a triager can mark it as a duplicate on its card."
            )
        return await duplicate(session, request)

    return apply
