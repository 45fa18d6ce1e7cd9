"""A request's one transition table: from each status, which moves exist, who may make each, and
whom each tells. The card's buttons are derived from it and the service checks it on every click.

Moves only go forward: once a request is planned, in progress or closed, triage is over (the
roadmap and launches move it on), so Accept, Decline, Need info and Mark duplicate are gone.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from storage.models import RequestStatus


class Move(StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"
    NEED_INFO = "need_info"
    MARK_DUPLICATE = "mark_duplicate"
    ASSIGN = "assign"


class Actor(StrEnum):
    """Who may make a move (the roles come from `bot.services.settings.permissions`)."""

    TRIAGER = "triager"


class Told(StrEnum):
    """Who hears of a move (the actor never does)."""

    REQUESTER = "requester"
    FOLLOWERS = "followers"
    ASSIGNEE = "assignee"


@dataclass(frozen=True)
class Transition:
    move: Move
    to: RequestStatus | None  # None: the status stays
    by: Actor
    tells: tuple[Told, ...]


_EVERYONE = (Told.REQUESTER, Told.FOLLOWERS)
_ACCEPT = Transition(Move.ACCEPT, RequestStatus.ACCEPTED, Actor.TRIAGER, _EVERYONE)
_DECLINE = Transition(Move.DECLINE, RequestStatus.DECLINED, Actor.TRIAGER, _EVERYONE)
_NEED_INFO = Transition(Move.NEED_INFO, RequestStatus.NEEDS_INFO, Actor.TRIAGER, _EVERYONE)
_DUPLICATE = Transition(Move.MARK_DUPLICATE, RequestStatus.DUPLICATE, Actor.TRIAGER, _EVERYONE)
_ASSIGN = Transition(Move.ASSIGN, None, Actor.TRIAGER, (Told.ASSIGNEE, *_EVERYONE))

TABLE: dict[RequestStatus, tuple[Transition, ...]] = {
    RequestStatus.NEW: (_ACCEPT, _DECLINE, _NEED_INFO, _DUPLICATE, _ASSIGN),
    RequestStatus.NEEDS_INFO: (_ACCEPT, _DECLINE, _DUPLICATE, _ASSIGN),
    RequestStatus.ACCEPTED: (_DECLINE, _NEED_INFO, _DUPLICATE, _ASSIGN),
    RequestStatus.PLANNED: (_ASSIGN,),
    RequestStatus.IN_PROGRESS: (_ASSIGN,),
    RequestStatus.DONE: (),
    RequestStatus.DECLINED: (),
    RequestStatus.DUPLICATE: (),
}


def moves_in(status: str) -> list[Move]:
    """Every move that exists from `status` (what a card in a channel, seen by all, offers)."""
    return [transition.move for transition in TABLE[RequestStatus(status)]]


def moves_for(status: str, roles: set[Actor]) -> list[Move]:
    """The moves this person may make from `status` (what their own DM, ephemeral or Home offers)."""
    return [transition.move for transition in TABLE[RequestStatus(status)] if transition.by in roles]


def transition(status: str, move: Move) -> Transition | None:
    """The transition `move` makes from `status`, or None when that move does not exist there."""
    return next((t for t in TABLE[RequestStatus(status)] if t.move == move), None)
