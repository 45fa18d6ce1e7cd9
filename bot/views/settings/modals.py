"""The admin settings modals: intake channel and triagers, pmbot admins, digest defaults."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    Block,
    ConversationSelectElement,
    InputBlock,
    StaticSelectElement,
    TimePickerElement,
    UserMultiSelectElement,
)
from slack_sdk.models.views import View

from bot.services.settings.service import DigestDefaults
from bot.views import ids, limits
from bot.views.common import option, plain, section

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def settings_modal(intake_channel_id: str | None, triager_ids: list[str]) -> View:
    """Intake channel and triagers, pre-filled with what is set now."""
    return _form(
        ids.SETTINGS_MODAL,
        "pmbot settings",
        [
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
                hint="While nobody is named, admins (workspace admins and owners, pmbot admins) triage.",
                element=UserMultiSelectElement(action_id=ids.VALUE, initial_users=triager_ids or None),
            ),
        ],
    )


def admins_modal(admin_ids: list[str]) -> View:
    """The people named pmbot admins, pre-filled."""
    return _form(
        ids.ADMINS_MODAL,
        "pmbot admins",
        [
            section(
                "Admins change pmbot's settings. The workspace's admins and owners always are; "
                "name anyone else who should be."
            ),
            InputBlock(
                block_id=ids.PMBOT_ADMINS,
                label="pmbot admins",
                optional=True,
                hint="Leave it empty and only workspace admins and owners are admins.",
                element=UserMultiSelectElement(action_id=ids.VALUE, initial_users=admin_ids or None),
            ),
        ],
    )


def digest_defaults_modal(defaults: DigestDefaults) -> View:
    """The day and time a new digest subscription starts from, pre-filled."""
    days = [option(name, str(number)) for number, name in enumerate(WEEKDAYS)]
    return _form(
        ids.DIGEST_DEFAULTS_MODAL,
        "Digest defaults",
        [
            section(
                "When a new weekly digest is sent, unless its subscriber picks otherwise. The time is "
                "each subscriber's own; existing subscriptions keep theirs."
            ),
            InputBlock(
                block_id=ids.DEFAULT_DIGEST_DAY,
                label="Day",
                element=StaticSelectElement(
                    action_id=ids.VALUE, options=days, initial_option=days[defaults.weekday]
                ),
            ),
            InputBlock(
                block_id=ids.DEFAULT_DIGEST_TIME,
                label="Time",
                element=TimePickerElement(
                    action_id=ids.VALUE, initial_time=f"{defaults.hour:02d}:{defaults.minute:02d}"
                ),
            ),
        ],
    )


def _form(callback_id: str, title: str, blocks: list[Block]) -> View:
    return View(
        type="modal",
        callback_id=callback_id,
        title=plain(title, limits.MODAL_TITLE),
        submit=plain("Save", limits.MODAL_TITLE),
        close=plain("Cancel", limits.MODAL_TITLE),
        blocks=blocks,
    )
