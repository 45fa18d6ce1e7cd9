"""Acting on a suggestion: +1 an existing request instead of filing, or merge a new one into it.

Each is one unit of work, so a +1 never lands without its follow, nor a merge half done. A +1
aimed at a duplicate counts for its original; a person's own request is followed, never +1ed
(its demand is the request itself).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.errors import NotAllowed, PmbotError
from bot.services.requests import triage
from bot.services.requests.changes import Change, add_person, change_request
from bot.services.requests.originals import Reached, reach
from bot.services.requests.reads import require
from storage import requests as queries
from storage.models import Request, RequestStatus

CLOSED_AS = {RequestStatus.DONE: "is done already", RequestStatus.DECLINED: "was declined"}
FILE_IF = {
    RequestStatus.DONE: "If it misses something you need",
    RequestStatus.DECLINED: "If something has changed since",
}


@dataclass(frozen=True)
class PlusOne:
    """What a +1 did, on the request it reached (the original, when a duplicate was clicked)."""

    reached: Reached
    added: bool  # a new +1 counted (False: given before, or the person's own request)
    own: bool = False  # the person asked for it: it counts their need already, so it was only followed


async def upvote(
    session: AsyncSession, clock: Clock, *, team_id: str, user_id: str, number: int, follow: bool
) -> PlusOne:
    """+1 REQ-`number` (its original, if it is a duplicate) unless the person asked for it; and
    follow it too when `follow`. Refused when it is done or declined: a +1 would not reopen it
    (and, given instead of filing, the person's need would be lost in it)."""
    reached = await reach(session, await require(session, team_id, number))
    _refuse_plus_one(reached.request)
    target = reached.request.number
    own = user_id == reached.request.requester_id
    added = not own and await _add(session, clock, team_id, user_id, target, "upvoted")
    if follow:
        await _add(session, clock, team_id, user_id, target, "followed")
    return PlusOne(reached, added=added, own=own)


async def follow(
    session: AsyncSession, clock: Clock, *, team_id: str, user_id: str, number: int
) -> tuple[Reached, bool]:
    """Follow REQ-`number`, or its original if it is a duplicate; False if the person already did."""
    reached = await reach(session, await require(session, team_id, number))
    return reached, await _add(session, clock, team_id, user_id, reached.request.number, "followed")


async def merge_into(
    session: AsyncSession, clock: Clock, *, team_id: str, filer_id: str, number: int, original_number: int
) -> PlusOne:
    """Withdraw REQ-`number` as a duplicate of REQ-`original_number` (or of its original, when it has
    been closed as a duplicate since), which its filer +1s (unless they asked for it) and follows.
    Refused when that one is done or declined: the new request stays filed for triage."""
    original = await reach(session, await require(session, team_id, original_number))
    _refuse_merge(original.request, number)
    merged = await change_request(
        session,
        clock,
        team_id=team_id,
        actor_id=filer_id,
        number=number,
        action="merged",
        apply=_merged(team_id, filer_id, number, original_number),
        notify_also=[],
    )
    into = await queries.get_request_by_id(session, team_id, merged.duplicate_of_id or 0)
    assert into is not None, "a merged request names its original"
    return await upvote(session, clock, team_id=team_id, user_id=filer_id, number=into.number, follow=True)


def _refuse_plus_one(request: Request) -> None:
    if request.status in CLOSED_AS:
        raise PmbotError(
            f"{request.ref} {CLOSED_AS[request.status]}, so a +1 would not change it. "
            f"{FILE_IF[request.status]}, file your request and say what."
        )


def _refuse_merge(request: Request, number: int) -> None:
    if request.status in CLOSED_AS:
        raise PmbotError(
            f"{request.ref} {CLOSED_AS[request.status]}, so REQ-{number} was not merged into it: "
            "it stays filed for a triager to decide."
        )


async def _add(
    session: AsyncSession, clock: Clock, team_id: str, user_id: str, number: int, action: str
) -> bool:
    add = queries.add_upvote if action == "upvoted" else queries.add_follower
    return await add_person(
        session, clock, team_id=team_id, user_id=user_id, number=number, add=add, action=action
    )


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
