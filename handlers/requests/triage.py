"""The triage card's buttons and the modals behind Decline and Need info."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot.errors import PmbotError
from bot.runtime import Services
from bot.services.requests.transitions import Move
from bot.views import ids
from bot.views.common import option
from bot.views.limits import SELECT_OPTIONS
from bot.views.requests.card import social_reply
from bot.views.requests.triage_modals import decline_modal, modal_request_number, need_info_modal
from handlers import forms
from handlers.modals import open_then_fill
from handlers.payload import number_in_block, who
from handlers.replies import named_modal_errors

ASKING = {  # the modal each move asks in, and the title it opens with while the click is checked
    Move.DECLINE: (decline_modal, "Decline"),
    Move.NEED_INFO: (need_info_modal, "Ask for info"),
}


def register(app: AsyncApp) -> None:
    """Attach the card's listeners."""
    app.action(ids.ACCEPT)(accept_request)
    app.action(ids.DECLINE)(open_decline_modal)
    app.view(ids.DECLINE_MODAL)(decline_request)
    app.action(ids.NEED_INFO)(open_need_info_modal)
    app.view(ids.NEED_INFO_MODAL)(ask_for_info)
    app.action(ids.MARK_DUPLICATE)(mark_duplicate)
    app.options(ids.MARK_DUPLICATE)(suggest_originals)
    app.action(ids.ASSIGN)(assign_request)
    app.action(ids.FOLLOW)(follow_request)
    app.action(ids.UPVOTE)(upvote_request)
    app.action(ids.UNFOLLOW)(unfollow_request)
    app.action(ids.UNDO_UPVOTE)(undo_upvote)


async def accept_request(
    ack: AsyncAck, action: dict[str, Any], context: AsyncBoltContext, services: Services
) -> None:
    """Accept; the card and the requester's DM follow through the outbox."""
    await ack()
    await services.requests.accept(*who(context), _number(action))


async def open_decline_modal(
    ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient,
    respond: AsyncRespond, context: AsyncBoltContext, services: Services,
) -> None:  # fmt: skip
    """Ask for the reason; who may not, or a click on a card gone stale, is told before typing it."""
    await ack()
    await _open_for_triagers(body, action, client, respond, context, services, Move.DECLINE)


async def decline_request(
    ack: AsyncAck, view: dict[str, Any], context: AsyncBoltContext, services: Services
) -> None:
    """Decline with the reason typed in the modal."""
    try:
        reason = forms.required_text(view["state"]["values"], ids.REASON, "Say why the request is declined.")
        await services.requests.decline(*who(context), modal_request_number(view["private_metadata"]), reason)
    except PmbotError as error:
        await ack(response_action="errors", errors=await _plain_errors(services, context, error, ids.REASON))
        return
    await ack()


async def open_need_info_modal(
    ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient,
    respond: AsyncRespond, context: AsyncBoltContext, services: Services,
) -> None:  # fmt: skip
    """Ask for the question to send to the requester (refused first, as Decline is)."""
    await ack()
    await _open_for_triagers(body, action, client, respond, context, services, Move.NEED_INFO)


async def ask_for_info(
    ack: AsyncAck, view: dict[str, Any], context: AsyncBoltContext, services: Services
) -> None:
    """Send the question; the request waits in "needs info"."""
    try:
        question = forms.required_text(view["state"]["values"], ids.QUESTION, "Write the question.")
        await services.requests.ask_for_info(
            *who(context), modal_request_number(view["private_metadata"]), question
        )
    except PmbotError as error:
        await ack(
            response_action="errors", errors=await _plain_errors(services, context, error, ids.QUESTION)
        )
        return
    await ack()


async def mark_duplicate(
    ack: AsyncAck, action: dict[str, Any], context: AsyncBoltContext, services: Services
) -> None:
    """Close as a duplicate of the request picked in the type-ahead."""
    await ack()
    original = int(action["selected_option"]["value"])
    await services.requests.mark_duplicate(*who(context), _number(action), original)


async def suggest_originals(
    ack: AsyncAck, payload: dict[str, Any], context: AsyncBoltContext, services: Services
) -> None:
    """Type-ahead over the workspace's requests, within Slack's option limits."""
    try:
        this = _number(payload)
    except PmbotError:  # not from a card: nothing to suggest (an options request cannot show an error)
        await ack(options=[])
        return
    found = await services.requests.search(
        context.team_id or "", payload.get("value", ""), limit=SELECT_OPTIONS + 1
    )
    options = [
        option(f"{request.ref} {request.title}", str(request.number))
        for request in found
        if request.number != this
    ]
    await ack(options=[item.to_dict() for item in options[:SELECT_OPTIONS]])


async def assign_request(
    ack: AsyncAck, action: dict[str, Any], context: AsyncBoltContext, services: Services
) -> None:
    """Assign to the person picked on the card."""
    await ack()
    await services.requests.assign(*who(context), _number(action), action["selected_user"])


async def follow_request(
    ack: AsyncAck,
    action: dict[str, Any],
    respond: AsyncRespond,
    context: AsyncBoltContext,
    services: Services,
) -> None:
    """Anyone may follow; they hear of every change from then on (and may unfollow)."""
    await ack()
    reached, added = await services.requests.follow(*who(context), _number(action))
    said = "You now follow" if added else "You already follow"
    await _social_reply(respond, reached.request.number, f"{said} {reached.where}.", following=True)


async def unfollow_request(
    ack: AsyncAck,
    action: dict[str, Any],
    respond: AsyncRespond,
    context: AsyncBoltContext,
    services: Services,
) -> None:
    """Stop hearing about a request."""
    await ack()
    number = _number(action)
    removed = await services.requests.unfollow(*who(context), number)
    said = "You no longer follow" if removed else "You did not follow"
    await _social_reply(respond, number, f"{said} REQ-{number}.", following=False)


async def upvote_request(
    ack: AsyncAck,
    action: dict[str, Any],
    respond: AsyncRespond,
    context: AsyncBoltContext,
    services: Services,
) -> None:
    """Anyone but the requester may +1, once (and take it back)."""
    await ack()
    done = await services.requests.upvote(*who(context), _number(action))
    said = "Your +1 counts for" if done.added else "You already gave a +1 to"
    await _social_reply(respond, done.reached.request.number, f"{said} {done.reached.where}.", upvoted=True)


async def undo_upvote(
    ack: AsyncAck,
    action: dict[str, Any],
    respond: AsyncRespond,
    context: AsyncBoltContext,
    services: Services,
) -> None:
    """Take a +1 back."""
    await ack()
    number = _number(action)
    removed = await services.requests.undo_upvote(*who(context), number)
    said = "Your +1 no longer counts for" if removed else "You had not given a +1 to"
    await _social_reply(respond, number, f"{said} REQ-{number}.")


async def _social_reply(
    respond: AsyncRespond, number: int, said: str, *, following: bool = False, upvoted: bool = False
) -> None:
    blocks = social_reply(number, following=following, upvoted=upvoted, said=said)
    await respond(text=said, blocks=blocks, response_type="ephemeral", replace_original=False)


async def _open_for_triagers(
    body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond,
    context: AsyncBoltContext, services: Services, move: Move,
) -> None:  # fmt: skip
    # The trigger id expires 3 s after the click, so a loading modal opens first; a refusal (not a
    # triager, or the request moved on) then replaces it: said once, before anyone types a reason.
    number, title = _number(action), _card_title(body)
    modal, loading = ASKING[move]

    async def build() -> View:
        await services.requests.check_may(*who(context), number, move)
        return modal(number, title)

    await open_then_fill(client, body["trigger_id"], loading, build, respond)


async def _plain_errors(
    services: Services, context: AsyncBoltContext, error: PmbotError, block: str
) -> dict[str, str]:
    return await named_modal_errors(services.directory, context.team_id or "", error, block)


def _card_title(body: dict[str, Any]) -> str:
    header = next(
        (block for block in body.get("message", {}).get("blocks", []) if block.get("type") == "header"), None
    )
    raw = header["text"]["text"] if header else ""
    return raw.partition(" · ")[2] or raw


def _number(action: dict[str, Any]) -> int:
    return number_in_block(action, ids.CARD_BLOCK_PREFIX, "request card")
