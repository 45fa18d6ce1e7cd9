"""Modals with one message: "loading" while slow work runs, "not allowed" when it may not."""

from __future__ import annotations

from slack_sdk.models.views import View

from bot.views import limits
from bot.views.common import plain, section


def loading_modal(title: str) -> View:
    """Opened at once, so the trigger id is used before any slow work; filled in after."""
    return View(
        type="modal",
        title=plain(title, limits.MODAL_TITLE),
        close=plain("Close", limits.MODAL_TITLE),
        blocks=[section(":hourglass_flowing_sand: Loading…")],
    )


def said_modal(title: str, message: str) -> View:
    """What a submitted form did, in place of the form."""
    return View(
        type="modal",
        title=plain(title, limits.MODAL_TITLE),
        close=plain("Close", limits.MODAL_TITLE),
        blocks=[section(message)],
    )


def refusal_modal(message: str) -> View:
    """Shown in place of a modal to someone who may not use it."""
    return View(
        type="modal",
        title=plain("Not allowed", limits.MODAL_TITLE),
        close=plain("Close", limits.MODAL_TITLE),
        blocks=[section(f":lock: {message}")],
    )
