"""Small `/digest` replies: the list of subscriptions, the help, and short confirmations."""

from __future__ import annotations

from slack_sdk.models.blocks import Block

from bot import text
from bot.local_time import is_known_zone
from bot.services.digests.service import SubscriptionView
from bot.views import limits
from bot.views.common import section
from bot.views.digests.modal import SECTION_LABELS, WEEKDAYS

USAGE = "\n".join(
    [
        "*pmbot digest* — a weekly status digest posted in a channel",
        "`/digest subscribe` — subscribe this channel, or change its day, time, timezone and sections",
        "`/digest unsubscribe` — stop this channel's digest (whoever set it up, or an admin)",
        "`/digest list` — every channel's digest and when it next goes out",
        "`/digest preview` — see, only for you, what would be posted here now",
        "`/digest now` — post the digest here now (the scheduled one still goes out)",
        "`/digest help` — this help",
    ]
)
LISTED = 40  # one section a subscription, well inside a message's 50 blocks


def help_blocks(note: str | None = None) -> list[Block]:
    """The usage, after a note (an unknown subcommand, say)."""
    return [section(note), section(USAGE)] if note else [section(USAGE)]


def subscriptions_blocks(found: list[SubscriptionView]) -> list[Block]:
    """Each channel's digest: its day, local time and zone, sections, and the next post as a date token."""
    if not found:
        return [section("No channel gets a digest yet. Run `/digest subscribe` in one.")]
    blocks: list[Block] = [section(f"*Weekly digests* ({len(found)})")]
    blocks += [section(_line(view)) for view in found[:LISTED]]
    if len(found) > LISTED:
        blocks.append(section(f"…and {len(found) - LISTED} more."))
    return blocks[: limits.MESSAGE_BLOCKS]


def subscribed_text(view: SubscriptionView) -> str:
    """The confirmation of a saved subscription: when it posts, in its zone, and the next post."""
    s = view.subscription
    when = f"{WEEKDAYS[s.weekday]}s at {s.hour:02d}:{s.minute:02d} ({text.escape(s.timezone)} time)"
    return (
        f"Saved: {text.channel(s.channel_id)} gets the digest on {when}; "
        f"next: {text.time_token(view.next_at)}. `/digest subscribe` here changes it."
    )


def _line(view: SubscriptionView) -> str:
    s = view.subscription
    sections = ", ".join(SECTION_LABELS.get(name, name) for name in s.sections)
    quiet = " · skips quiet weeks" if s.skip_quiet_weeks else ""
    return (
        f"{text.channel(s.channel_id)} — {WEEKDAYS[s.weekday]}s at {s.hour:02d}:{s.minute:02d} "
        f"{text.escape(s.timezone)}{_zone_warning(s.timezone)} · next {text.time_token(view.next_at)}\n"
        f"{sections}{quiet} · set up by {text.user(s.created_by)}"
    )


def _zone_warning(name: str) -> str:
    return "" if is_known_zone(name) else " :warning: _not a timezone pmbot knows: runs on UTC_"


def digest_stopped(channel_id: str, stopped_by: str) -> str:
    """What whoever set up a channel's digest reads when someone else stops it."""
    return (
        f"{text.user(stopped_by)} stopped the weekly digest you set up in {text.channel(channel_id)}. "
        f"To start it again, run `/digest subscribe` there."
    )
