"""The modal where an admin sets the intake channel and the triagers."""

from __future__ import annotations

from slack_sdk.models.blocks import ConversationSelectElement, InputBlock, UserMultiSelectElement
from slack_sdk.models.views import View

from bot.views import ids, limits
from bot.views.common import plain, section


def settings_modal(intake_channel_id: str | None, triager_ids: list[str]) -> View:
    """Intake channel and triagers, pre-filled with what is set now."""
    return View(
        type="modal",
        callback_id=ids.SETTINGS_MODAL,
        title=plain("pmbot settings", limits.MODAL_TITLE),
        submit=plain("Save", limits.MODAL_TITLE),
        close=plain("Cancel", limits.MODAL_TITLE),
        blocks=[
            section("Where new requests are posted, and who triages them."),
            InputBlock(
                block_id=ids.INTAKE_CHANNEL,
                label="Intake channel",
                hint="Invite @pmbot to it (/invite @pmbot) so it can post the cards.",
                element=ConversationSelectElement(
                    action_id=ids.VALUE, initial_conversation=intake_channel_id, placeholder="Pick a channel"
                ),
            ),
            InputBlock(
                block_id=ids.TRIAGERS,
                label="Triagers",
                optional=True,
                hint="While nobody is named, workspace admins and owners triage.",
                element=UserMultiSelectElement(action_id=ids.VALUE, initial_users=triager_ids or None),
            ),
        ],
    )
