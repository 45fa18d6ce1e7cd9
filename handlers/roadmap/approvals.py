"""The approval card's buttons: approve, reject, request changes, withdraw, resubmit."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot.errors import PmbotError
from bot.runtime import Services
from bot.services.roadmap.transitions import ProposalMove
from bot.views import ids
from bot.views.requests.triage_modals import modal_request_number, reject_modal, request_changes_modal
from bot.views.roadmap.proposal_modal import proposal_modal
from handlers import forms
from handlers.modals import open_then_fill
from handlers.payload import number_in_block, who
from handlers.replies import named_modal_errors
from storage.models import VoteChoice


def register(app: AsyncApp) -> None:
    """Attach the approval card's listeners."""
    app.action(ids.APPROVE)(approve_change)
    app.action(ids.REJECT)(open_reject_modal)
    app.view(ids.REJECT_MODAL)(reject_change)
    app.action(ids.REQUEST_CHANGES)(open_changes_modal)
    app.view(ids.CHANGES_MODAL)(request_changes)
    app.action(ids.WITHDRAW)(withdraw_change)
    app.action(ids.RESUBMIT)(open_resubmit_modal)


async def approve_change(
    ack: AsyncAck,
    action: dict[str, Any],
    respond: AsyncRespond,
    context: AsyncBoltContext,
    services: Services,
) -> None:
    """One approval; the one that reaches the quorum applies the change."""
    await ack()
    result = await services.roadmap.vote(*who(context), _number(action), VoteChoice.APPROVE)
    await respond(text=result.message, response_type="ephemeral", replace_original=False)


async def open_reject_modal(
    ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient,
    respond: AsyncRespond, context: AsyncBoltContext, services: Services,
) -> None:  # fmt: skip
    """Rejecting needs a reason; the proposer reads it. Who may not is told before typing it."""
    await ack()
    number = _number(action)

    async def build() -> View:
        await services.roadmap.check_may(*who(context), number, ProposalMove.REJECT)
        return reject_modal(number)

    await open_then_fill(client, body["trigger_id"], "Reject change", build, respond)


async def reject_change(
    ack: AsyncAck, view: dict[str, Any], context: AsyncBoltContext, services: Services
) -> None:
    """Reject with the reason typed."""
    await _vote_from_modal(ack, view, context, services, VoteChoice.REJECT, "Say why it is rejected.")


async def open_changes_modal(
    ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient,
    respond: AsyncRespond, context: AsyncBoltContext, services: Services,
) -> None:  # fmt: skip
    """Asking for changes needs a comment; the proposer edits and resubmits."""
    await ack()
    number = _number(action)

    async def build() -> View:
        await services.roadmap.check_may(*who(context), number, ProposalMove.REQUEST_CHANGES)
        return request_changes_modal(number)

    await open_then_fill(client, body["trigger_id"], "Request changes", build, respond)


async def request_changes(
    ack: AsyncAck, view: dict[str, Any], context: AsyncBoltContext, services: Services
) -> None:
    """Send the proposal back to its proposer with the comment."""
    await _vote_from_modal(
        ack, view, context, services, VoteChoice.REQUEST_CHANGES, "Say what should change."
    )


async def withdraw_change(
    ack: AsyncAck,
    action: dict[str, Any],
    respond: AsyncRespond,
    context: AsyncBoltContext,
    services: Services,
) -> None:
    """The proposer takes the proposal back."""
    await ack()
    proposal = await services.roadmap.withdraw(*who(context), _number(action))
    await respond(text=f"You withdrew {proposal.ref}.", response_type="ephemeral", replace_original=False)


async def open_resubmit_modal(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: AsyncBoltContext,
    services: Services,
) -> None:
    """Open at once, then fill in the proposal for its proposer to edit."""
    await ack()
    number = _number(action)

    async def build() -> View:
        await services.roadmap.check_may(*who(context), number, ProposalMove.RESUBMIT)
        asked = await services.roadmap.draft_for(*who(context), number)
        return proposal_modal(
            asked.draft, resubmit_number=number, asked_by_id=asked.asked_by_id, comment=asked.comment
        )

    await open_then_fill(client, body["trigger_id"], "Resubmit change", build, respond)


async def _vote_from_modal(
    ack: AsyncAck,
    view: dict[str, Any],
    context: AsyncBoltContext,
    services: Services,
    choice: VoteChoice,
    missing: str,
) -> None:
    try:
        comment = forms.required_text(view["state"]["values"], ids.COMMENT, missing)
        result = await services.roadmap.vote(
            *who(context), modal_request_number(view["private_metadata"]), choice, comment
        )
    except PmbotError as error:
        await ack(
            response_action="errors",
            errors=await named_modal_errors(services.directory, context.team_id or "", error, ids.COMMENT),
        )
        return
    if not result.counted:  # decided, expired or already voted meanwhile: say so (in plain text)
        said = await named_modal_errors(
            services.directory, context.team_id or "", PmbotError(result.message), ids.COMMENT
        )
        await ack(response_action="errors", errors=said)
        return
    await ack()


def _number(action: dict[str, Any]) -> int:
    return number_in_block(action, ids.PROPOSAL_BLOCK_PREFIX, "proposal card")
