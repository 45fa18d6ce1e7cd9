"""Ephemeral answers of `/request`: a page of requests, one request with its history, help, a quick filing."""

from __future__ import annotations

import json

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
)

from bot import text
from bot.services.requests.service import RequestDetail
from bot.views import ids, limits
from bot.views.common import labelled, mrkdwn, plain, section
from bot.views.history import history_line
from bot.views.requests.card import request_card, status_label
from storage.models import Request

PER_PAGE = 15  # two blocks a request plus a header and the pager stays under 50 blocks
HISTORY_SHOWN = 20

USAGE = "\n".join(
    [
        "*pmbot requests*",
        "`/request` — open the form to file a request",
        "`/request <title>` — file a request at once, with that title",
        "`/request list [mine|open|all|<status>]` — list requests, newest first",
        "`/request REQ-12` — show one request and its history",
        "`/request search <words>` — find requests by the words in them",
        "`/request help` — this help",
        "Or use the *File as request* shortcut on any message.",
    ]
)


ADMIN_USAGE = "`/request settings` — intake channel and triagers (admins)"


def help_blocks(prefix: str = "", *, admin: bool = False) -> list[Block]:
    """Usage of `/request`, after an optional line saying what was not understood; the admins' lines
    only to an admin (the others could not use them)."""
    blocks: list[Block] = [section(prefix)] if prefix else []
    lines = USAGE.split("\n")
    if admin:
        lines.insert(lines.index("`/request help` — this help"), ADMIN_USAGE)
    return [*blocks, section("\n".join(lines))]


def request_page(requests: list[Request], *, scope: str, page: int, has_more: bool) -> list[Block]:
    """A page of requests with a button to the next (and previous) page."""
    blocks: list[Block] = [HeaderBlock(text=plain(f"Requests: {scope}", limits.HEADER_TEXT))]
    if not requests:
        blocks.append(section("Nothing here." if page == 0 else "No more requests."))
    for request in requests:
        blocks.append(section(_summary_line(request)))
    pager = _pager(scope, page, has_more)
    if pager is not None:
        blocks.append(pager)
    return blocks


def request_with_history(detail: RequestDetail, actions: list[Block] | None = None) -> list[Block]:
    """One request as its card shows it with the reader's own buttons (`actions`), then its
    history from the audit log."""
    shown = request_card(detail, with_decision=False)  # the history below says who decided
    card = [block for block in shown if not isinstance(block, ActionsBlock)] + (actions or [])
    history = detail.history[-HISTORY_SHOWN:]
    blocks: list[Block] = [*card, DividerBlock(), section("*History*")]
    blocks += [ContextBlock(elements=[mrkdwn(history_line(entry))]) for entry in history]
    hidden = len(detail.history) - len(history)
    if hidden > 0:
        blocks.insert(len(card) + 2, ContextBlock(elements=[mrkdwn(f"{hidden} earlier changes not shown")]))
    return blocks


def page_value(scope: str, page: int) -> str:
    """The button value that asks for a page."""
    return json.dumps({"scope": scope, "page": page})


def _summary_line(request: Request) -> str:
    title = text.escaped(request.title, limits.HEADER_TEXT)
    due = f" · needed by {text.date_token(request.needed_by)}" if request.needed_by else ""
    return (
        f"*{request.ref}* {title}\n{status_label(request.status)} · {labelled(request.impact)} impact"
        f" · {labelled(request.kind)} · {text.user(request.requester_id)}{due}"
    )


def _pager(scope: str, page: int, has_more: bool) -> ActionsBlock | None:
    buttons = []
    if page > 0:
        buttons.append(
            ButtonElement(
                text="Previous", action_id=f"{ids.LIST_PAGE}_prev", value=page_value(scope, page - 1)
            )
        )
    if has_more:
        buttons.append(
            ButtonElement(text="Next page", action_id=ids.LIST_PAGE, value=page_value(scope, page + 1))
        )
    return ActionsBlock(elements=buttons) if buttons else None


def add_details_blocks(message: str, number: int, title: str) -> list[Block]:
    """The answer to a quick filing: its id, and a button to add the rest."""
    value = json.dumps({"number": number, "title": title})
    return [
        section(message),
        ActionsBlock(elements=[ButtonElement(text="Add details", action_id=ids.ADD_DETAILS, value=value)]),
    ]
