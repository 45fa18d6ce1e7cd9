"""What a typed request says, as words a search can use: content words, their stems, their synonyms.

Deliberately small and symmetric: the same light stemmer runs on the query and on the candidates,
so "exporting", "exported" and "exports" meet at "export"; it need not be linguistically right,
only consistent. Stop words and request filler ("please", "would", "ability to") carry no need.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from bot.services.requests.synonyms import GROUPS

WORD = re.compile(r"[^\W_]+")
MIN_WORD = 3
SHORT_JARGON = frozenset({"ui", "ux", "ai", "qa", "db", "id", "os"})
_STOP = """
    a about above after again against all am an and any are as at be because been before being
    below between both but by can cannot could did do does doing down during each few for from
    further had has have having he her here hers him his how i if in into is it its itself just
    me more most my no nor not now of off on once only or other our ours out over own same she
    should so some such than that the their theirs them then there these they this those through
    to too under until up very was we were what when where which while who whom why will with
    would you your yours yourself etc via per also still even ever every much many lot lots
    please pls thanks thank need needs needed want wants wanted like able ability allow allows
    let lets way ways option options support supports supported feature features request
    requests possible possibility thing things stuff get gets getting got use using used
    make makes made something someone anything everything really just maybe currently right
    now today instead whenever without within across us its there's can't cant dont don't
    hi hey hello team's anyone somehow help
"""
STOP_WORDS = frozenset(_STOP.split())
_SUFFIXES = ("ations", "ation", "ings", "ing", "ions", "ion", "ed", "ly", "ies", "ied", "es", "s")


@dataclass(frozen=True)
class Concept:
    """One content word of a query: its stem, and the stems of every word meaning the same."""

    word: str
    stem: str
    alternatives: frozenset[str]


def words(typed: str) -> list[str]:
    """Lower-case words (letters and digits only) worth searching for."""
    found = WORD.findall(typed.lower())
    return [word for word in found if _is_content(word)]


def concepts(typed: str) -> list[Concept]:
    """Each distinct content word of `typed` as a Concept, in the order typed."""
    seen: dict[str, Concept] = {}
    for word in words(typed):
        root = stem(word)
        if root not in seen:
            seen[root] = Concept(word=word, stem=root, alternatives=frozenset({root, *synonym_stems(word)}))
    return list(seen.values())


def stems(text: str) -> set[str]:
    """The stems of every content word of a stored title or description."""
    return {stem(word) for word in words(text)}


@cache
def stem(word: str) -> str:
    """A light, consistent stem: `exporting` → `export`, `pages` → `pag`, `process` → `process`."""
    for suffix in _SUFFIXES:
        if not word.endswith(suffix) or len(word) - len(suffix) < MIN_WORD:
            continue
        base = word[: -len(suffix)]
        if suffix == "s" and base.endswith(("s", "u", "i")):  # class, status, analysis
            return word
        if suffix == "es" and not base.endswith(("s", "x", "z", "ch", "sh")):
            base = word[:-1]
        if suffix in ("ies", "ied"):
            base += "y"
        return _drop_final_e(base)
    return _drop_final_e(word)


def synonym_words(word: str) -> frozenset[str]:
    """The other words of every synonym group `word` belongs to."""
    return _synonym_index().get(stem(word), frozenset())


@cache
def synonym_stems(word: str) -> frozenset[str]:
    """The stems of `word`'s synonyms."""
    return frozenset(stem(other) for other in synonym_words(word))


@cache
def _synonym_index() -> dict[str, frozenset[str]]:
    index: dict[str, set[str]] = {}
    for line in GROUPS:
        group = line.split()
        for word in group:
            index.setdefault(stem(word), set()).update(other for other in group if other != word)
    return {key: frozenset(values) for key, values in index.items()}


def _is_content(word: str) -> bool:
    if word in STOP_WORDS:
        return False
    return len(word) >= MIN_WORD or word in SHORT_JARGON


def _drop_final_e(word: str) -> str:
    return word[:-1] if word.endswith("e") and len(word) > MIN_WORD + 1 else word
