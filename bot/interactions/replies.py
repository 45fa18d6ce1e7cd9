"""The answers pmbot gives when it cannot give the listener's own: true, short, and in time."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.views import View

from bot.interactions.incoming import Incoming
from bot.views import limits
from bot.views.common import plain, section

NOTHING_HAPPENED = (
    ":warning: The database did not answer in time, so nothing was saved and nothing will happen. "
    "Please try again in a moment."
)
UNDER_WAY = (
    ":hourglass_flowing_sand: Got it — this is taking longer than usual. It is recorded and under way; "
    "you will get the result here as soon as it is done."
)
UNDER_WAY_BY_DM = (
    ":hourglass_flowing_sand: Got it — this is taking longer than usual. It is recorded and under way; "
    "pmbot will send you the result in a direct message."
)
SHUTTING_DOWN = "pmbot is restarting; try again in a moment"
JSON = "application/json;charset=utf-8"
TEXT = "text/plain;charset=utf-8"


@dataclass(frozen=True)
class Reply:
    """An HTTP answer to Slack."""

    status: int
    body: str = ""
    content_type: str = TEXT

    def to_stored(self) -> dict[str, Any]:
        """The form kept in the inbox, to answer a repeat the same way."""
        return {"status": self.status, "body": self.body, "content_type": self.content_type}

    @classmethod
    def from_stored(cls, stored: dict[str, Any] | None) -> Reply:
        """A stored answer, or a plain 200 if there is none."""
        if not stored:
            return cls(200)
        return cls(int(stored["status"]), str(stored["body"]), str(stored["content_type"]))

    def json_body(self) -> dict[str, Any]:
        """The body as JSON, or {} when it is empty or not JSON."""
        try:
            parsed = json.loads(self.body) if self.body else {}
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}


def ok() -> Reply:
    """200 with an empty body: acknowledged, nothing to show."""
    return Reply(200)


def nothing_happened(incoming: Incoming) -> Reply:
    """Nothing was recorded, so nothing will happen. An event gets 503: Slack delivers it again."""
    if incoming.is_event:
        return Reply(503, "not recorded; deliver again")
    if incoming.kind == "command":
        return _json({"response_type": "ephemeral", "text": NOTHING_HAPPENED})
    if incoming.kind == "view_submission":
        return _modal_refusal(incoming.payload, NOTHING_HAPPENED)
    return ok()  # a click or shortcut: the HTTP body is not shown; told by `side_message`


def under_way(incoming: Incoming) -> Reply:
    """Recorded, still working: the result follows through response_url or a DM."""
    if incoming.kind == "command":
        return _json({"response_type": "ephemeral", "text": UNDER_WAY})
    if incoming.kind == "view_submission":
        return _json({"response_action": "update", "view": _notice_modal(UNDER_WAY_BY_DM).to_dict()})
    return ok()


def needs_side_message(incoming: Incoming) -> bool:
    """A click or shortcut: Slack shows nothing of the HTTP answer, so words go separately."""
    return not incoming.is_event and incoming.kind not in ("command", "view_submission")


def late_message(incoming: Incoming, answer: Reply) -> dict[str, Any] | None:
    """What the listener answered, as a message to send after the HTTP answer went out."""
    body = answer.json_body()
    if incoming.kind == "view_submission":
        text = _view_outcome(body)
        return {"text": text} if text else None
    if body.get("text") or body.get("blocks"):
        return {key: body[key] for key in ("text", "blocks") if key in body}
    if answer.body and not body and answer.status == 200:
        return {"text": answer.body}
    return None


def _view_outcome(body: dict[str, Any]) -> str | None:
    if body.get("response_action") == "errors":
        problems = "; ".join(str(message) for message in (body.get("errors") or {}).values())
        return f":warning: Your form was not saved: {problems}"
    view = body.get("view") if body.get("response_action") in ("update", "push") else None
    if not isinstance(view, dict):
        return ":white_check_mark: Your form was saved."
    texts = [
        block.get("text", {}).get("text", "")
        for block in view.get("blocks", [])
        if block.get("type") == "section"
    ]
    return "\n".join(text for text in texts if text) or ":white_check_mark: Your form was saved."


def _modal_refusal(payload: dict[str, Any], message: str) -> Reply:
    view = payload.get("view") if isinstance(payload.get("view"), dict) else {}
    inputs = [
        block for block in view.get("blocks", []) if block.get("type") == "input" and block.get("block_id")
    ]
    if inputs:
        return _json({"response_action": "errors", "errors": {inputs[0]["block_id"]: message}})
    return _json({"response_action": "update", "view": _notice_modal(message).to_dict()})


def _notice_modal(message: str) -> View:
    return View(
        type="modal",
        title=plain("pmbot", limits.MODAL_TITLE),
        close=plain("Close", limits.MODAL_TITLE),
        blocks=[section(message)],
    )


def _json(body: dict[str, Any]) -> Reply:
    return Reply(200, json.dumps(body), JSON)
