"""Similar requests: suggestions while the title is typed, "+1 this instead", "Merge into REQ-n",
and the triage card's "Mark duplicate of REQ-n"."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.exc import SQLAlchemyError

from bot import text
from bot.errors import InvalidInput, PmbotError
from bot.runtime import Services
from bot.services.requests.types import TITLE_MAX, RequestDraft
from bot.views import ids
from bot.views.requests.modal import RequestModalMetadata, filed_message, request_modal
from bot.views.requests.similar import merged_message, modal_suggestions, plus_one_view
from handlers import forms
from handlers.payload import number_in_block, who
from storage.models import Impact, RequestKind

# Another keystroke's update reached the form first, or the person closed or submitted it.
GONE_OR_CHANGED = frozenset({"hash_conflict", "not_found"})


log = logging.getLogger(__name__)


def register(app: AsyncApp) -> None:
    """Attach the similar-request listeners."""
    app.action({"block_id": ids.TITLE, "action_id": ids.VALUE})(suggest_while_typing)
    app.action(ids.SIMILAR_PLUS_ONE)(plus_one_instead)
    app.action(ids.SIMILAR_MERGE)(merge_into_existing)
    app.action(ids.MARK_DUPLICATE_OF)(mark_duplicate_of)
    app.action(ids.FILE_SEARCH_AS_REQUEST)(file_search_as_request)


async def suggest_while_typing(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
    services: Services,
) -> None:
    """Show up to 3 similar requests under the title; the modal is re-rendered only when they change."""
    await ack()
    view = body["view"]
    metadata = RequestModalMetadata.loads(view.get("private_metadata") or "")
    if metadata.number is not None:
        return  # editing a filed request: it is not a new one to divert
    typed = (action.get("value") or "").strip()[:TITLE_MAX]
    viewer_id = context.user_id or ""
    suggestions = await services.similar.find(context.team_id or "", typed)
    shown = modal_suggestions(suggestions, viewer_id)
    if _said(view.get("blocks", [])) == _said([block.to_dict() for block in shown]):
        return  # the same requests, each as it stood
    draft = _draft_so_far(view.get("state", {}).get("values", {}), typed)
    await _update(client, view, request_modal(draft, metadata, suggestions, viewer_id))


async def show_suggestions(
    client: AsyncWebClient,
    services: Services,
    who: tuple[str, str],
    view: dict[str, Any],
    draft: RequestDraft,
    metadata: RequestModalMetadata,
) -> None:
    """Under a pre-filled form's title just opened: the requests that look like it, if any."""
    team_id, viewer_id = who
    try:
        suggestions = await services.similar.find(team_id, draft.title)
        if suggestions:
            await _update(client, view, request_modal(draft, metadata, suggestions, viewer_id))
    except (SQLAlchemyError, TimeoutError, SlackApiError) as error:  # the form is open and works without
        log.info("no suggestions under a form filled from a message: %s", str(error).splitlines()[0])


async def _update(client: AsyncWebClient, view: dict[str, Any], again: View) -> None:
    """The form shown `again` (with other suggestions), unless the person changed it meanwhile or
    closed it (a suggestion is not worth an error)."""
    try:
        await client.views_update(view_id=view["id"], hash=view.get("hash"), view=again)
    except SlackApiError as error:
        if error.response.get("error") not in GONE_OR_CHANGED:
            raise


async def plus_one_instead(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
    services: Services,
) -> None:
    """+1 and follow the suggested request, and close the form: nothing new is filed."""
    await ack()
    done = await services.similar.plus_one_instead(*who(context), _number(action.get("value")))
    view = body["view"]
    await client.views_update(view_id=view["id"], hash=view.get("hash"), view=plus_one_view(done))


async def merge_into_existing(
    ack: AsyncAck,
    action: dict[str, Any],
    respond: AsyncRespond,
    context: AsyncBoltContext,
    services: Services,
) -> None:
    """Withdraw the request just filed into the one it looks like (its filer only)."""
    await ack()
    try:
        value = json.loads(action.get("value") or "")
        number, into = _number(value.get("number")), _number(value.get("into"))
    except (ValueError, AttributeError):
        raise PmbotError("That button does not name two requests.") from None
    done = await services.similar.merge(*who(context), number, into)
    await respond(text=merged_message(f"REQ-{number}", done), replace_original=True)


async def mark_duplicate_of(
    ack: AsyncAck, action: dict[str, Any], context: AsyncBoltContext, services: Services
) -> None:
    """The card's one-click "Mark duplicate of REQ-n" (triagers only: the service checks)."""
    await ack()
    number = number_in_block(action, ids.CARD_DUPLICATES_PREFIX, "request card")
    await services.requests.mark_duplicate(*who(context), number, _number(action.get("value")))


async def file_search_as_request(
    ack: AsyncAck,
    action: dict[str, Any],
    respond: AsyncRespond,
    context: AsyncBoltContext,
    services: Services,
) -> None:
    """`/request search …` was meant as a title: file it, as `/request <text>` would have."""
    await ack()
    typed = (action.get("value") or "").strip()
    draft = RequestDraft(
        title=text.truncate(typed, TITLE_MAX), description=typed if len(typed) > TITLE_MAX else ""
    )
    filed = await services.requests.file(*who(context), draft)
    await respond(text=filed_message(filed.ref, filed.intake_channel_id), replace_original=True)


def _said(blocks: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """The suggestions' blocks as shown: (block id, text)."""
    return [
        (block["block_id"], str((block.get("text") or {}).get("text")))
        for block in blocks
        if str(block.get("block_id", "")).startswith(ids.SIMILAR_BLOCK_PREFIX)
    ]


def _draft_so_far(state: forms.State, title: str) -> RequestDraft:
    # What is typed so far, kept as the re-rendered inputs' initial values; nothing is validated yet.
    ignored: dict[str, str] = {}
    try:
        needed_by = forms.picked_date(state, ids.NEEDED_BY)
    except InvalidInput:
        needed_by = None
    return RequestDraft(
        title=title,
        description=forms.typed(state, ids.DESCRIPTION),
        kind=forms.choice(state, ids.KIND, RequestKind, RequestKind.FEATURE, ignored),
        impact=forms.choice(state, ids.IMPACT, Impact, Impact.MEDIUM, ignored),
        on_behalf_of=forms.typed(state, ids.ON_BEHALF_OF) or None,
        needed_by=needed_by,
    )


def _number(raw: Any) -> int:
    if isinstance(raw, int) or (isinstance(raw, str) and raw.isdigit()):
        return int(raw)
    raise PmbotError("That button does not name a request.")
