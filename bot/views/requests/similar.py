"""Similar requests as people see them: under the modal's title, after a quick filing, on the
triage card, and as `/request search` results. Titles are escaped; nothing here pings anyone."""

from __future__ import annotations

import json

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot import text
from bot.services.requests.merging import PlusOne
from bot.services.requests.types import Suggestion
from bot.views import ids, limits
from bot.views.common import mrkdwn, plain, section
from bot.views.requests.card import status_label
from storage.models import RequestStatus

OPEN_INTRO = "*Already asked?* These look similar — a +1 counts more than a duplicate:"
CLOSED_INTRO = "*Asked before?* These look similar, and were decided already:"
OWN_INSTEAD = "Mine: don't file again"
TITLE_SHOWN = 120
QUERY_SHOWN = 100
SEARCH_TITLE_SHOWN = 40  # in a button's label (75 characters at most)


def suggestion_line(suggestion: Suggestion, viewer_id: str = "") -> str:
    """`*REQ-12* Export to CSV · ✅ Accepted · 14 +1s` (and `· yours` to the person who asked)."""
    title = text.escaped(suggestion.title, TITLE_SHOWN)
    yours = ["yours"] if _asked_by(suggestion, viewer_id) else []
    return f"*{suggestion.ref}* {title} · " + " · ".join([*_facts(suggestion), *yours])


def modal_suggestions(suggestions: list[Suggestion], viewer_id: str = "") -> list[Block]:
    """Under the title: what already exists, an open one with a "+1 this instead" button; a done
    or declined one says how it ended (a +1 would not reopen it, so there is no button)."""
    if not suggestions:
        return []
    intro = OPEN_INTRO if any(not s.closed for s in suggestions) else CLOSED_INTRO
    blocks: list[Block] = [
        ContextBlock(block_id=f"{ids.SIMILAR_BLOCK_PREFIX}intro", elements=[mrkdwn(intro)])
    ]
    for suggestion in suggestions:
        # On the person's own request the click only closes the form: their need is counted already.
        said = OWN_INSTEAD if _asked_by(suggestion, viewer_id) else "+1 this instead"
        button = ButtonElement(text=said, action_id=ids.SIMILAR_PLUS_ONE, value=str(suggestion.number))
        blocks.append(
            SectionBlock(
                block_id=f"{ids.SIMILAR_BLOCK_PREFIX}{suggestion.number}",
                text=mrkdwn(suggestion_line(suggestion, viewer_id) + closed_hint(suggestion)),
                accessory=None if suggestion.closed else button,
            )
        )
    return blocks


def closed_hint(suggestion: Suggestion) -> str:
    """What a done or declined suggestion means for the person about to file ("" when open)."""
    if suggestion.status == RequestStatus.DONE:
        return "\n_Done already: file yours only if it misses something you need, and say what._"
    if suggestion.status == RequestStatus.DECLINED:
        return "\n_Declined: file yours if something has changed since, and say what._"
    return ""


def plus_one_view(done: PlusOne) -> View:
    """Shown in place of the modal once the +1 (or, on the person's own request, the follow) is stored."""
    ref = done.reached.request.ref
    via = f" (which {done.reached.via} duplicates)" if done.reached.via else ""
    if done.own:
        said = (
            f":raised_hand: *{ref}*{via} is your own request: it counts your need already, so no +1 is added"
        )
    elif done.added:
        said = f":+1: Your +1 counts for *{ref}*{via}"
    else:
        said = f":+1: You had already given *{ref}*{via} a +1"
    return View(
        type="modal",
        title=plain("Your request" if done.own else "Request +1ed", limits.MODAL_TITLE),
        close=plain("Done", limits.MODAL_TITLE),
        blocks=[section(f"{said}. You follow it: you will hear of every change. Nothing new was filed.")],
    )


def merge_suggestions(number: int, suggestions: list[Suggestion], viewer_id: str = "") -> list[Block]:
    """After a quick filing: "Looks like REQ-12", with a button to merge the new request into an
    open one; a done or declined one is only named (the new request stays filed for triage)."""
    blocks: list[Block] = []
    for suggestion in suggestions:
        line = f":mag: Looks like {suggestion_line(suggestion, viewer_id)}"
        value = json.dumps({"number": number, "into": suggestion.number})
        merge = ButtonElement(text=f"Merge into {suggestion.ref}", action_id=ids.SIMILAR_MERGE, value=value)
        blocks.append(SectionBlock(text=mrkdwn(line), accessory=None if suggestion.closed else merge))
    if any(suggestion.closed for suggestion in suggestions):
        unless = " unless you merge it" if not all(s.closed for s in suggestions) else ""
        said = f"A done or declined request takes no merge: REQ-{number} stays filed for triage{unless}."
        blocks.append(ContextBlock(elements=[mrkdwn(said)]))
    return blocks


def merged_message(ref: str, done: PlusOne) -> str:
    """The quick filing's answer once merged."""
    into = done.reached.request.ref
    via = f" (which {done.reached.via} duplicates)" if done.reached.via else ""
    counted = (
        f"you asked for {into} already, so it counts your need" if done.own else f"your +1 counts for {into}"
    )
    withdrawn = f":twisted_rightwards_arrows: {ref} is withdrawn as a duplicate of *{into}*{via}"
    return f"{withdrawn}; {counted} and you follow it."


def possible_duplicates(number: int, suggestions: list[Suggestion]) -> list[Block]:
    """On the triage card: "Possible duplicates: REQ-12 (Accepted · 14 +1s)" and one-click buttons."""
    if not suggestions:
        return []
    listed = ", ".join(f"{s.ref} {text.escaped(s.title, 60)} ({' · '.join(_facts(s))})" for s in suggestions)
    buttons = [
        ButtonElement(text=f"Mark duplicate of {s.ref}", action_id=ids.MARK_DUPLICATE_OF, value=str(s.number))
        for s in suggestions
    ]
    return [
        ContextBlock(elements=[mrkdwn(f":mag: *Possible duplicates:* {listed}")]),
        ActionsBlock(block_id=f"{ids.CARD_DUPLICATES_PREFIX}{number}", elements=buttons),
    ]


def search_results(typed: str, found: list[Suggestion]) -> list[Block]:
    """`/request search <words>`: the matching requests, best first, and a way to file the words instead."""
    query = text.escaped(typed, QUERY_SHOWN)
    blocks: list[Block] = [HeaderBlock(text=plain(f"Requests matching “{typed}”", limits.HEADER_TEXT))]
    if not found:
        blocks.append(section(f"Nothing matches “{query}”. Try other words, or `/request list all`."))
    blocks += [section(suggestion_line(suggestion)) for suggestion in found]
    # A title may start with "search": one click files "search <words>" as the request it was.
    title = f"search {typed}"
    file_it = ButtonElement(
        text=f"File “{text.truncate(title, SEARCH_TITLE_SHOWN)}” as a new request",
        action_id=ids.FILE_SEARCH_AS_REQUEST,
        value=title[: limits.BUTTON_VALUE],
    )
    return [*blocks, ActionsBlock(elements=[file_it])]


def _asked_by(suggestion: Suggestion, viewer_id: str) -> bool:
    return bool(viewer_id) and suggestion.requester_id == viewer_id


def _facts(suggestion: Suggestion) -> list[str]:
    """Its status, and its +1s when it has any ("0 +1s" says nothing)."""
    return [status_label(suggestion.status), *([_upvotes(suggestion.upvotes)] if suggestion.upvotes else [])]


def _upvotes(count: int) -> str:
    return "1 +1" if count == 1 else f"{count} +1s"
