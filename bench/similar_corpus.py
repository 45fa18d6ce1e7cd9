"""The similar-requests evaluation set: hand-written pairs and no-match queries, hidden among
generated request titles.

`bench/similar_eval/pairs.txt` holds an existing request's title and another person's words for
the same need; `no_match.txt` holds requests whose need is stored nowhere. The unrelated titles
are generated from product vocabulary (actions x objects x places, and problems x objects x
places), deterministically, and any generated title that shares most of its content words with a
pair or a no-match query is dropped, so none accidentally is the same need.
"""

from __future__ import annotations

import itertools
import math
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bot.services.requests.relevance import GENERIC
from bot.services.requests.wording import stems

EVAL = Path(__file__).parent / "similar_eval"

ACTIONS = """Add sorting to|Add a search box to|Allow renaming|Show a count of|Paginate|Add bulk actions to
|Let admins lock|Add a description field to|Show the owner of|Add color coding to|Highlight overdue
|Allow pinning|Add a preview of|Track changes to|Add an empty state to|Show timestamps on
|Add a progress bar to|Allow reordering of|Add a status column to|Let managers approve|Group by owner
|Add a quick-create button for|Show totals for|Add a due date to|Add an owner field to
|Show a summary of|Let people star|Add a notes field to|Show the last editor of|Add CSV export of
|Add a filter for|Let guests see|Let people watch|Show a history of|Add priority levels to
|Show related|Add a comments section to|Let people duplicate|Add a template for|Show a chart of""".replace(
    "\n", ""
).split("|")
PROBLEMS = """Blank screen when opening|Wrong totals shown for|Cannot save changes to|Spinner never stops on
|Duplicated rows in|Missing icons on|Truncated names in|Broken layout of|Stale data in
|Timeout when loading|Wrong sort order of|Cannot scroll through|Typos in the labels of
|Misaligned columns in|Unclear wording on|Too many clicks to reach|Flicker when updating
|Rounding errors in|Old values shown for|Confusing defaults for|Hard to find""".replace("\n", "").split("|")
OBJECTS = """milestones|sprints|release notes|vendor records|purchase orders|warehouse shipments
|knowledge base articles|survey results|feature flags|training courses|lead forms|support macros
|team goals|OKRs|budget lines|asset inventory|service contracts|escalation policies|meeting notes
|job postings|candidate profiles|expense categories|product catalog|discount codes|shipping labels
|return requests|payroll runs|time-off requests|room bookings|sales quotes|partner accounts
|marketing campaigns|landing pages|A/B experiments|bug bounties|security reviews|vendor contracts
|procurement requests|equipment loans|field visits|customer segments|price lists|tax rates
|delivery routes|supplier ratings|compliance checklists|incident postmortems|on-call rotations
|design reviews|feedback forms|content calendar|press releases|event registrations|sponsor packages
|loyalty tiers|referral codes|support queues|runbooks|sprint retrospectives|customer health scores""".replace(
    "\n", ""
).split("|")
PLACES = """on mobile|in the admin console|for enterprise plans|in the weekly view|for guest users
|in the sidebar|on the settings page|for archived items|in the reports tab|for each region
|in the public portal|for the finance team|in the side panel|on small screens|in the print view
|for the sales team
|in the monthly view|for new hires|in the tablet layout|for partner agencies|in the API response
|for the support team|in the compact view|for read-only members|in the export file
|for the marketing team|in the list view|on the overview page|for external reviewers
|in the detail page|for the legal team|in the search results|in notifications|in the email footer
|for the HR team|in the timeline|for trial accounts|in the activity feed|in the import wizard
|for regional managers""".replace("\n", "").split("|")


@dataclass(frozen=True)
class Pair:
    """A stored request and another person's words for the same need."""

    original: str
    paraphrase: str


def pairs() -> list[Pair]:
    """The hand-written pairs."""
    return [Pair(*(side.strip() for side in line.split("|", 1))) for line in _lines("pairs.txt")]


def no_match_queries() -> list[str]:
    """Requests whose need no stored request has."""
    return _lines("no_match.txt")


def unrelated_titles(count: int, seed: int = 16) -> list[str]:
    """`count` distinct generated titles, none sharing most of its words with an evaluated need."""
    guard = _Guard(
        [text for pair in pairs() for text in (pair.original, pair.paraphrase)] + no_match_queries()
    )
    found: list[str] = []
    for title in _shuffled_titles(seed):
        if not guard.too_close(title):
            found.append(title)
            if len(found) == count:
                return found
    raise ValueError(f"the vocabulary makes fewer than {count} titles")


def _shuffled_titles(seed: int) -> Iterator[str]:
    combos = [
        *(f"{a} {o} {p}" for a, o, p in itertools.product(ACTIONS, OBJECTS, PLACES)),
        *(f"{b} {o} {p}" for b, o, p in itertools.product(PROBLEMS, OBJECTS, PLACES)),
    ]
    random.Random(seed).shuffle(combos)
    yield from combos


class _Guard:
    """Rejects a title sharing at least max(2, 60%) of an evaluated text's content words."""

    def __init__(self, texts: list[str]) -> None:
        self._needs = [self._content(text) for text in texts]
        self._by_stem: dict[str, list[int]] = defaultdict(list)
        for index, need in enumerate(self._needs):
            for root in need:
                self._by_stem[root].append(index)

    def too_close(self, title: str) -> bool:
        shared: dict[int, int] = defaultdict(int)
        for root in self._content(title):
            for index in self._by_stem.get(root, ()):
                shared[index] += 1
        return any(n >= max(2, math.ceil(0.6 * len(self._needs[i]))) for i, n in shared.items())

    @staticmethod
    def _content(text: str) -> set[str]:
        return {root for root in stems(text) if root not in GENERIC}


def _lines(name: str) -> list[str]:
    lines = (EVAL / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]
