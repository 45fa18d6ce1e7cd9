"""Requests like the one being typed: found by the database's full-text search, kept only when
they clear a relevance floor, open ones before recently closed ones. No Slack in here."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.services.requests import merging
from bot.services.requests.matching import (
    MATCH_BUDGET,
    affordable_pairs,
    affordable_terms,
    search_terms,
    word_groups,
)
from bot.services.requests.relevance import matched_concepts, score
from bot.services.requests.types import Suggestion
from bot.services.requests.vector_search import CROWD_FROM, STAND_OUT, SURE, Scored, SentenceVectors
from bot.services.requests.vector_search import FLOOR as VECTOR_FLOOR
from bot.services.requests.wording import Concept, concepts
from bot.services.writes import write
from storage.db import Database
from storage.search.queries import CLOSED, Candidate, Clause, any_of, find_candidates
from storage.writer import Writer

log = logging.getLogger(__name__)

MAX_SUGGESTIONS = 3
CANDIDATES = 30  # what the database ranks first; the floor and the final order are decided here
CLOSED_WITHIN = timedelta(days=90)
MIN_CONCEPTS = 2  # fewer content words than this is too little to suggest anything
FLOOR = 0.55  # chosen on the evaluation set (bench/README.md): recall against false alarms
DATABASE_SHARE = 0.2  # how much the database's own rank (relative to the best candidate's) counts
SEARCH_RESULTS = 10
# The filing is answered once its write begins (within 1.5 s of the request): the search before it
# gets a share of that, so that a slow search costs the suggestions, never the filing.
SEARCH_BEFORE_FILING_SECONDS = 0.5
EVER = datetime(1970, 1, 1, tzinfo=UTC)


class SimilarRequests:
    """Suggests a workspace's existing requests for what someone is about to file."""

    def __init__(
        self,
        db: Database,
        writer: Writer,
        clock: Clock,
        *,
        match_budget: int | None = MATCH_BUDGET,
        vectors: SentenceVectors | None = None,
    ) -> None:
        self._db = db
        self._writer = writer
        self._clock = clock
        self._match_budget = match_budget  # None: every term goes to the database (the benchmark's baseline)
        self.vectors = vectors  # None: lexical only (the `similar` extra is not installed, or turned off)

    async def find(
        self,
        team_id: str,
        typed: str,
        *,
        limit: int = MAX_SUGGESTIONS,
        exclude_number: int | None = None,
        before_number: int | None = None,
        floor: float | None = None,
        stand_out: float = STAND_OUT,
    ) -> list[Suggestion]:
        """Up to `limit` requests of this workspace that look like `typed`; [] when it says too little.

        By sentence vectors when they are ready for the workspace, else by the full-text search;
        `floor` overrides the mode's own relevance floor and `stand_out` the vectors' margin over
        the crowd (the benchmark's sweeps).
        """
        wanted = concepts(typed)
        if len(wanted) < MIN_CONCEPTS:
            return []
        if self.vectors is not None:
            scored = await self.vectors.find(
                team_id,
                typed,
                wanted,
                closed_since=self._clock.now() - CLOSED_WITHIN,
                exclude_number=exclude_number,
                before_number=before_number,
            )
            if scored is not None:
                return standing_out(scored, limit, VECTOR_FLOOR if floor is None else floor, stand_out)
        async with self._db.read() as session:
            found = await find_candidates(
                session,
                team_id,
                await self._clauses(session, wanted),
                closed_since=self._clock.now() - CLOSED_WITHIN,
                exclude_number=exclude_number,
                before_number=before_number,
                limit=max(CANDIDATES, limit),
            )
        return best(wanted, found, limit, FLOOR if floor is None else floor)

    async def before_filing(self, team_id: str, typed: str) -> list[Suggestion] | None:
        """What a request about to be filed looks like (all earlier ones); None when the database
        did not answer or the search took too long: the filing goes on without them (its write
        must begin within the answer's budget), and its card searches when it is posted. Also
        None when the search would wait behind the encoder's queue (under load)."""
        if self.vectors is not None and self.vectors.would_wait(typed):
            log.info("similar requests not searched before a filing: the encoder is busy")
            return None
        try:
            async with asyncio.timeout(SEARCH_BEFORE_FILING_SECONDS):
                return await self.find(team_id, typed)
        except TimeoutError:
            log.info(
                "similar requests not searched before a filing: over %.1f s", SEARCH_BEFORE_FILING_SECONDS
            )
            return None
        except SQLAlchemyError as error:
            log.warning("similar requests not searched before a filing: %s", str(error).splitlines()[0])
            return None

    async def search(self, team_id: str, typed: str, *, limit: int = SEARCH_RESULTS) -> list[Suggestion]:
        """`/request search`: every request holding one of the words (or a synonym), best first, any age."""
        wanted = concepts(typed)
        if not wanted:
            return []
        async with self._db.read() as session:
            terms = search_terms(wanted)
            if self._match_budget is not None:
                terms = await affordable_terms(session, terms, self._match_budget)
            found = await find_candidates(
                session, team_id, any_of(terms), closed_since=EVER, limit=max(CANDIDATES, limit)
            )
        held = [candidate for candidate in found if score(wanted, candidate.title, candidate.description) > 0]
        return [_suggestion(candidate, candidate.rank) for candidate in held[:limit]]

    async def _clauses(self, session: AsyncSession, wanted: list[Concept]) -> list[Clause]:
        """Pairs of typed words within the budget; with no budget, any word (the benchmark's baseline)."""
        if self._match_budget is None:
            return any_of(search_terms(wanted))
        return await affordable_pairs(session, word_groups(wanted), self._match_budget)

    async def plus_one_instead(self, team_id: str, user_id: str, number: int) -> merging.PlusOne:
        """+1 and follow REQ-`number` (instead of filing): its original if it is a duplicate, and
        only followed if it is the person's own."""

        async def store(session: AsyncSession) -> merging.PlusOne:
            return await merging.upvote(
                session, self._clock, team_id=team_id, user_id=user_id, number=number, follow=True
            )

        return await write(self._writer, store)

    async def merge(self, team_id: str, filer_id: str, number: int, original_number: int) -> merging.PlusOne:
        """Withdraw the filer's new REQ-`number` into REQ-`original_number` (or its original), followed."""

        async def store(session: AsyncSession) -> merging.PlusOne:
            return await merging.merge_into(
                session,
                self._clock,
                team_id=team_id,
                filer_id=filer_id,
                number=number,
                original_number=original_number,
            )

        return await write(self._writer, store)


def best(wanted: list[Concept], found: list[Candidate], limit: int, floor: float = FLOOR) -> list[Suggestion]:
    """Those above the floor, open before closed, then by score and the database's rank."""
    if not found:
        return []
    top_rank = max(candidate.rank for candidate in found) or 1.0
    scored = [
        (_blend(wanted, candidate, top_rank), index, candidate)
        for index, candidate in enumerate(found)
        if matched_concepts(wanted, candidate.title, candidate.description) >= MIN_CONCEPTS
    ]
    kept = [item for item in scored if item[0] >= floor]
    kept.sort(key=lambda item: (item[2].status in CLOSED, -item[0], item[1]))
    return [_suggestion(candidate, value) for value, _, candidate in kept[:limit]]


def standing_out(scored: list[Scored], limit: int, floor: float, stand_out: float) -> list[Suggestion]:
    """The `limit` best (`scored` comes best first) that reach the floor and stand `stand_out` above
    the crowd's mean, shown open before closed.

    The best are chosen before the order: a closed request that matches better than open ones is
    still shown (as done or declined), where putting every open one first would push it out. A
    score of `SURE` is shown whatever the crowd: many requests that all say nearly the same thing
    are no reason to suggest none of them.
    """
    crowd = [item.score for item in scored[CROWD_FROM:]]
    bar = max(floor, min(sum(crowd) / len(crowd) + stand_out, SURE)) if crowd else floor
    best = [item for item in scored if item.score >= bar][:limit]
    best.sort(key=lambda item: item.candidate.status in CLOSED)  # stable: by score within each
    return [_suggestion(item.candidate, item.score) for item in best]


def _blend(wanted: list[Concept], candidate: Candidate, top_rank: float) -> float:
    words_score = score(wanted, candidate.title, candidate.description)
    return (1 - DATABASE_SHARE) * words_score + DATABASE_SHARE * max(candidate.rank, 0.0) / top_rank


def _suggestion(candidate: Candidate, value: float) -> Suggestion:
    return Suggestion(
        number=candidate.number,
        title=candidate.title,
        status=candidate.status,
        upvotes=candidate.upvotes,
        score=round(value, 3),
        requester_id=candidate.requester_id,
    )
