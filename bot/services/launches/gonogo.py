"""Go / no-go: a poll in the launch's thread for its deciders; the result is recorded and posted.

The result is recorded when every decider has answered (go only if all said go) or when the launch
owner closes the poll (go only if someone answered and nobody said no-go). No Slack here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot import text
from bot.errors import InvalidInput, NotAllowed, PmbotError
from bot.services.launches import outbox as out
from bot.services.launches.changes import apply_ticks
from bot.services.launches.reads import ACTIVE, chunk_of, deciders_of
from bot.services.launches.templates import GONOGO_ITEM
from bot.text import plural
from storage.launches import queries
from storage.models import GoNoGo, GoNoGoVote, Launch, LaunchItem

SCHEDULE = "pmbot"  # the actor the audit log names when the schedule opens a poll
NO_GO_REASON = "no_go_reason"  # the reason's block in the no-go modal
NO_GO_REASON_MAX = 500  # launch_gonogo_vote.note


@dataclass(frozen=True)
class GoNoGoResult:
    """What an open, a vote or a close did, in words for the person who acted."""

    launch_ref: str
    round: int
    opened: bool
    decision: GoNoGo | None
    message: str


async def open_round(
    session: AsyncSession, launch: Launch, actor_id: str | None, now: datetime
) -> GoNoGoResult:
    """Start a new round, unless one is open; the schedule (actor None) opens only a launch's first."""
    if launch.status not in ACTIVE:
        raise PmbotError(f"{launch.ref} is {launch.status}; there is nothing to decide.")
    is_open = launch.gonogo_round > 0 and launch.gonogo_decision is None
    if is_open or (actor_id is None and launch.gonogo_round > 0):
        return GoNoGoResult(launch.ref, launch.gonogo_round, False, launch.gonogo_decision, _already(launch))
    launch.gonogo_round += 1
    launch.gonogo_decision, launch.gonogo_decided_at, launch.updated_at = None, None, now
    await out.record(
        session, launch, actor_id or SCHEDULE, "gonogo_opened", after={"round": launch.gonogo_round}
    )
    await _mark_gonogo_item(session, launch, False, actor_id or SCHEDULE, now)  # the new poll decides
    await out.sync_poll(session, launch, now)
    await out.sync_parent(session, launch, now)
    await out.refresh_people(session, launch, [], now, *deciders_of(launch))
    message = f"Go / no-go poll {launch.gonogo_round} for {launch.ref} is open in its thread."
    return GoNoGoResult(launch.ref, launch.gonogo_round, True, None, message)


def check_reason(choice: GoNoGo, reason: str) -> str:
    """A no-go says why (the owner and the thread read it); a go needs no reason."""
    reason = reason.strip()
    if choice == GoNoGo.NO_GO and not reason:
        raise InvalidInput({NO_GO_REASON: "Say why it is a no-go: the launch owner reads it."})
    if len(reason) > NO_GO_REASON_MAX:
        raise InvalidInput({NO_GO_REASON: f"Keep the reason under {NO_GO_REASON_MAX} characters."})
    return reason


def may_vote(launch: Launch, voter_id: str, round_: int) -> GoNoGoResult | None:
    """None if `voter_id` may answer this round now; else what to tell them (refusals raise)."""
    if voter_id not in deciders_of(launch):
        people = " ".join(text.user(user_id) for user_id in deciders_of(launch))
        raise NotAllowed(f"Only {launch.ref}'s deciders answer its go / no-go poll: {people}.")
    if launch.status not in ACTIVE:
        message = f"{launch.ref} is {launch.status}, so its go / no-go poll is over; nothing changed."
        return GoNoGoResult(launch.ref, round_, False, launch.gonogo_decision, message)
    if round_ != launch.gonogo_round or launch.gonogo_decision is not None:
        return _closed(launch, round_)
    return None


async def count_vote(
    session: AsyncSession,
    launch: Launch,
    voter_id: str,
    round_: int,
    choice: GoNoGo,
    now: datetime,
    reason: str = "",
) -> GoNoGoResult:
    """One decider's answer (a no-go with its reason); the last decider's answer records the result."""
    reason = check_reason(choice, reason)
    deciders = deciders_of(launch)
    answer = may_vote(launch, voter_id, round_)
    if answer is not None:
        return answer
    if not await queries.add_vote(session, launch, voter_id, choice, reason or None, now):
        return GoNoGoResult(launch.ref, round_, False, None, f"You already answered {launch.ref}'s poll.")
    await out.record(
        session, launch, voter_id, f"gonogo_{choice}", after={"round": round_}, note=reason or None
    )
    if choice == GoNoGo.NO_GO:
        await out.tell_no_go(session, launch, voter_id, reason, now)
    votes = await queries.list_votes(session, launch)
    await out.sync_poll(session, launch, now)
    waiting = len(set(deciders) - {vote.voter_id for vote in votes})
    if not waiting:
        decision = _decision_of(votes)
        await _decide(session, launch, decision, voter_id, now)
        return GoNoGoResult(launch.ref, round_, False, decision, f"Everyone answered: {_words(decision)}.")
    waiting_for = plural(waiting, "more decider")
    return GoNoGoResult(launch.ref, round_, False, None, f"Noted; waiting for {waiting_for}.")


async def close_round(session: AsyncSession, launch: Launch, actor_id: str, now: datetime) -> GoNoGoResult:
    """The owner closes the poll with the answers given so far."""
    if launch.gonogo_round == 0 or launch.gonogo_decision is not None:
        return _closed(launch, launch.gonogo_round)
    votes = await queries.list_votes(session, launch)
    decision = _decision_of(votes)
    await _decide(session, launch, decision, actor_id, now)
    return GoNoGoResult(launch.ref, launch.gonogo_round, False, decision, f"Closed: {_words(decision)}.")


def _decision_of(votes: list[GoNoGoVote]) -> GoNoGo:
    if votes and all(vote.choice == GoNoGo.GO for vote in votes):
        return GoNoGo.GO
    return GoNoGo.NO_GO


async def _decide(
    session: AsyncSession, launch: Launch, decision: GoNoGo, actor_id: str, now: datetime
) -> None:
    launch.gonogo_decision, launch.gonogo_decided_at, launch.updated_at = decision, now, now
    await out.record(
        session,
        launch,
        actor_id,
        "gonogo_decided",
        after={"round": launch.gonogo_round, "decision": decision},
    )
    await _mark_gonogo_item(session, launch, True, actor_id, now)
    # The poll message, updated in place, is where the result is posted (once): no second post.
    await out.sync_poll(session, launch, now)
    await out.sync_parent(session, launch, now)
    await out.refresh_people(session, launch, [], now, *deciders_of(launch))


async def _mark_gonogo_item(
    session: AsyncSession, launch: Launch, done: bool, actor_id: str, now: datetime
) -> None:
    """Tick (or untick) the checklist's "Go / no-go decided" items, as a person's tick would."""
    items = await queries.list_items(session, launch.team_id, launch.id or 0)
    wanted = [(item, done) for item in items if _is_gonogo_item(item) and item.done != done]
    if not wanted:
        return
    await apply_ticks(session, launch, wanted, actor_id, now)
    await out.sync_chunks(session, launch, chunk_of(items, {item.id or 0 for item, _ in wanted}), now)
    await out.refresh_people(session, launch, [item for item, _ in wanted], now)


def _is_gonogo_item(item: LaunchItem) -> bool:
    return item.title.strip().casefold() == GONOGO_ITEM.casefold()


def _closed(launch: Launch, round_: int) -> GoNoGoResult:
    if round_ != launch.gonogo_round:
        message = f"That poll of {launch.ref} was replaced by poll {launch.gonogo_round}; nothing changed."
    elif launch.gonogo_decision is not None:
        message = f"{launch.ref}'s poll is closed ({_words(launch.gonogo_decision)}); nothing changed."
    else:
        message = f"{launch.ref} has no open go / no-go poll; `/launch gonogo {launch.ref}` opens one."
    return GoNoGoResult(launch.ref, round_, False, launch.gonogo_decision, message)


def _already(launch: Launch) -> str:
    if launch.gonogo_decision is None:
        return f"{launch.ref}'s go / no-go poll {launch.gonogo_round} is already open in its thread."
    return f"{launch.ref} already has a go / no-go result ({_words(launch.gonogo_decision)})."


def _words(decision: GoNoGo) -> str:
    return "go" if decision == GoNoGo.GO else "no-go"
