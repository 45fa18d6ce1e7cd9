"""The Home tab: what waits for the person, buttons to file and propose, and settings for admins.

The tab is a list of sections (HOME_SECTIONS), each a pure function of the person's HomeQueue.
Each list shows its first items and a "See all" button, so the tab stays far inside Slack's 100
blocks whatever the sizes; a last guard trims it should a future section overrun.
"""

from __future__ import annotations

from collections.abc import Callable

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot import text
from bot.services.home.service import (
    CHECKLIST_DAYS,
    UPCOMING_LAUNCH_DAYS,
    HomeList,
    HomeQueue,
    WorkspaceSetup,
)
from bot.services.settings.permissions import WHO_ARE_ADMINS
from bot.text import plural
from bot.views import ids, limits
from bot.views.common import mrkdwn, plain, section
from bot.views.home.lists import list_blocks
from bot.views.home.queues import assigned_to_you, waiting_for_triage, your_proposals
from bot.views.settings.modals import WEEKDAYS

HomeSection = Callable[[HomeQueue], list[Block]]
PEOPLE_SHOWN = 20  # triagers and approvers named in the settings summary

WHAT_PMBOT_DOES = (
    "pmbot does a product manager's coordination work in Slack: anyone files a *request* "
    "(`/request`, or *File as request* on a message) and hears about every change to it; "
    "*roadmap changes* are proposed (`/roadmap propose`) and decided by approvers' votes; "
    "*launches* (`/launch new`) carry a checklist whose owners tick items off in Slack, with "
    "reminders and a go / no-go poll; and channels get a weekly *digest* (`/digest`)."
)


def home_view(queue: HomeQueue) -> View:
    """The person's Home tab."""
    blocks = [block for build in HOME_SECTIONS for block in build(queue)]
    return View(type="home", blocks=_within_limit(blocks))


def _top(queue: HomeQueue) -> list[Block]:
    buttons = [
        ButtonElement(text="File a request", action_id=ids.OPEN_REQUEST_MODAL, value="home", style="primary"),
        ButtonElement(text="Propose a roadmap change", action_id=ids.OPEN_PROPOSE_MODAL, value="home"),
        ButtonElement(text="New launch", action_id=ids.HOME_NEW_LAUNCH, value="home"),
    ]
    return [HeaderBlock(text=plain("pmbot", limits.HEADER_TEXT)), ActionsBlock(elements=buttons)]


INTAKE_STEP = "1. *Intake channel*: where each new request's triage card is posted."
TRIAGERS_STEP = "2. *Triagers*: who accepts, declines and assigns requests (until named: admins)."
APPROVERS_STEP = "3. *Approvers*: who votes on roadmap changes, and how many approvals a change needs."


def _first_run(queue: HomeQueue) -> list[Block]:
    """Admins: the three settings, each marked done once made, until all are. Others: whom to ask,
    while nothing is set."""
    if not queue.is_admin:
        if not queue.setup_blank:
            return []
        return [
            section(WHAT_PMBOT_DOES),
            section(
                f":wave: pmbot is not set up in this workspace yet. Ask {_whom_to_ask(queue)} to "
                "open pmbot's *Home* tab: it walks them through the three settings it needs."
            ),
        ]
    setup = queue.settings
    if not queue.first_run or setup is None:
        return []
    steps = [
        (setup.intake_done, INTAKE_STEP, "Choose intake channel", ids.HOME_OPEN_SETTINGS, "first_run:intake"),
        (setup.triagers_done, TRIAGERS_STEP, "Choose triagers", ids.HOME_OPEN_SETTINGS, "first_run:triagers"),
        (
            setup.approvers_done,
            APPROVERS_STEP,
            "Choose approvers",
            ids.HOME_OPEN_POLICY,
            "first_run:approvers",
        ),
    ]
    left = sum(1 for done, *_ in steps if not done)
    blocks: list[Block] = [section(f":wave: *Welcome!* {WHAT_PMBOT_DOES}\n{_left(left)}")]
    for done, words, label, action_id, block_id in steps:
        shown = f":white_check_mark: {words} _Done._" if done else f":white_square: {words}"
        blocks.append(_setting_step(shown, "Change" if done else label, action_id, block_id))
    return blocks


def _left(left: int) -> str:
    if left == 3:
        return "Three settings and pmbot is ready:"
    return f"{left} more setting{'s' if left != 1 else ''} and pmbot is ready:"


def _awaiting_vote(queue: HomeQueue) -> list[Block]:
    if not (queue.is_approver or queue.awaiting_vote.total):
        return []
    return list_blocks(
        queue,
        HomeList.VOTES,
        ":ballot_box_with_ballot: Waiting for your vote",
        "Nothing waits for your vote. Vote on the approval card pmbot sends you by DM.",
    )


def _my_requests(queue: HomeQueue) -> list[Block]:
    return list_blocks(
        queue,
        HomeList.MINE,
        ":inbox_tray: Your open requests",
        "You have no open requests. *File a request* above, or type `/request`.",
    )


def _followed(queue: HomeQueue) -> list[Block]:
    return list_blocks(
        queue,
        HomeList.FOLLOWED,
        ":eyes: Requests you follow",
        "You follow no other open requests. Click *Follow* on a request's card to hear about it.",
    )


def _checklist(queue: HomeQueue) -> list[Block]:
    if not queue.checklist.total:  # only people who own launch work see the list
        return []
    return list_blocks(
        queue, HomeList.CHECKLIST, f":clipboard: Your checklist items due within {CHECKLIST_DAYS} days", ""
    )


def _upcoming_launches(queue: HomeQueue) -> list[Block]:
    return list_blocks(
        queue,
        HomeList.LAUNCHES,
        f":rocket: Upcoming launches (next {UPCOMING_LAUNCH_DAYS} days)",
        f"No launch is planned in the next {UPCOMING_LAUNCH_DAYS} days. *New launch* above plans one.",
    )


def _admin_settings(queue: HomeQueue) -> list[Block]:
    setup = queue.settings
    if not queue.is_admin or setup is None:
        return []
    # The problem text is pmbot's own (channel mentions and advice), built by the deliveries.
    problem = [section(f":warning: {setup.delivery_problem}")] if setup.delivery_problem else []
    return [
        DividerBlock(),
        HeaderBlock(text=plain("Settings", limits.HEADER_TEXT)),
        *problem,
        _setting_step(_requests_summary(setup), "Edit", ids.HOME_OPEN_SETTINGS, "settings:requests"),
        _setting_step(_approvals_summary(setup), "Edit", ids.HOME_OPEN_POLICY, "settings:approvals"),
        _setting_step(_admins_summary(setup), "Edit", ids.HOME_OPEN_ADMINS, "settings:admins"),
        _setting_step(_digest_summary(setup), "Edit", ids.HOME_DIGEST_DEFAULTS, "settings:digest"),
        _setting_step(
            "*Launch templates*\nThe checklists a new launch starts from.",
            "Manage",
            ids.HOME_LAUNCH_TEMPLATES,
            "settings:launch_templates",
        ),
        ContextBlock(elements=[mrkdwn(f":lock: Only admins see this section. {WHO_ARE_ADMINS}")]),
    ]


# The Home tab, in order.
HOME_SECTIONS: tuple[HomeSection, ...] = (
    _top,
    _first_run,
    waiting_for_triage,
    _awaiting_vote,
    assigned_to_you,
    _checklist,
    your_proposals,
    _my_requests,
    _followed,
    _upcoming_launches,
    _admin_settings,
)


def _setting_step(summary: str, label: str, action_id: str, block_id: str) -> SectionBlock:
    button = ButtonElement(text=label, action_id=action_id, value=block_id)
    return SectionBlock(block_id=block_id, text=mrkdwn(summary), accessory=button)


def _requests_summary(setup: WorkspaceSetup) -> str:
    intake = (
        text.channel(setup.intake_channel_id) if setup.intake_channel_id else _missing("no card is posted")
    )
    triagers = _people(setup.triager_ids) or "admins (nobody named)"
    return f"*Requests*\nIntake channel: {intake}\nTriagers: {triagers}"


def _approvals_summary(setup: WorkspaceSetup) -> str:
    policy = setup.policy
    approvers = _people(setup.approver_ids)
    if policy.approver_group_id:
        approvers = ", ".join(
            filter(None, [approvers, f"members of `{text.escape(policy.approver_group_id)}`"])
        )
    channel = (
        text.channel(policy.approvals_channel_id)
        if policy.approvals_channel_id
        else _missing("cards go to approvers' DMs only")
    )
    announce = text.channel(policy.announcements_channel_id) if policy.announcements_channel_id else "—"
    return (
        f"*Roadmap approvals*\nApprovers: {approvers or 'admins (nobody named)'}\n"
        f"{plural(policy.required_approvals, 'approval')} needed · proposals expire after "
        f"{plural(policy.expiry_days, 'day')}\n"
        f"Approvals channel: {channel} · announcements: {announce}"
    )


def _admins_summary(setup: WorkspaceSetup) -> str:
    named = _people(setup.admin_ids) or "nobody named"
    return f"*pmbot admins*\n{named} (besides the workspace's admins and owners)"


def _digest_summary(setup: WorkspaceSetup) -> str:
    digest = setup.digest
    return (
        f"*Weekly digest defaults*\nA new subscription is sent on {WEEKDAYS[digest.weekday]} at "
        f"{digest.hour:02d}:{digest.minute:02d}, the subscriber's time, unless they pick otherwise."
    )


def _whom_to_ask(queue: HomeQueue) -> str:
    if not queue.admins_to_ask:
        return "a workspace admin or owner"
    return f"a pmbot admin ({_people(queue.admins_to_ask)}) or a workspace admin"


def _people(user_ids: list[str]) -> str:
    shown = ", ".join(text.user(user_id) for user_id in user_ids[:PEOPLE_SHOWN])
    more = len(user_ids) - PEOPLE_SHOWN
    return shown + (f" and {more} more" if more > 0 else "")


def _missing(consequence: str) -> str:
    return f":warning: not set ({consequence})"


def _within_limit(blocks: list[Block]) -> list[Block]:
    """Never more than Slack takes; with today's sections the tab stays far below it."""
    if len(blocks) <= limits.SURFACE_BLOCKS:
        return blocks
    note = ContextBlock(elements=[mrkdwn("Some sections are hidden: the Home tab is full.")])
    return [*blocks[: limits.SURFACE_BLOCKS - 1], note]
