"""Triage decisions on a request: accept, decline, ask for information, mark a duplicate, assign.

Each decision is a Change that `request_changes.change_request` applies to the locked request;
what a decision needs the triager to type is checked before any transaction starts.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import InvalidInput
from bot.services.requests.changes import Change
from bot.services.requests.originals import original_of
from storage import requests as queries
from storage.models import Request, RequestStatus

# A duplicate of a closed request is closed with it: its requester is told how the original ended.
CLOSED_ORIGINAL = {RequestStatus.DONE: ", which is done", RequestStatus.DECLINED: ", which was declined"}
NOTE_MAX = 2000  # a decline's reason, a question: what the modal allows and the DM shows


def accepted() -> Change:
    """Into the backlog."""
    return _set_status(RequestStatus.ACCEPTED)


def declined(reason: str) -> Change:
    """Declined, saying why."""
    _require_text(reason, "reason", "Say why the request is declined.")
    return _set_status(RequestStatus.DECLINED, note=reason)


def asked_for_info(question: str) -> Change:
    """Waiting for the requester's answer to a question."""
    _require_text(question, "question", "Write the question for the requester.")
    return _set_status(RequestStatus.NEEDS_INFO, note=question)


def duplicate_of(team_id: str, number: int, original_number: int) -> Change:
    """Closed as a duplicate of REQ-`original_number` (or of its original, when that request is a
    duplicate itself), whose followers its requester joins."""
    if original_number == number:
        raise InvalidInput({"original": "A request cannot duplicate itself."})

    async def apply(session: AsyncSession, request: Request) -> str:
        picked = await queries.get_request(session, team_id, original_number)
        if picked is None:
            raise InvalidInput({"original": f"There is no REQ-{original_number}."})
        original = await original_of(session, picked)  # a duplicate of a duplicate would hear nothing more
        if original.id == request.id:
            raise InvalidInput(
                {"original": f"{picked.ref} is closed as a duplicate of {request.ref}: pick another request."}
            )
        request.duplicate_of_id = original.id
        request.status = RequestStatus.DUPLICATE
        await queries.add_follower(session, original, request.requester_id)
        return f"Duplicate of {original.ref}" + CLOSED_ORIGINAL.get(original.status, "")

    return apply


def assigned_to(assignee_id: str) -> Change:
    """Someone made responsible; they follow the request from then on."""

    async def apply(session: AsyncSession, request: Request) -> None:
        request.assignee_id = assignee_id
        await queries.add_follower(session, request, assignee_id)

    return apply


def _set_status(status: RequestStatus, *, note: str | None = None) -> Change:
    async def apply(_session: AsyncSession, request: Request) -> str | None:
        request.status = status
        return note

    return apply


def _require_text(value: str, field_name: str, message: str) -> None:
    if not value.strip():
        raise InvalidInput({field_name: message})
    if len(value) > NOTE_MAX:  # the modal's max_length, held on the server too
        raise InvalidInput({field_name: f"Keep it under {NOTE_MAX:,} characters (this is {len(value):,})."})
