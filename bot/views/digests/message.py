"""The weekly digest message: one section per list, each cut to fit, with "See all" for the rest."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    SectionBlock,
)

from bot import text
from bot.local_time import is_known_zone, local_date
from bot.services.digests.content import LISTS_OF, Counted, Digest, DigestList
from bot.views import ids, limits
from bot.views.common import mrkdwn, plain, section
from bot.views.digests.lines import TRIAGE_WORDS, item_line, list_value
from storage.models import DigestSection

MORE_RESERVE = 40  # room kept in a section for "…and 12,345 more"
HEADINGS = {
    DigestList.NEW: ":inbox_tray: New requests",
    DigestList.TRIAGED: ":mag: Triage decisions",
    DigestList.APPROVED: ":white_check_mark: Roadmap changes approved",
    DigestList.REJECTED: ":x: Roadmap changes rejected",
    DigestList.PENDING: ":hourglass_flowing_sand: Roadmap changes still pending",
    DigestList.UPCOMING: ":rocket: Launches in the next 14 days",
    DigestList.SHIPPED: ":tada: Launches shipped",
    DigestList.STUCK_REQUESTS: ":warning: Requests untriaged over 5 days",
    DigestList.STUCK_APPROVALS: ":warning: Approvals pending over 3 days",
}
# (noun, what follows it) by list: "1 new request", "3 launches shipped".
FALLBACK_WORDS = {
    DigestList.NEW: ("new request", ""),
    DigestList.TRIAGED: ("triage decision", ""),
    DigestList.APPROVED: ("change", " approved"),
    DigestList.REJECTED: ("change", " rejected"),
    DigestList.PENDING: ("change", " pending"),
    DigestList.UPCOMING: ("launch", " in the next 14 days"),
    DigestList.SHIPPED: ("launch", " shipped"),
    DigestList.STUCK_REQUESTS: ("request", " untriaged over 5 days"),
    DigestList.STUCK_APPROVALS: ("approval", " pending over 3 days"),
}
PLURALS = {"launch": "launches"}


def digest_message(digest: Digest, *, late_by: timedelta | None = None) -> tuple[str, list[Block]]:
    """(fallback text, blocks) for chat.postMessage; `late_by` adds a short "posted late" note.

    At most 2 + 5 + 9 blocks whatever the data (Slack allows 50), every section under 3,000
    characters: a list that does not fit says "…and N more" and carries a "See all N" button.
    """
    blocks: list[Block] = [
        HeaderBlock(text=plain(":clipboard: Weekly digest", limits.HEADER_TEXT)),
        ContextBlock(elements=[mrkdwn(_period(digest, late_by))]),
    ]
    if not is_known_zone(digest.timezone):
        blocks.append(section(_unknown_zone(digest.timezone)))
    if digest.is_quiet:
        blocks.append(section(_quiet(digest)))
    else:
        for section_name in digest.sections:
            blocks.append(DividerBlock())
            blocks += [_list_block(digest, which) for which in LISTS_OF[DigestSection(section_name)]]
    return _fallback(digest), blocks[: limits.MESSAGE_BLOCKS]


def _list_block(digest: Digest, which: DigestList) -> SectionBlock:
    listed = digest.listed(which)
    heading = f"*{HEADINGS[which]}: {listed.total:,}*"
    if which == DigestList.TRIAGED and listed.total:
        heading += " — " + _triage_counts(digest)
    if not listed.total:
        return SectionBlock(block_id=f"digest:{which}", text=mrkdwn(f"*{HEADINGS[which]}:* none"))
    lines = _fitting(digest, which, listed, limits.SECTION_TEXT - len(heading) - MORE_RESERVE)
    more = listed.total - len(lines)
    body = "\n".join([heading, *lines] + ([f"_…and {more:,} more_"] if more else []))
    button = None
    if more:
        value = list_value(which, digest.since, digest.until, digest.timezone)
        button = ButtonElement(text=f"See all {listed.total:,}", action_id=ids.DIGEST_SEE_ALL, value=value)
    return SectionBlock(block_id=f"digest:{which}", text=mrkdwn(body), accessory=button)


def _fitting(digest: Digest, which: DigestList, listed: Counted[object], budget: int) -> list[str]:
    """As many lines as fit in `budget` characters, in order."""
    lines: list[str] = []
    used = 0
    for item in listed.rows:
        line = item_line(which, item, digest, digest.until)
        if used + len(line) + 1 > budget:
            break
        lines.append(line)
        used += len(line) + 1
    return lines


def _triage_counts(digest: Digest) -> str:
    counts = digest.triage_counts
    said = [f"{counts[action]:,} {word}" for action, word in TRIAGE_WORDS.items() if counts.get(action)]
    return " · ".join(said)


def _period(digest: Digest, late_by: timedelta | None) -> str:
    since, until = _local(digest, digest.since), _local(digest, digest.until)
    period = f"{text.date_token(since)} to {text.date_token(until)}"
    if late_by is None or late_by <= timedelta(0):
        return period
    return f"{period} · :hourglass: posted {_duration(late_by)} late: pmbot was not running when it was due"


def _duration(late_by: timedelta) -> str:
    minutes = int(late_by.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return f"{hours} h {minutes} min"
    return f"{hours} h" if hours else f"{max(minutes, 1)} min"


def _unknown_zone(name: str) -> str:
    """A stored zone this machine does not know (renamed in tzdata, or set by hand): said, not hidden."""
    return (
        f":warning: This digest's timezone `{text.escape(name)}` is not one pmbot knows, so it runs on "
        "UTC time. Pick a timezone with `/digest subscribe` in this channel."
    )


def _quiet(digest: Digest) -> str:
    since = text.date_token(_local(digest, digest.since))
    if _shorter_than_a_day(digest):  # hours are not a week: "quiet" would say nothing happened all week
        return f":zzz: Nothing new since {since}."
    return f":zzz: *A quiet week.* Nothing to report since {since}."


def _shorter_than_a_day(digest: Digest) -> bool:
    return digest.until - digest.since < timedelta(days=1)


def _local(digest: Digest, moment: datetime) -> date:
    return local_date(moment, digest.timezone)


def _fallback(digest: Digest) -> str:
    since, until = _local(digest, digest.since), _local(digest, digest.until)
    period = f"{text.fixed_date(since)} to {text.fixed_date(until)}"
    if digest.is_quiet:
        quiet = "nothing new." if _shorter_than_a_day(digest) else "a quiet week."
        return f"Weekly digest, {period}: {quiet}"
    listed = {which: found.total for which, found in digest.lists.items() if found.total}
    counts = [_counted(total, *FALLBACK_WORDS[which]) for which, total in listed.items()]
    return f"Weekly digest, {period}: " + ", ".join(counts) + "."


def _counted(count: int, noun: str, rest: str) -> str:
    return f"{count:,} {noun if count == 1 else PLURALS.get(noun, noun + 's')}{rest}"
