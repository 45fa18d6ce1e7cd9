"""The `/digest subscribe` modal: day, time, timezone, sections and skip-quiet, pre-filled."""

from __future__ import annotations

import json

from slack_sdk.models.blocks import (
    CheckboxesElement,
    ExternalDataSelectElement,
    InputBlock,
    StaticSelectElement,
    TimePickerElement,
)
from slack_sdk.models.views import View

from bot import text
from bot.services.digests import service as form
from bot.services.digests.service import SubscriptionForm
from bot.views import ids, limits
from bot.views.common import option, plain, section
from storage.models import DigestSection

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SECTION_LABELS = {
    DigestSection.REQUESTS.value: "New requests",
    DigestSection.TRIAGE.value: "Triage decisions",
    DigestSection.ROADMAP.value: "Roadmap changes",
    DigestSection.LAUNCHES.value: "Launches",
    DigestSection.STUCK.value: "What is stuck",
}
SKIP_QUIET = "skip"
TIMEZONE_LENGTH = 64


def digest_modal(channel_id: str, current: SubscriptionForm, *, editing: bool) -> View:
    """Subscribe the channel (or change its subscription) to the weekly digest."""
    days = [option(name, str(number)) for number, name in enumerate(WEEKDAYS)]
    sections = [option(label, value) for value, label in SECTION_LABELS.items()]
    chosen = [choice for choice in sections if choice.value in current.sections]
    skip = option("Post nothing in a week with nothing to report", SKIP_QUIET)
    intro = "Change the weekly digest of" if editing else "Post a weekly status digest in"
    return View(
        type="modal",
        callback_id=ids.DIGEST_MODAL,
        private_metadata=json.dumps({"channel": channel_id}),
        title=plain("Weekly digest", limits.MODAL_TITLE),
        submit=plain("Save", limits.MODAL_TITLE),
        close=plain("Cancel", limits.MODAL_TITLE),
        blocks=[
            section(f"{intro} {text.channel(channel_id)}."),
            InputBlock(
                block_id=form.WEEKDAY,
                label="Day",
                element=StaticSelectElement(
                    action_id=ids.VALUE, options=days, initial_option=days[current.weekday]
                ),
            ),
            InputBlock(
                block_id=form.TIME,
                label="Time",
                element=TimePickerElement(
                    action_id=ids.VALUE, initial_time=f"{current.hour:02d}:{current.minute:02d}"
                ),
            ),
            InputBlock(
                block_id=form.TIMEZONE,
                label="Timezone",
                hint="Type a city or region (Berlin, New York) and pick the zone; the digest keeps "
                "this local time when the clocks change.",
                element=ExternalDataSelectElement(
                    action_id=ids.TIMEZONE_PICKER,
                    min_query_length=1,
                    placeholder=plain("Europe/Berlin", limits.OPTION_TEXT),
                    initial_option=option(current.timezone, current.timezone) if current.timezone else None,
                ),
            ),
            InputBlock(
                block_id=form.SECTIONS,
                label="Sections",  # required: the service checks it too
                element=CheckboxesElement(
                    action_id=ids.VALUE, options=sections, initial_options=chosen or None
                ),
            ),
            InputBlock(
                block_id=form.SKIP_QUIET,
                label="Quiet weeks",
                optional=True,
                element=CheckboxesElement(
                    action_id=ids.VALUE,
                    options=[skip],
                    initial_options=[skip] if current.skip_quiet_weeks else None,
                ),
            ),
        ],
    )
