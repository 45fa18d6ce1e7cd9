"""A launch's one transition table: from each status, which moves exist and who may make each.
The parent message's buttons come from it (everyone's moves: a channel sees one message), a private
`/launch LCH-n` shows only the viewer's, and the service checks the same roles on every click."""

from __future__ import annotations

from enum import StrEnum

from bot import text
from storage.models import Launch, LaunchStatus


class LaunchMove(StrEnum):
    MARK_LAUNCHED = "mark_launched"
    CHANGE_DATE = "change_date"
    OPEN_GONOGO = "open_gonogo"
    CANCEL = "cancel"


class LaunchRole(StrEnum):
    RUNNER = "runner"  # the launch owner and admins
    DECIDER = "decider"  # the go / no-go deciders


_RUNNING = {
    LaunchMove.MARK_LAUNCHED: {LaunchRole.RUNNER},
    LaunchMove.CHANGE_DATE: {LaunchRole.RUNNER},
    LaunchMove.OPEN_GONOGO: {LaunchRole.RUNNER, LaunchRole.DECIDER},
    LaunchMove.CANCEL: {LaunchRole.RUNNER},
}
TABLE: dict[LaunchStatus, dict[LaunchMove, set[LaunchRole]]] = {
    LaunchStatus.PLANNED: _RUNNING,
    LaunchStatus.SLIPPED: _RUNNING,
    LaunchStatus.LAUNCHED: {},  # over: nothing goes back to planned
    LaunchStatus.CANCELLED: {},
}


def moves_in(status: str) -> list[LaunchMove]:
    """Every move that exists from `status`."""
    return list(TABLE[LaunchStatus(status)])


def moves_for(status: str, roles: set[LaunchRole]) -> list[LaunchMove]:
    """The moves a person with `roles` may make from `status`."""
    return [move for move, who in TABLE[LaunchStatus(status)].items() if who & roles]


def roles_of(user_id: str, launch: Launch, *, is_admin: bool) -> set[LaunchRole]:
    """What a person is to this launch."""
    roles = set()
    if is_admin or user_id == launch.owner_id:
        roles.add(LaunchRole.RUNNER)
    if user_id in launch.decider_ids:
        roles.add(LaunchRole.DECIDER)
    return roles


def runner_refusal(launch: Launch, doing: str) -> str:
    """What someone who is neither the launch owner nor an admin is told: who can."""
    return f"Only {launch.ref}'s owner and admins can {doing}. Its owner is {text.user(launch.owner_id)}."


def poll_refusal(launch: Launch) -> str:
    """What someone who may not open the go / no-go poll is told: who can."""
    people = " ".join(text.user(user_id) for user_id in dict.fromkeys([launch.owner_id, *launch.decider_ids]))
    return f"Only {launch.ref}'s owner, deciders and admins open its go / no-go poll: {people} or an admin."
