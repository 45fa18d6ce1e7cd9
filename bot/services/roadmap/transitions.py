"""A proposal's one transition table: from each status, which moves exist and who may make each.
The card in the approvals channel shows the moves that exist (everyone sees it; the server refuses
the rest privately); an approver's DM and the proposer's notice show only that person's moves."""

from __future__ import annotations

from enum import StrEnum

from storage.models import ProposalStatus


class ProposalMove(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    REQUEST_CHANGES = "request_changes"
    RESUBMIT = "resubmit"
    WITHDRAW = "withdraw"


class ProposalRole(StrEnum):
    # An approver who did not propose it (a proposer's vote never counts) and has not voted on its
    # current revision yet (one vote each: a copy shows no votes to someone who already voted).
    APPROVER = "approver"
    PROPOSER = "proposer"


_VOTE = {ProposalRole.APPROVER}
_MINE = {ProposalRole.PROPOSER}
TABLE: dict[ProposalStatus, dict[ProposalMove, set[ProposalRole]]] = {
    ProposalStatus.PENDING: {
        ProposalMove.APPROVE: _VOTE,
        ProposalMove.REJECT: _VOTE,
        ProposalMove.REQUEST_CHANGES: _VOTE,
        ProposalMove.WITHDRAW: _MINE,
    },
    ProposalStatus.CHANGES_REQUESTED: {ProposalMove.RESUBMIT: _MINE, ProposalMove.WITHDRAW: _MINE},
    ProposalStatus.APPROVED: {},  # decided: nothing is withdrawn, edited or voted on any more
    ProposalStatus.REJECTED: {},
    ProposalStatus.WITHDRAWN: {},
    ProposalStatus.EXPIRED: {},
}


def moves_in(status: str) -> list[ProposalMove]:
    """Every move that exists from `status`."""
    return list(TABLE[ProposalStatus(status)])


def moves_for(status: str, roles: set[ProposalRole]) -> list[ProposalMove]:
    """The moves a person with `roles` may make from `status`."""
    return [move for move, who in TABLE[ProposalStatus(status)].items() if who & roles]


def roles_of(user_id: str, proposer_id: str, *, is_approver: bool, voted: bool = False) -> set[ProposalRole]:
    """What a person is to a proposal (`voted`: on its current revision)."""
    if user_id == proposer_id:
        return {ProposalRole.PROPOSER}
    return {ProposalRole.APPROVER} if is_approver and not voted else set()


VOTES = {ProposalMove.APPROVE, ProposalMove.REJECT, ProposalMove.REQUEST_CHANGES}


def exists(status: str, move: ProposalMove) -> bool:
    """Does `move` exist from `status` (for anyone)?"""
    return move in TABLE[ProposalStatus(status)]
