"""Modals that ask for the words a decision needs: a reason, a question, a comment."""

from __future__ import annotations

import json

from slack_sdk.models.blocks import InputBlock, PlainTextInputElement
from slack_sdk.models.views import View

from bot import text
from bot.views import ids, limits
from bot.views.common import plain, section

REASON_MAX = 2000

REJECTION_ENDS_IT = (
    "Reject this change. One rejection ends it for every approver; to keep it open, ask for changes."
)


def decline_modal(number: int, title: str) -> View:
    """Ask why the request is declined; the requester will read it."""
    return ask_modal(
        ids.DECLINE_MODAL, number, f"REQ-{number}", title,
        heading="Decline", block_id=ids.REASON, label="Why is it declined?", submit="Decline",
    )  # fmt: skip


def need_info_modal(number: int, title: str) -> View:
    """Ask the question that goes to the requester."""
    return ask_modal(
        ids.NEED_INFO_MODAL, number, f"REQ-{number}", title,
        heading="Ask for info", block_id=ids.QUESTION, label="Your question for the requester", submit="Send",
    )  # fmt: skip


def reject_modal(number: int) -> View:
    """Ask why a proposed roadmap change is rejected; the proposer will read it."""
    return ask_modal(
        ids.REJECT_MODAL, number, f"CHG-{number}",
        REJECTION_ENDS_IT,
        heading="Reject", block_id=ids.COMMENT, label="Why is it rejected?", submit="Reject",
    )  # fmt: skip


def request_changes_modal(number: int) -> View:
    """Ask what the proposer should change before approvers decide."""
    return ask_modal(
        ids.CHANGES_MODAL, number, f"CHG-{number}", "Ask the proposer for changes",
        heading="Request changes", block_id=ids.COMMENT, label="What should change?", submit="Send",
    )  # fmt: skip


def modal_request_number(private_metadata: str) -> int:
    """The request (or proposal) number an asking modal was opened for."""
    return int(json.loads(private_metadata)["number"])


def ask_modal(
    callback_id: str,
    number: int,
    ref: str,
    title: str,
    *,
    heading: str,
    block_id: str,
    label: str,
    submit: str,
) -> View:
    """A modal with one multi-line answer about the thing `ref` names."""
    return View(
        type="modal",
        callback_id=callback_id,
        title=plain(heading, limits.MODAL_TITLE),
        submit=plain(submit, limits.MODAL_TITLE),
        close=plain("Cancel", limits.MODAL_TITLE),
        private_metadata=json.dumps({"number": number}),
        blocks=[
            section(f"*{ref}* · {text.escaped(title, limits.HEADER_TEXT)}"),
            InputBlock(
                block_id=block_id,
                label=label,
                element=PlainTextInputElement(action_id=ids.VALUE, multiline=True, max_length=REASON_MAX),
            ),
        ],
    )
