"""How well a stored request answers what someone typed: a score from 0 to 1, no I/O.

The database finds candidates (any word matching, ranked by bm25 / ts_rank); this decides which of
them are worth showing. Each content word of the query counts once: fully when the candidate's
title holds it (or a synonym), less when only the description does, less again when only a word
one typo away does. Generic words ("add", "page") count for little. The score is the share of
the query's weight that the candidate covers, blended with the share of the candidate's own title
that the query covers, so a long title that merely contains two typed words ranks below one that
says the same thing.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.services.requests.wording import Concept, stem, stems

_GENERIC = (
    "add create new make improve improvement better fix show view see display page screen "
    "button list setting settings work issue problem change update easy easier quick quickly"
)
GENERIC = frozenset(stem(word) for word in _GENERIC.split())
GENERIC_WEIGHT = 0.3
IN_DESCRIPTION = 0.6
ONE_TYPO_AWAY = 0.8
QUERY_SIDE = 0.75  # the rest of the score is how much of the candidate's title the query covers


def score(concepts: list[Concept], title: str, description: str) -> float:
    """0 (nothing in common) to 1 (the same need in other words)."""
    if not concepts:
        return 0.0
    title_stems, description_stems = stems(title), stems(description)
    total = sum(weight(concept.stem) for concept in concepts)
    covered = sum(weight(c.stem) * _found(c, title_stems, description_stems) for c in concepts)
    return QUERY_SIDE * covered / total + (1 - QUERY_SIDE) * _title_covered(concepts, title_stems)


def matched_concepts(concepts: list[Concept], title: str, description: str) -> int:
    """How many non-generic query words the candidate holds in some form."""
    title_stems, description_stems = stems(title), stems(description)
    return sum(1 for c in concepts if c.stem not in GENERIC and _found(c, title_stems, description_stems) > 0)


def weight(root: str) -> float:
    """How much a query word says about the need."""
    return GENERIC_WEIGHT if root in GENERIC else 1.0


def _found(concept: Concept, title_stems: set[str], description_stems: set[str]) -> float:
    if concept.alternatives & title_stems:
        return 1.0
    if concept.alternatives & description_stems:
        return IN_DESCRIPTION
    if _near(concept.stem, title_stems):
        return ONE_TYPO_AWAY
    if _near(concept.stem, description_stems):
        return ONE_TYPO_AWAY * IN_DESCRIPTION
    return 0.0


def _title_covered(concepts: list[Concept], title_stems: set[str]) -> float:
    own = [root for root in title_stems if root not in GENERIC]
    if not own:
        return 0.0
    offered = set().union(*(concept.alternatives for concept in concepts))
    hits = sum(1 for root in own if root in offered or _near(root, {c.stem for c in concepts}))
    return hits / len(own)


def _near(root: str, candidates: Iterable[str]) -> bool:
    if len(root) < 5:
        return False
    allowed = 2 if len(root) >= 8 else 1
    return any(
        abs(len(other) - len(root)) <= allowed and other[0] == root[0] and _within(root, other, allowed)
        for other in candidates
    )


def _within(a: str, b: str, allowed: int) -> bool:
    """Whether a and b are at most `allowed` edits apart (insert, delete, substitute, swap)."""
    if a == b:
        return True
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > allowed:
            return False
        previous2, previous = previous, current
    return previous[-1] <= allowed
