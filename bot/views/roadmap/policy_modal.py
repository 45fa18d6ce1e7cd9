"""The modal where an admin sets how roadmap changes are approved."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ConversationSelectElement,
    ExternalDataSelectElement,
    InputBlock,
    NumberInputElement,
    UserMultiSelectElement,
)
from slack_sdk.models.views import View

from bot import text
from bot.services.settings.service import ApprovalSettings
from bot.views import ids, limits
from bot.views.common import option, plain, section


def policy_modal(current: ApprovalSettings, group_name: str | None = None) -> View:
    """Approvers, quorum, expiry and channels, pre-filled; `group_name` labels the chosen group."""
    group = current.approver_group_id
    chosen = option(group_name or "The user group chosen before", group) if group else None
    return View(
        type="modal",
        callback_id=ids.POLICY_MODAL,
        title=plain("Approval policy", limits.MODAL_TITLE),
        submit=plain("Save", limits.MODAL_TITLE),
        close=plain("Cancel", limits.MODAL_TITLE),
        blocks=[
            section("Who approves roadmap changes, how many must, and where pmbot posts."),
            InputBlock(
                block_id=ids.APPROVERS,
                label="Approvers",
                optional=True,
                hint="While nobody is named, admins (workspace admins and owners, pmbot admins) approve.",
                element=UserMultiSelectElement(
                    action_id=ids.VALUE, initial_users=current.approver_ids or None
                ),
            ),
            InputBlock(
                block_id=ids.APPROVER_GROUP,
                label="Approvers' user group",
                optional=True,
                hint="Type its name; its members approve too.",
                element=ExternalDataSelectElement(
                    action_id=ids.APPROVER_GROUP_PICKER,
                    min_query_length=0,
                    placeholder=plain("Pick a user group", limits.OPTION_TEXT),
                    initial_option=chosen,
                ),
            ),
            InputBlock(
                block_id=ids.REQUIRED_APPROVALS,
                label="Approvals required",
                element=NumberInputElement(
                    action_id=ids.VALUE,
                    is_decimal_allowed=False,
                    min_value="1",
                    max_value="20",
                    initial_value=str(current.required_approvals),
                ),
            ),
            InputBlock(
                block_id=ids.EXPIRY_DAYS,
                label="Days before a proposal expires",
                element=NumberInputElement(
                    action_id=ids.VALUE,
                    is_decimal_allowed=False,
                    min_value="1",
                    max_value="90",
                    initial_value=str(current.expiry_days),
                ),
            ),
            InputBlock(
                block_id=ids.APPROVALS_CHANNEL,
                label="Approvals channel",
                optional=True,
                element=ConversationSelectElement(
                    action_id=ids.VALUE, initial_conversation=current.approvals_channel_id
                ),
            ),
            InputBlock(
                block_id=ids.ANNOUNCEMENTS_CHANNEL,
                label="Announcements channel",
                optional=True,
                element=ConversationSelectElement(
                    action_id=ids.VALUE, initial_conversation=current.announcements_channel_id
                ),
            ),
        ],
    )


def policy_saved(saved: ApprovalSettings) -> str:
    """The admin's DM once the policy is saved: what it now says, and the channels to invite pmbot to."""
    named = [text.user(user_id) for user_id in saved.approver_ids]
    if saved.approver_group_id:
        named.append("the chosen user group's members")  # never its mention: that would notify them
    who = ", ".join(named) or "admins (nobody named)"
    rule = (
        f"Saved. Roadmap changes need {text.plural(saved.required_approvals, 'approval')} from {who}; "
        f"one rejection ends a change, and a proposal expires after {text.plural(saved.expiry_days, 'day')}."
    )
    said = [rule]
    if not saved.approvals_channel_id:
        said.append("With no approvals channel, each approver gets the card by DM.")
    channels = [c for c in (saved.approvals_channel_id, saved.announcements_channel_id) if c]
    if channels:
        where = " and ".join(text.channel(channel) for channel in dict.fromkeys(channels))
        said.append(f"Make sure @pmbot is in {where} (`/invite @pmbot`).")
    return " ".join(said)
