"""Messages about proposals: the proposer's outcome DM, the approver's reminder, the announcement."""

from __future__ import annotations

from slack_sdk.models.blocks import Block, ContextBlock, HeaderBlock

from bot import text
from bot.services.roadmap.decisions import SCHEDULE
from bot.services.roadmap.reads import ProposalView
from bot.views import limits
from bot.views.common import mrkdwn, plain, section
from bot.views.roadmap.approval_card import approval_card, change_summary
from storage.models import ProposalStatus

OUTCOME_WORDS = {
    ProposalStatus.APPROVED: "was approved and is on the roadmap now",
    ProposalStatus.REJECTED: "was rejected",
    ProposalStatus.CHANGES_REQUESTED: "needs changes before approvers decide",
    ProposalStatus.EXPIRED: "expired before enough approvers approved it",
}


def outcome_message(view: ProposalView, status: str, card_link: str | None) -> tuple[str, list[Block]]:
    """The proposer's DM when a proposal is decided or sent back: words and a link, no buttons (a
    DM nobody re-renders must not offer moves that go stale; the card keeps them current)."""
    proposal = view.proposal
    words = OUTCOME_WORDS.get(ProposalStatus(status), status)
    headline = f"*{proposal.ref}* {change_summary(view)} {words}."
    blocks: list[Block] = [section(headline)]
    by_a_person = proposal.decided_by_id and proposal.decided_by_id != SCHEDULE  # an expiry is said above
    if proposal.decision_note and by_a_person and status != ProposalStatus.APPROVED:
        blocks.append(
            section(
                f"{text.user(proposal.decided_by_id or '')}: “{text.escaped(proposal.decision_note, 2000)}”"
            )
        )
    if status == ProposalStatus.CHANGES_REQUESTED:
        blocks.append(section(f"Edit and resubmit it, or withdraw it, from {_card(card_link)}."))
    if status == ProposalStatus.EXPIRED:
        blocks.append(section("If it is still wanted, propose it again with `/roadmap propose`."))
    if status == ProposalStatus.REJECTED and by_a_person:
        blocks.append(section("To try again with changes, propose it anew with `/roadmap propose`."))
    return f"{proposal.ref} {words}", blocks


def proposed_message(view: ProposalView, channel_id: str, link: str | None) -> tuple[str, list[Block]]:
    """The proposer's confirmation when the card is in the approvals channel: where, not a copy."""
    proposal = view.proposal
    card = f"<{link}|its card>" if link else "its card"
    said = (
        f"You proposed *{proposal.ref}* {change_summary(view)}. Approvers vote on {card} in "
        f"{text.channel(channel_id)}; you can withdraw it there. You will hear here when it is decided."
    )
    return f"{proposal.ref}: {change_summary(view)} waits for approvals in {text.channel(channel_id)}", [
        section(said)
    ]


def reminder_message(view: ProposalView, card_link: str | None) -> tuple[str, list[Block]]:
    """The nudge to an approver who has not voted: a link to the card to vote on, not a copy of it
    (a copy with buttons would stay live after the proposal is decided)."""
    proposal = view.proposal
    said = (
        f":bell: *{proposal.ref}* {change_summary(view)} waits for your vote; it expires "
        f"{text.time_token(proposal.expires_at)}. Vote on {_card(card_link)}."
    )
    return f"{proposal.ref} waits for your vote", [section(said)]


def resubmitted_message(
    view: ProposalView, asked_by_id: str | None, comment: str | None, card_link: str | None
) -> tuple[str, list[Block]]:
    """The DM to an approver when a proposal comes back as a new revision: their vote is needed again."""
    proposal = view.proposal
    said = (
        f":arrows_counterclockwise: {text.user(proposal.proposer_id)} resubmitted *{proposal.ref}* "
        f"{change_summary(view)} as revision {proposal.revision}. Votes on the earlier revision no "
        f"longer count: vote on {_card(card_link)} before it expires {text.time_token(proposal.expires_at)}."
    )
    blocks: list[Block] = [section(said)]
    if comment:
        who = text.user(asked_by_id) if asked_by_id else "An approver"
        blocks.append(section(f"It answers {who}'s request for changes: “{text.escaped(comment, 2000)}”"))
    return f"{proposal.ref} was resubmitted and needs your vote again", blocks


def announcement_message(view: ProposalView) -> tuple[str, list[Block]]:
    """The post in the announcements channel once a change is applied."""
    proposal = view.proposal
    card = approval_card(view)
    blocks: list[Block] = [
        HeaderBlock(text=plain(f"Roadmap change · {proposal.ref}", limits.HEADER_TEXT)),
        *card[1:4],
        ContextBlock(elements=[mrkdwn(f"Approved by {_approvers(view)}")]),
    ]
    if view.requests:
        blocks.insert(4, card[4])
    return f"Roadmap change {proposal.ref}: {change_summary(view)}", blocks


def _card(link: str | None) -> str:
    return f"<{link}|its card>" if link else "its card"


def _approvers(view: ProposalView) -> str:
    return ", ".join(text.user(v.approver_id) for v in view.votes if v.choice == "approve") or "—"
