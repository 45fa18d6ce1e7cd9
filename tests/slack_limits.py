"""Slack's Block Kit limits, checked on what pmbot actually sent (raw dicts: the fake does not check).

The numbers are from docs.slack.dev (reference/block-kit/blocks, composition objects) and are kept
here, apart from bot/views/limits.py, so that a wrong constant in the app cannot hide a wrong message.
"""

from __future__ import annotations

from typing import Any

MESSAGE_BLOCKS = 50
SURFACE_BLOCKS = 100
SECTION_TEXT = 3000
FIELD_TEXT = 2000
SECTION_FIELDS = 10
HEADER_TEXT = 150
CONTEXT_ELEMENTS = 10
ACTIONS_ELEMENTS = 25
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
OPTION_TEXT = 75
OPTION_VALUE = 150
SELECT_OPTIONS = 100
BLOCK_ID = 255
MESSAGE_TEXT = 4000


def problems_in_message(body: dict[str, Any]) -> list[str]:
    """What Slack would reject (or silently cut) in a message body: text and blocks."""
    found = []
    if len(body.get("text") or "") > MESSAGE_TEXT:
        found.append(f"message text of {len(body['text'])} characters")
    blocks = body.get("blocks") or []
    if len(blocks) > MESSAGE_BLOCKS:
        found.append(f"{len(blocks)} blocks in a message")
    return found + problems_in_blocks(blocks)


def problems_in_view(view: dict[str, Any]) -> list[str]:
    """What Slack would reject in a modal."""
    found = []
    blocks = view.get("blocks") or []
    if len(blocks) > SURFACE_BLOCKS:
        found.append(f"{len(blocks)} blocks in a view")
    for name in ("title", "submit", "close"):
        if view.get(name) and len(view[name]["text"]) > 24:
            found.append(f"view {name} {view[name]['text']!r} is over 24 characters")
    if len(view.get("private_metadata") or "") > 3000:
        found.append("private_metadata over 3000 characters")
    return found + problems_in_blocks(blocks)


def problems_in_options(options: list[dict[str, Any]]) -> list[str]:
    """What Slack would reject in an external select's options."""
    found = [f"{len(options)} options"] if len(options) > SELECT_OPTIONS else []
    for item in options:
        found += _option(item)
    return found


def problems_in_blocks(blocks: list[dict[str, Any]]) -> list[str]:
    """Per-block limits, and block_ids unique within the surface."""
    found: list[str] = []
    block_ids = [block["block_id"] for block in blocks if "block_id" in block]
    if len(block_ids) != len(set(block_ids)):
        found.append(f"duplicate block_ids {block_ids}")
    for block in blocks:
        found += _block(block)
    return found


def _block(block: dict[str, Any]) -> list[str]:
    kind = block["type"]
    found = [f"block_id {block['block_id']!r} too long"] if len(block.get("block_id", "")) > BLOCK_ID else []
    if kind == "section":
        found += _text(block.get("text"), SECTION_TEXT, "section text")
        fields = block.get("fields") or []
        if len(fields) > SECTION_FIELDS:
            found.append(f"{len(fields)} section fields")
        for field in fields:
            found += _text(field, FIELD_TEXT, "section field")
        if not block.get("text") and not fields:
            found.append("section with neither text nor fields")
    elif kind == "header":
        found += _text(block["text"], HEADER_TEXT, "header")
    elif kind == "context":
        if len(block["elements"]) > CONTEXT_ELEMENTS:
            found.append(f"{len(block['elements'])} context elements")
        for element in block["elements"]:
            found += _text(element, SECTION_TEXT, "context element")
    elif kind == "actions":
        if len(block["elements"]) > ACTIONS_ELEMENTS:
            found.append(f"{len(block['elements'])} actions elements")
        for element in block["elements"]:
            found += _element(element)
    elif kind == "input":
        found += _text(block["label"], 2000, "input label")
    return found


def _element(element: dict[str, Any]) -> list[str]:
    found = []
    if element["type"] == "button":
        found += _text(element["text"], BUTTON_TEXT, "button text")
        if len(element.get("value", "")) > BUTTON_VALUE:
            found.append("button value too long")
    if len(element.get("action_id", "")) > BLOCK_ID:
        found.append("action_id too long")
    for item in element.get("options") or []:
        found += _option(item)
    return found


def _option(item: dict[str, Any]) -> list[str]:
    found = _text(item["text"], OPTION_TEXT, "option text")
    if len(item["value"]) > OPTION_VALUE:
        found.append(f"option value of {len(item['value'])} characters")
    return found


def _text(obj: dict[str, Any] | None, limit: int, what: str) -> list[str]:
    if obj is None:
        return []
    content = obj.get("text", "")
    if not content:
        return [f"empty {what}"]
    return [f"{what} of {len(content)} characters (limit {limit})"] if len(content) > limit else []
