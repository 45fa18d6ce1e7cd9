"""The "See all" modal of a digest list: the whole list for that digest's window, a page at a time."""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, ContextBlock
from slack_sdk.models.views import View

from bot.services.digests.content import DigestPage
from bot.views import ids, limits
from bot.views.common import mrkdwn, plain, section
from bot.views.digests.lines import LIST_TITLES, item_line, list_value
from bot.views.home.lists import packed_sections

PER_PAGE = 40  # lines are packed into sections of up to 3,000 characters: a page is a few blocks


def digest_list_modal(page: DigestPage, since: datetime, until: datetime, timezone: str) -> View:
    """One page of one digest list, with Previous / Next buttons that replace it in place."""
    lines = [item_line(page.which, item, page, until) for item in page.listed.rows]
    first = page.page * PER_PAGE + 1
    blocks: list[Block] = [*packed_sections(lines)]
    if lines:
        shown = f"{first:,} to {first + len(lines) - 1:,} of {page.listed.total:,}"
        blocks.append(ContextBlock(elements=[mrkdwn(shown)]))
    else:
        blocks.append(section("_Nothing here any more._"))
    buttons = []
    if page.page > 0:
        value = list_value(page.which, since, until, timezone, page.page - 1)
        buttons.append(ButtonElement(text="Previous", action_id=f"{ids.DIGEST_LIST_PAGE}_prev", value=value))
    if first - 1 + len(lines) < page.listed.total:
        value = list_value(page.which, since, until, timezone, page.page + 1)
        buttons.append(ButtonElement(text="Next", action_id=ids.DIGEST_LIST_PAGE, value=value))
    if buttons:
        blocks.append(ActionsBlock(elements=buttons))
    return View(
        type="modal",
        title=plain(LIST_TITLES[page.which], limits.MODAL_TITLE),
        close=plain("Close", limits.MODAL_TITLE),
        blocks=blocks,
    )
