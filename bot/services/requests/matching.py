"""What the database is asked to match for a typed request, and at what cost.

A suggestion needs two content words of the query in the candidate (`relevance.matched_concepts`),
so the database is asked for exactly that: pairs of words, each word with its synonyms and typo
prefix (`(export OR download) AND (roadmap OR plan)`, OR-ed over pairs). A frequent word then
costs only where it meets another. The pairs are taken cheapest first while their matches add up
to at most a budget of rows; a pair costs at most the rarer word's document frequency (read in
one statement, `storage.search.frequency`). Pairs of two frequent words ("team" with "user") are
left to the re-scoring: ranking them made the database rank a third of a 100k workspace.
"""

from __future__ import annotations

from itertools import combinations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.requests.relevance import GENERIC
from bot.services.requests.wording import Concept, stem, synonym_words
from storage.search.frequency import term_frequencies
from storage.search.queries import Clause, Group, SearchTerm

MATCH_BUDGET = 3000  # rows the database may be asked to rank, about (chosen in bench/README.md)
TYPO_PREFIX = 4  # a typo after the first letters still finds the word: "notifcations" → "noti*"
TYPO_PREFIX_FROM = 6


def word_groups(wanted: list[Concept]) -> list[Group]:
    """Per non-generic content word: the word, its synonyms, and a short prefix of long words.

    Generic words ("add", "new", "show") are left to the re-scoring: they would make the database
    rank most of the workspace for little evidence.
    """
    groups: dict[Group, None] = {}
    for concept in wanted:
        if concept.stem in GENERIC:
            continue
        terms = [SearchTerm(concept.word)]
        terms += [
            SearchTerm(other) for other in sorted(synonym_words(concept.word)) if stem(other) not in GENERIC
        ]
        if len(concept.word) >= TYPO_PREFIX_FROM:
            terms.append(SearchTerm(concept.word[:TYPO_PREFIX], prefix=True))
        groups[tuple(dict.fromkeys(terms))] = None
    return list(groups)


def search_terms(wanted: list[Concept]) -> list[SearchTerm]:
    """Every term of every group, once."""
    return list(dict.fromkeys(term for group in word_groups(wanted) for term in group))


async def affordable_pairs(
    session: AsyncSession, groups: list[Group], budget: int = MATCH_BUDGET
) -> list[Clause]:
    """Pairs of word groups, cheapest first, within `budget` rows (always the cheapest one)."""
    if len(groups) < 2:
        return []
    if len(groups) == 2:  # one pair, always asked: its frequencies would change nothing
        return [(groups[0], groups[1])]
    frequencies = await term_frequencies(session, [term for group in groups for term in group])
    costs = [sum(frequencies.get(term, 0) for term in group) for group in groups]
    pairs = sorted(combinations(range(len(groups)), 2), key=lambda pair: min(costs[pair[0]], costs[pair[1]]))
    kept: list[Clause] = []
    total = 0
    for first, second in pairs:
        total += min(costs[first], costs[second])
        if kept and total > budget:
            break
        kept.append((groups[first], groups[second]))
    return kept


async def affordable_terms(
    session: AsyncSession, terms: list[SearchTerm], budget: int = MATCH_BUDGET
) -> list[SearchTerm]:
    """The rarest terms whose matches add up to at most `budget` rows (always the rarest one)."""
    if not terms:
        return []
    return within_budget(terms, await term_frequencies(session, terms), budget)


def within_budget(
    terms: list[SearchTerm], frequencies: dict[SearchTerm, int], budget: int
) -> list[SearchTerm]:
    """Rarest first while the running total of matches stays within `budget`; in typed order."""
    kept: set[SearchTerm] = set()
    total = 0
    for term in sorted(terms, key=lambda term: frequencies.get(term, 0)):
        total += frequencies.get(term, 0)
        if kept and total > budget:
            break
        kept.add(term)
    return [term for term in terms if term in kept]
