"""Safe text for Slack: user text escaped, markup neutralised, lengths kept within limits."""

from __future__ import annotations

import re
from datetime import UTC as _UTC
from datetime import date, datetime, time

ELLIPSIS = "…"

# <@U123>, <#C123|name>, <!channel>, <!subteam^S1|@team>, <https://x|label>, <mailto:a@b>
_MARKUP = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")
# Words that notify many people when Slack auto-parses mrkdwn.
_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)


def escape(text: str) -> str:
    """Escape raw user text for mrkdwn: `&`, `<`, `>` once, and break @here-style broadcasts.

    After this, `<!channel>` shows as text and pings nobody, a `<url|label>` link cannot be
    disguised, and a typed `@here` cannot notify (a zero-width joiner follows the @).
    """
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST.sub(lambda match: "@\u2060" + match.group(1), escaped)


def unescape(text: str) -> str:
    """Turn Slack's encoded message text back into the characters the person typed."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def neutralise_markup(message_text: str) -> str:
    """Plain, raw text from a Slack message: mentions and links become harmless words.

    Message text arrives encoded, with live mention tokens; quoting it elsewhere as is would
    ping again. The result is raw text again, to be escaped like anything a person typed.
    """

    def plain(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if target.startswith("@"):
            return "@" + (label or target[1:])
        if target.startswith("#"):
            return "#" + (label or target[1:])
        if target.startswith("!"):
            special = target[1:].split("^", 1)
            return label or "@" + special[0]
        if label and label != target:
            return f"{label} ({target})"
        return target

    return unescape(_MARKUP.sub(plain, message_text))


def truncate(text: str, limit: int) -> str:
    """Cut `text` to at most `limit` characters, ending with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)].rstrip() + ELLIPSIS


def escaped(text: str, limit: int) -> str:
    """Escape, then cut to `limit` without splitting an escape sequence."""
    safe = escape(text)
    if len(safe) <= limit:
        return safe
    cut = safe[: max(limit - 1, 0)]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut.rstrip() + ELLIPSIS


def user(user_id: str) -> str:
    """A mention of a user id (ids come from Slack, never from typed text); pmbot itself by name."""
    return f"<@{user_id}>" if user_id[:1] in ("U", "W") else escape(user_id)


def channel(channel_id: str) -> str:
    """A link to a channel by id."""
    return f"<#{channel_id}>"


def date_token(day: date) -> str:
    """A date every reader sees in their own locale (Slack renders the token)."""
    stamp = int(datetime.combine(day, time(12, 0), tzinfo=_UTC).timestamp())
    return f"<!date^{stamp}^{{date_short_pretty}}|{day.isoformat()}>"


def time_token(moment: datetime) -> str:
    """A moment every reader sees in their own timezone."""
    stamp = int(moment.timestamp())
    fallback = moment.astimezone(_UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{stamp}^{{date_short_pretty}} at {{time}}|{fallback}>"
