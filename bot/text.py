"""Safe text for Slack: user text escaped, markup neutralised, lengths kept within limits."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC as _UTC
from datetime import date, datetime, time

ELLIPSIS = "…"

# <@U123>, <#C123|name>, <!channel>, <!subteam^S1|@team>, <https://x|label>, <mailto:a@b>
_MARKUP = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")
# Words that notify many people when Slack auto-parses mrkdwn.
_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
# A user mention kept in stored text (from a message the shortcut filed), once escaped.
_ESCAPED_USER = re.compile(r"&lt;@([UW][A-Z0-9_]{2,})&gt;")
# A user mention in stored text, raw.
_USER_MENTION = re.compile(r"<@([UW][A-Z0-9_]{2,})(?:\|[^<>]*)?>")


def escape(text: str, *, mentions: bool = False) -> str:
    """Escape raw user text for mrkdwn: `&`, `<`, `>` once, and break @here-style broadcasts.

    After this, `<!channel>` shows as text and pings nobody, a `<url|label>` link cannot be
    disguised, and a typed `@here` cannot notify (a zero-width joiner follows the @).
    With `mentions`, a stored user mention `<@U123>` stays live: it names one person, as in the
    message a request was filed from (its description). `<!channel>`, `<!subteam^…>` and links
    never become live.
    """
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    escaped = _BROADCAST.sub(lambda match: "@\u2060" + match.group(1), escaped)
    return _ESCAPED_USER.sub(r"<@\1>", escaped) if mentions else escaped


def plain(text: str, names: Mapping[str, str] | None = None) -> str:
    """Stored text for a plain_text field: user mentions become "@Name" (Slack will not resolve
    them there); an unknown person is "@someone", never an id."""
    known = names or {}
    return _USER_MENTION.sub(lambda match: "@" + known.get(match.group(1), "someone"), text)


def plain_of_mrkdwn(message: str, names: Mapping[str, str] | None = None) -> str:
    """pmbot's own mrkdwn made fit for a plain_text field (a modal's inline error): no token is left.

    People become "@Name" (or "@someone"), `<!date^…|fallback>` its fallback, `<#C1|name>` "#name",
    a link its label; `&lt;` and the like turn back into the characters they stand for."""
    return neutralise_markup(plain(message, names))


def mentioned_ids(text: str) -> list[str]:
    """The user ids mentioned in stored text, in order, once each."""
    return list(dict.fromkeys(match.group(1) for match in _USER_MENTION.finditer(text)))


def plural(count: int, noun: str, plural_form: str | None = None) -> str:
    """`plural(1, "approval")` → "1 approval", `plural(2, "approval")` → "2 approvals"."""
    return f"{count} {noun if count == 1 else plural_form or noun + 's'}"


def unescape(text: str) -> str:
    """Turn Slack's encoded message text back into the characters the person typed."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def neutralise_markup(message_text: str, *, keep_users: bool = False) -> str:
    """Plain, raw text from a Slack message: mentions and links become harmless words.

    Message text arrives encoded, with live mention tokens; quoting it elsewhere as is would
    ping again. The result is raw text again, to be escaped like anything a person typed.
    With `keep_users`, user mentions stay as `<@U…>` (escape() keeps them live, plain() names them).
    """

    def plain(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if target.startswith("@"):
            return f"<{target}>" if keep_users else "@" + (label or target[1:])
        if target.startswith("#"):
            return "#" + (label or target[1:])
        if target.startswith("!"):
            special = target[1:].split("^", 1)
            return label or "@" + special[0]
        if label and label != target:
            return f"{label} ({target})"
        return target

    return unescape(_MARKUP.sub(plain, message_text))


_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")


def first_sentence(text: str, limit: int) -> str:
    """The first sentence of the first non-empty line, cut at a word to at most `limit` characters."""
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    end = _SENTENCE_END.search(line)
    sentence = line[: end.start() + 1] if end else line
    if len(sentence) <= limit:
        return sentence
    cut = sentence[: max(limit - 1, 0)]
    at_word = cut.rsplit(" ", 1)[0] if " " in cut else cut
    return at_word.rstrip(" ,;:-") + ELLIPSIS


def after_first_sentence(text: str) -> str:
    """What follows the sentence `first_sentence` takes (the first of the first non-empty line)."""
    lines = text.splitlines()
    first = next((index for index, line in enumerate(lines) if line.strip()), len(lines))
    if first == len(lines):
        return ""
    line = lines[first].strip()
    end = _SENTENCE_END.search(line)
    rest_of_line = line[end.start() + 1 :] if end else ""
    return "\n".join([rest_of_line, *lines[first + 1 :]]).strip()


def truncate(text: str, limit: int) -> str:
    """Cut `text` to at most `limit` characters, ending with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)].rstrip() + ELLIPSIS


def escaped(text: str, limit: int, *, mentions: bool = False) -> str:
    """Escape, then cut to `limit` without splitting an escape sequence."""
    safe = escape(text, mentions=mentions)
    if len(safe) <= limit:
        return safe
    cut = safe[: max(limit - 1, 0)]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    opened = cut.rfind("<")  # a kept mention cut in half would show as broken markup
    if opened != -1 and ">" not in cut[opened:]:
        cut = cut[:opened]
    return cut.rstrip() + ELLIPSIS


def user(user_id: str) -> str:
    """A mention of a user id (ids come from Slack, never from typed text); pmbot itself by name."""
    return f"<@{user_id}>" if user_id[:1] in ("U", "W") else escape(user_id)


def channel(channel_id: str) -> str:
    """A link to a channel by id."""
    return f"<#{channel_id}>"


def fixed_date(day: date) -> str:
    """The one date format where Slack takes only plain text: "Wed 16 Dec 2026"."""
    return f"{day:%a} {day.day} {day:%b %Y}"


def date_token(day: date) -> str:
    """A date every reader sees in their own locale (Slack renders the token)."""
    stamp = int(datetime.combine(day, time(12, 0), tzinfo=_UTC).timestamp())
    return f"<!date^{stamp}^{{date_short_pretty}}|{fixed_date(day)}>"


def time_token(moment: datetime) -> str:
    """A moment every reader sees in their own timezone."""
    stamp = int(moment.timestamp())
    utc = moment.astimezone(_UTC)
    return f"<!date^{stamp}^{{date_short_pretty}} at {{time}}|{fixed_date(utc.date())} {utc:%H:%M} UTC>"
