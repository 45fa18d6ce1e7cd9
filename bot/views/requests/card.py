"""The triage card: a request as the intake channel sees it, with its triage buttons."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    ExternalDataSelectElement,
    HeaderBlock,
    SectionBlock,
    UserSelectElement,
)

from bot import text
from bot.services.requests.service import RequestDetail
from bot.services.requests.transitions import Move, moves_in
from bot.views import ids, limits
from bot.views.common import labelled, mrkdwn, plain, section, via_change
from storage.models import Request, RequestStatus

STATUS_EMOJI = {
    RequestStatus.NEW: ":new:",
    RequestStatus.NEEDS_INFO: ":question:",
    RequestStatus.ACCEPTED: ":white_check_mark:",
    RequestStatus.PLANNED: ":calendar:",
    RequestStatus.IN_PROGRESS: ":hammer_and_wrench:",
    RequestStatus.DONE: ":tada:",
    RequestStatus.DECLINED: ":no_entry_sign:",
    RequestStatus.DUPLICATE: ":twisted_rightwards_arrows:",
}
DESCRIPTION_PREVIEW = 1500
DECISION_NOTE_SHOWN = 1000
ITEMS_SHOWN = 5
DECISION_WORDS = {
    "accepted": "accepted it",
    "declined": "declined it",
    "asked_for_info": "asked its requester",
    "marked_duplicate": "closed it",
    "merged": "withdrew it as a duplicate",
    "roadmap_changed": "changed the roadmap",
}
FOLLOWERS_SHOWN = 10
# Done and declined are final (no move leads out): a +1 or a follow would change nothing.
ENDED = {RequestStatus.DONE, RequestStatus.DECLINED}
# Their note ("Duplicate of REQ-1") is what the Status field already says: not repeated under it
# (a triager's "Mark duplicate", and the filer's own merge of a new request into an older one).
NOTE_IN_STATUS = {"marked_duplicate", "merged"}


def request_card(detail: RequestDetail, *, with_decision: bool = True) -> list[Block]:
    """The card's blocks: what was asked, by whom, where it stands, and what to do."""
    request = detail.request
    blocks: list[Block] = [
        HeaderBlock(text=plain(f"{request.ref} · {request.title}", limits.HEADER_TEXT)),
        SectionBlock(fields=[mrkdwn(field) for field in _fields(detail)]),
    ]
    if request.description:
        blocks.append(section(text.escaped(request.description, DESCRIPTION_PREVIEW, mentions=True)))
    decision = detail.last_decision
    if with_decision and decision is not None and decision.action != "filed":
        blocks.append(ContextBlock(elements=[mrkdwn(_decision(detail))]))
    blocks.append(ContextBlock(elements=[mrkdwn(_footer(detail))]))
    blocks.extend(_actions(request))
    return blocks


def card_fallback_text(request: Request) -> str:
    """The notification text of the card."""
    return f"{request.ref}: {text.escaped(request.title, limits.HEADER_TEXT)} ({labelled(request.status)})"


def status_label(status: str) -> str:
    """`accepted` → `:white_check_mark: Accepted`."""
    return f"{STATUS_EMOJI.get(RequestStatus(status), '')} {labelled(status)}".strip()


def _fields(detail: RequestDetail) -> list[str]:
    request = detail.request
    status = status_label(request.status)
    if detail.duplicate_of_ref:
        status += f" of {detail.duplicate_of_ref}"
    if detail.item_refs:
        status += f" as {', '.join(detail.item_refs[:ITEMS_SHOWN])}"
    fields = [
        f"*Kind*\n{labelled(request.kind)}",
        f"*Impact*\n{labelled(request.impact)}",
        f"*Requester*\n{text.user(request.requester_id)}",
        f"*Status*\n{status}",
    ]
    if request.on_behalf_of:
        fields.append(f"*On behalf of*\n{text.escaped(request.on_behalf_of, limits.FIELD_TEXT - 20)}")
    if request.needed_by:
        fields.append(f"*Needed by*\n{text.date_token(request.needed_by)}")
    if request.assignee_id:
        fields.append(f"*Assignee*\n{text.user(request.assignee_id)}")
    return fields


def _decision(detail: RequestDetail) -> str:
    """Who last moved the request, when, and what they said (a decline's reason, a question)."""
    entry = detail.last_decision
    assert entry is not None
    via = via_change(entry.after or {})
    if via:  # a roadmap change: its note is pmbot's own words, said as they are
        line = f"Changed {via} {text.time_token(entry.at)}"
        return line + (f": {text.escaped(entry.note, DECISION_NOTE_SHOWN)}" if entry.note else "")
    said = DECISION_WORDS.get(entry.action, labelled(entry.action).lower())
    line = f"{text.user(entry.actor_id)} {said} {text.time_token(entry.at)}"
    if entry.note and entry.action not in NOTE_IN_STATUS:
        line += f": “{text.escaped(entry.note, DECISION_NOTE_SHOWN)}”"
    return line


def _footer(detail: RequestDetail) -> str:
    request = detail.request
    shown = " ".join(text.user(user_id) for user_id in detail.follower_ids[:FOLLOWERS_SHOWN])
    more = len(detail.follower_ids) - FOLLOWERS_SHOWN
    followers = f"{len(detail.follower_ids)} following: {shown}" + (f" and {more} more" if more > 0 else "")
    parts = [f":+1: {detail.upvotes}", followers]
    if request.filed_by_id != request.requester_id:
        parts.append(f"filed by {text.user(request.filed_by_id)}")
    if request.source_permalink:
        parts.append(f"<{request.source_permalink}|original message>")
    return " · ".join(parts)


def _actions(request: Request) -> list[Block]:
    """The moves that exist from the request's status (the card is seen by everyone in the channel;
    the server refuses a move to whoever may not make it), then Follow and +1."""
    value = str(request.number)
    social = [
        ButtonElement(text="Follow", action_id=ids.FOLLOW, value=value),
        ButtonElement(text=":+1: +1", action_id=ids.UPVOTE, value=value),
    ]
    moves = moves_in(request.status)
    if request.status in ENDED:
        return moves_block(request, moves, []) if moves else []
    return moves_block(request, moves, social)


def viewer_actions(
    request: Request, moves: list[Move], *, following: bool, is_requester: bool
) -> list[Block]:
    """One person's own buttons (a private `/request REQ-n`): only the moves they may make, then
    Follow or Unfollow, and +1 unless they asked for it (on a done or declined request, only
    Unfollow: nothing more will happen to it)."""
    value = str(request.number)
    ended = request.status in ENDED
    follow = (
        [ButtonElement(text="Unfollow", action_id=ids.UNFOLLOW, value=value)]
        if following
        else ([] if ended else [ButtonElement(text="Follow", action_id=ids.FOLLOW, value=value)])
    )
    plus_one = ButtonElement(text=":+1: +1", action_id=ids.UPVOTE, value=value)
    upvote = [] if is_requester or ended else [plus_one]
    social = [*follow, *upvote]
    return moves_block(request, moves, social) if moves or social else []


def moves_block(request: Request, moves: list[Move], social: list[ButtonElement]) -> list[Block]:
    """The card's actions row: the triage moves given, then the social buttons."""
    value = str(request.number)
    elements = [_element(move, request, value) for move in moves]
    block_id = f"{ids.CARD_BLOCK_PREFIX}{request.number}"
    return [ActionsBlock(block_id=block_id, elements=[*elements, *social])]


def _element(
    move: Move, request: Request, value: str
) -> ButtonElement | ExternalDataSelectElement | UserSelectElement:
    if move == Move.ACCEPT:
        return ButtonElement(text="Accept", action_id=ids.ACCEPT, value=value, style="primary")
    if move == Move.DECLINE:
        return ButtonElement(text="Decline", action_id=ids.DECLINE, value=value, style="danger")
    if move == Move.NEED_INFO:
        return ButtonElement(text="Need info", action_id=ids.NEED_INFO, value=value)
    if move == Move.MARK_DUPLICATE:
        return ExternalDataSelectElement(
            action_id=ids.MARK_DUPLICATE,
            placeholder=plain("Mark duplicate of…"),
            min_query_length=0,
            confirm=ConfirmObject(
                title="Mark as duplicate?", text=f"{request.ref} will be closed as a duplicate."
            ),
        )
    return UserSelectElement(
        action_id=ids.ASSIGN, placeholder=plain("Assign…"), initial_user=request.assignee_id
    )


def social_reply(number: int, *, following: bool, upvoted: bool, said: str) -> list[Block]:
    """The private answer to Follow or +1: what it did, and the way back (Unfollow, Undo +1)."""
    value, buttons = str(number), []
    if following:
        buttons.append(ButtonElement(text="Unfollow", action_id=ids.UNFOLLOW, value=value))
    if upvoted:
        buttons.append(ButtonElement(text="Undo +1", action_id=ids.UNDO_UPVOTE, value=value))
    blocks: list[Block] = [section(said)]
    if buttons:
        blocks.append(ActionsBlock(block_id=f"{ids.CARD_BLOCK_PREFIX}{number}", elements=buttons))
    return blocks
