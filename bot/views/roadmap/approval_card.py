"""The approval card: a proposed roadmap change as a before → after diff, with votes and buttons."""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, ContextBlock, HeaderBlock

from bot import text
from bot.services.roadmap.decisions import SCHEDULE
from bot.services.roadmap.proposals import diff
from bot.services.roadmap.reads import ProposalView
from bot.services.roadmap.transitions import ProposalMove, moves_in
from bot.views import ids, limits
from bot.views.common import labelled, mrkdwn, plain, section
from storage.models import Proposal, ProposalStatus

KIND_WORDS = {"add": "Add", "move": "Move", "rescope": "Rescope", "drop": "Drop"}
BY_A_PERSON = {ProposalStatus.CHANGES_REQUESTED, ProposalStatus.REJECTED, ProposalStatus.WITHDRAWN}
STATUS_WORDS = {
    ProposalStatus.PENDING: ":hourglass_flowing_sand: Waiting for approvals",
    ProposalStatus.CHANGES_REQUESTED: ":pencil2: Changes requested",
    ProposalStatus.APPROVED: ":white_check_mark: Approved and applied",
    ProposalStatus.REJECTED: ":x: Rejected",
    ProposalStatus.WITHDRAWN: ":leftwards_arrow_with_hook: Withdrawn",
    ProposalStatus.EXPIRED: ":hourglass: Expired without a quorum",
}


def change_summary(view: ProposalView) -> str:
    """`Move “Search” (RM-4)`: what the change does to which item, escaped."""
    proposal = view.proposal
    title = view.before.get("title") or proposal.changes.get("title") or "a new item"
    ref = f" ({view.item.ref})" if view.item else ""
    return f"{KIND_WORDS[proposal.kind]} “{text.escaped(title, 100)}”{ref}"


def approval_card(view: ProposalView, moves: list[ProposalMove] | None = None) -> list[Block]:
    """The card in the approvals channel (the moves that exist from its status) and in a person's DM
    (`moves`: only theirs); re-rendered on every vote."""
    proposal = view.proposal
    blocks: list[Block] = [
        HeaderBlock(
            text=plain(f"{proposal.ref} · {KIND_WORDS[proposal.kind]} roadmap item", limits.HEADER_TEXT)
        ),
        section(f"{change_summary(view)}, proposed by {text.user(proposal.proposer_id)}"),
        section(_diff_text(view)),
        section(f"*Why:* {text.escaped(proposal.rationale, 1500)}"),
    ]
    if view.requests:
        blocks.append(section(_requests_text(view)))
    blocks.append(ContextBlock(elements=[mrkdwn(_status_text(view))]))
    shown = moves_in(proposal.status) if moves is None else moves
    return [*blocks, *_actions(proposal.number, shown)]


def who_can_still_vote(view: ProposalView) -> str:
    """`can still vote: @bob @carol`, or what to do when nobody can."""
    if view.missing_voter_ids:
        return "can still vote: " + " ".join(text.user(u) for u in view.missing_voter_ids)
    if view.approver_ids:
        return "nobody named can still vote: an admin can name more approvers"
    return "any workspace admin can vote"


def _diff_text(view: ProposalView) -> str:
    lines = [
        f"*{labelled(change.name.removesuffix('_id'))}:* {_shown(change.name, change.before)} → "
        f"*{_shown(change.name, change.after)}*"
        for change in diff(view.before, view.proposal.changes)
    ]
    return "\n".join(lines) or "_No field changes._"


def _shown(name: str, value: Any) -> str:
    if value in (None, ""):
        return "—"
    if name == "owner_id":
        return text.user(str(value))
    if name in ("horizon", "status"):
        return labelled(str(value))
    if name == "target_date":
        try:
            return text.date_token(date.fromisoformat(str(value)))
        except ValueError:
            pass  # not a date after all: shown as stored, escaped
    return text.escaped(str(value), 300)


def _requests_text(view: ProposalView) -> str:
    lines = [
        f"{request.ref} {text.escaped(request.title, 80)} · :+1: {view.demand.get(request.id or 0, 0)}"
        for request in view.requests[:8]
    ]
    more = len(view.requests) - 8
    return "*Linked requests*\n" + "\n".join(lines) + (f"\n…and {more} more" if more > 0 else "")


def _status_text(view: ProposalView) -> str:
    proposal = view.proposal
    status = ProposalStatus(proposal.status)
    parts = [STATUS_WORDS[status] + _decided_by(proposal, status)]
    if proposal.revision > 1:  # its votes started over: say so, or old approvals look lost
        parts.append(f"revision {proposal.revision}, resubmitted {text.time_token(proposal.submitted_at)}")
    parts += _approvals_text(view, status)
    if status == ProposalStatus.PENDING:
        parts.append(who_can_still_vote(view))
        parts.append(f"expires {text.time_token(proposal.expires_at)}")
    return " · ".join(parts)


def _decided_by(proposal: Proposal, status: ProposalStatus) -> str:
    """` by @bob: “reason”` for what a person decided; nothing for an approval (its approvers are
    listed), an expiry (the schedule's own note says what the status says) or a pending revision
    (its note is the request for changes it answered)."""
    if status not in BY_A_PERSON or not proposal.decided_by_id or proposal.decided_by_id == SCHEDULE:
        return ""
    said = f": “{text.escaped(proposal.decision_note, 500)}”" if proposal.decision_note else ""
    return f" by {text.user(proposal.decided_by_id)}{said}"


def _approvals_text(view: ProposalView, status: ProposalStatus) -> list[str]:
    """`approved by @a, @b (2/3)`; while pending, `nobody yet`; once closed, nothing when nobody did."""
    approvals = [v.approver_id for v in view.votes if v.choice == "approve"]
    count = f"({len(approvals)}/{view.proposal.required_approvals})"
    if approvals:
        return [f"approved by {', '.join(text.user(u) for u in approvals)} {count}"]
    if status == ProposalStatus.PENDING:
        return [f"approved by nobody yet {count}"]
    return [f"no approvals {count}"] if status == ProposalStatus.EXPIRED else []


def _actions(number: int, moves: list[ProposalMove]) -> list[Block]:
    value, block_id = str(number), f"{ids.PROPOSAL_BLOCK_PREFIX}{number}"
    buttons = {
        ProposalMove.APPROVE: ButtonElement(
            text="Approve", action_id=ids.APPROVE, value=value, style="primary"
        ),
        ProposalMove.REJECT: ButtonElement(text="Reject", action_id=ids.REJECT, value=value, style="danger"),
        ProposalMove.REQUEST_CHANGES: ButtonElement(
            text="Request changes", action_id=ids.REQUEST_CHANGES, value=value
        ),
        ProposalMove.RESUBMIT: ButtonElement(
            text="Edit and resubmit", action_id=ids.RESUBMIT, value=value, style="primary"
        ),
        ProposalMove.WITHDRAW: ButtonElement(text="Withdraw", action_id=ids.WITHDRAW, value=value),
    }
    elements = [button for move, button in buttons.items() if move in moves]
    return [ActionsBlock(block_id=block_id, elements=elements)] if elements else []
