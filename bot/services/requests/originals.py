"""A duplicate's original: where the demand, the follows and the +1s aimed at a duplicate belong.

A duplicate is closed and never changes again, so whatever is done to it (marked the original of
another request, merged into, +1ed, followed) is done to the request it duplicates instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from storage import requests as queries
from storage.models import Request, RequestStatus


@dataclass(frozen=True)
class Reached:
    """The request a click on `via` acted on: its original (or itself when `via` is None)."""

    request: Request
    via: str | None = None  # the duplicate that was clicked, when the original was reached through it

    @property
    def where(self) -> str:
        """`REQ-1`, or `REQ-1, which REQ-3 duplicates`."""
        ref = self.request.ref
        return f"{ref}, which {self.via} duplicates" if self.via else ref


async def original_of(session: AsyncSession, request: Request) -> Request:
    """The request at the end of `request`'s duplicate chain; `request` itself when it is no duplicate.

    Chains are no longer made (a duplicate's original is resolved when it is marked), but older
    data may hold them; a cycle, or a missing original, stops the walk where it is."""
    seen = {request.id}
    current = request
    while current.status == RequestStatus.DUPLICATE and current.duplicate_of_id is not None:
        following = await queries.get_request_by_id(session, current.team_id, current.duplicate_of_id)
        if following is None or following.id in seen:
            break
        seen.add(following.id)
        current = following
    return current


async def reach(session: AsyncSession, request: Request) -> Reached:
    """`request`, or its original when it is a duplicate (saying which was clicked)."""
    original = await original_of(session, request)
    return Reached(original, via=request.ref if original.id != request.id else None)
