"""One path for every interaction: record it under its key, run its listener, answer in time.

1. The interaction is recorded in the inbox under its Slack key (event_id or trigger_id) in a
   small group-committed write with a deadline. Not recorded in time → "nothing happened, try
   again" (an event gets 503 so that Slack delivers it again), and it never happens later.
2. Its key was recorded before (a replay, a retry, a double send) → the first one's answer,
   and no second effect.
3. Recorded → the listener runs. Its own answer goes back if it comes within the budget; if
   not, the person is told the work is under way, and gets the result when it exists.
4. A write of the listener that fails (the database stalled) makes the entry FAILED when the
   answer says "nothing was saved", so that it is true; else the entry is retried later.

The listener's first write marks the entry APPLIED in the same transaction (storage.writer), so
an entry found unfinished after a crash is run again only if its effect was not committed.

An interaction whose listener writes before it acks (`writes_first`, e.g. `/request <text>`;
bot.web gives it where one writer takes every write, i.e. SQLite) skips step 1: its entry is
inserted, APPLIED, by that write's own transaction — one write per filing instead of three — so
it is still recorded before Slack hears "ok". A key recorded before stops the listener at that
write (RecordedBefore), before any effect, and step 2 answers.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from contextvars import ContextVar
from datetime import timedelta
from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.interactions import replies
from bot.interactions.incoming import Incoming, read_incoming
from bot.interactions.replies import Reply
from bot.interactions.telling import Teller
from storage import inbox
from storage.db import Database
from storage.inbox import ClaimedEntry
from storage.models import InboxStatus
from storage.types import utcnow
from storage.writer import Writer, WriterStopped

log = logging.getLogger(__name__)

ANSWER_BUDGET_SECONDS = 2.3  # Slack gives 3 s; leave room for the network
RECORD_TIMEOUT_SECONDS = 1.0  # for the record's write to begin; the database's lock timeout bounds the rest
# For a listener's write that records the interaction too (`writes_first`) to begin: it is bigger
# than a bare record, and the answer waits for it anyway; what is left of the budget covers the
# write itself (bounded by the database's lock timeout) before the answer must go.
FIRST_WRITE_BEGIN_SECONDS = 1.5
LEASE = timedelta(seconds=30)  # how long a recorded interaction is this process's before others may take it
MAX_ATTEMPTS = 5
STORE_FAILURES = (SQLAlchemyError, WriterStopped, OSError, TimeoutError)
KEPT_HEADERS = ("content-type", "x-slack-retry-num", "x-slack-retry-reason")


class Interaction:
    """One recorded interaction being answered (or replayed) in this process."""

    def __init__(self, incoming: Incoming, *, replay: bool = False) -> None:
        self.incoming = incoming
        self.replay = replay
        self.attempt = inbox.Attempt(key=incoming.key or "")
        self.acked = asyncio.Event()
        self.ack_reply: Reply | None = None
        self.attempt_number = 1
        self.promised = False  # told "under way": the result must follow
        self.recorded_before = False  # its key was recorded before: a repeat, stopped at its first write
        self.failure_told = False  # recorded as FAILED, and the HTTP answer said nothing was saved
        self.answer_decided = asyncio.Event()  # the HTTP answer is chosen (or there is none to give)
        if replay:
            self.answer_decided.set()
        self.http_reply: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        self.dispatched: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()

    def answered(self, response: BoltResponse) -> None:
        """The listener called ack(): its answer, once, for Slack's HTTP response."""
        if self.ack_reply is None:
            self.ack_reply = _reply(response)
            self.acked.set()


# The interaction the current task's listener answers; the app's ack reports to it.
ANSWERING: ContextVar[Interaction | None] = ContextVar("pmbot_answering", default=None)


class Answerer:
    """Answers Slack's requests for one Bolt app; see the module docstring."""

    def __init__(
        self,
        bolt: AsyncApp,
        db: Database,
        writer: Writer,
        teller: Teller,
        writes_first: Callable[[Incoming], bool] = lambda _incoming: False,
    ) -> None:
        self._bolt = bolt
        self._writes_first = writes_first
        self._db = db
        self._writer = writer  # the inbox's writer (on PostgreSQL apart from the main one)
        self._teller = teller
        self._in_flight: dict[str, Interaction] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._draining = False

    async def answer(
        self, body: str, headers: dict[str, list[str]], incoming: Incoming | None = None
    ) -> Reply:
        """The HTTP answer to a verified request from Slack (parsed already, or not), within the budget."""
        deadline = asyncio.get_running_loop().time() + ANSWER_BUDGET_SECONDS
        incoming = incoming or read_incoming(body)
        if self._draining:
            return Reply(503, replies.SHUTTING_DOWN)
        if incoming.key is None:
            return await self._answer_unrecorded(incoming, body, headers, deadline)
        first = self._in_flight.get(incoming.key)
        if first is not None:
            return await _within(first.http_reply, deadline, replies.ok())
        interaction = Interaction(incoming)
        self._in_flight[incoming.key] = interaction
        try:
            reply = await self._answer_recorded(interaction, body, headers, deadline)
        except BaseException:
            self._forget(interaction)
            raise
        finally:
            interaction.answer_decided.set()
        if not interaction.http_reply.done():
            interaction.http_reply.set_result(reply)
        return reply

    async def _answer_recorded(
        self, interaction: Interaction, body: str, headers: dict[str, list[str]], deadline: float
    ) -> Reply:
        incoming = interaction.incoming
        if self._writes_first(incoming):
            interaction.attempt.record = self._record(incoming, body, headers)
            task = self._spawn(self._process(interaction, body, headers))
            return await self._first_answer(interaction, task, deadline)
        try:
            recorded = await self._writer.run(
                lambda session: inbox.record(
                    session,
                    team_id=incoming.team_id,
                    key=interaction.attempt.key,
                    kind=incoming.kind[:32],
                    body=body,
                    headers={name: headers[name] for name in KEPT_HEADERS if name in headers},
                    now=utcnow(),
                    lease_for=LEASE,
                ),
                timeout=RECORD_TIMEOUT_SECONDS,
            )
        except STORE_FAILURES as error:
            log.warning(
                "could not record a %s in time, answered 'nothing happened': %s", incoming.kind, error
            )
            self._forget(interaction)
            return self._nothing_happened(incoming)
        if not recorded:
            self._forget(interaction)
            return await self._answer_repeat(incoming, deadline)
        task = self._spawn(self._process(interaction, body, headers))
        return await self._first_answer(interaction, task, deadline)

    async def _first_answer(
        self, interaction: Interaction, task: asyncio.Task[Reply], deadline: float
    ) -> Reply:
        acked = asyncio.ensure_future(interaction.acked.wait())
        remaining = max(0.0, deadline - asyncio.get_running_loop().time())
        waited = {acked, task, interaction.dispatched}
        await asyncio.wait(waited, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
        acked.cancel()
        if interaction.recorded_before:
            return await self._answer_repeat(interaction.incoming, deadline)
        attempt = interaction.attempt
        if interaction.ack_reply is None and attempt.record is not None and not attempt.write_began:
            task.cancel()  # not recorded, and its write never began: it never will
            log.warning("a %s was not written in time, answered 'nothing happened'", attempt.key[:12])
            return self._nothing_happened(interaction.incoming)
        dispatched = interaction.dispatched
        reply = interaction.ack_reply or (dispatched.result() if dispatched.done() else None)
        if reply is not None and attempt.write_failed and attempt.record is not None:
            interaction.failure_told = True  # never recorded, so it never happens: the usual answer
            return self._nothing_happened(interaction.incoming)
        if reply is not None and interaction.attempt.write_failed:
            # The listener's answer says its write failed: make that true before saying it.
            interaction.failure_told = await self._give_up(interaction, deadline)
            if not interaction.failure_told:
                reply = None
        if reply is None:
            interaction.promised = True
            if replies.needs_side_message(interaction.incoming):
                self._spawn(self._teller.tell(interaction.incoming, {"text": replies.UNDER_WAY}))
            return replies.under_way(interaction.incoming)
        return _event_ok(interaction.incoming, reply)

    async def _process(self, interaction: Interaction, body: str, headers: dict[str, list[str]]) -> Reply:
        """Run the listener to its end, then finish the entry (or leave it to be retried)."""
        inbox.CURRENT.set(interaction.attempt)
        ANSWERING.set(interaction)
        try:
            request = AsyncBoltRequest(
                body=body, headers=headers, context={"pmbot_replay": interaction.replay}
            )
            try:
                reply = _reply(await self._bolt.async_dispatch(request))
            except inbox.RecordedBefore:  # a repeat: nothing of it happened; the answerer says so
                interaction.recorded_before = True
                return replies.ok()
            interaction.dispatched.set_result(reply)
            answer = interaction.ack_reply or reply
            await self._settle(interaction, answer)
            return reply
        finally:
            self._forget(interaction)

    async def _settle(self, interaction: Interaction, answer: Reply) -> None:
        await interaction.answer_decided.wait()
        incoming, key = interaction.incoming, interaction.attempt.key
        told_late = interaction.promised or interaction.replay
        unrecorded, interaction.attempt.record = interaction.attempt.record, None
        if unrecorded is not None:
            await self._settle_unrecorded(interaction, unrecorded, answer)
            return
        if not interaction.attempt.write_failed:
            await self._write_quietly(
                lambda session: inbox.finish(session, key, answer=answer.to_stored(), now=utcnow())
            )
            message = replies.late_message(incoming, answer) if told_late else None
            if message:
                await self._teller.tell(incoming, message)
            return
        if interaction.failure_told:
            return
        must_happen = interaction.promised or (
            interaction.replay and interaction.attempt_number < MAX_ATTEMPTS
        )
        if not must_happen and await self._give_up(interaction, None):
            await self._teller.tell(incoming, {"text": replies.NOTHING_HAPPENED})
            return
        due = utcnow() + timedelta(seconds=2 ** min(interaction.attempt_number, 8))
        await self._write_quietly(lambda session: inbox.retry_later(session, key, due_at=due))

    async def _settle_unrecorded(self, interaction: Interaction, entry: inbox.Record, answer: Reply) -> None:
        """The end of a `writes_first` interaction whose entry no write of its listener inserted."""
        incoming = interaction.incoming
        if not interaction.attempt.write_failed:  # it wrote nothing: keep its key and its answer
            await self._write_quietly(partial(_keep_answer, entry, answer))
            message = replies.late_message(incoming, answer) if interaction.promised else None
            if message:
                await self._teller.tell(incoming, message)
        elif interaction.promised and not interaction.failure_told:
            # "Under way" was said while its write ran, and the write failed: record it to run again.
            await self._write_quietly(partial(_record_for_retry, entry))

    async def redeliver(self, entry: ClaimedEntry) -> None:
        """Run an interaction found unfinished (a crash, a shutdown, a stalled write) again."""
        if entry.key in self._in_flight:
            return
        if entry.status == InboxStatus.APPLIED:  # its effect is committed; only the bookkeeping was lost
            await self._write_quietly(
                lambda session: inbox.finish(session, entry.key, answer=None, now=utcnow())
            )
            return
        interaction = Interaction(read_incoming(entry.body), replay=True)
        interaction.attempt_number = entry.attempts
        self._in_flight[entry.key] = interaction
        headers = {name: list(value) for name, value in entry.headers.items()}
        await self._process(interaction, entry.body, headers)

    async def idle(self) -> None:
        """Until no interaction is being worked on in this process (its work may go on after the
        answer): what tests and benchmarks wait for before they look at the outcome."""
        while self._tasks:
            await asyncio.wait(set(self._tasks))

    async def drain(self, timeout: float) -> list[str]:  # noqa: ASYNC109
        """Take no new requests; let what runs finish within `timeout`; return the keys left over."""
        self._draining = True
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)
        left = list(self._in_flight)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        return left

    # --- the answers that are not the listener's -------------------------------------------

    def _nothing_happened(self, incoming: Incoming) -> Reply:
        if replies.needs_side_message(incoming):
            self._spawn(self._teller.tell(incoming, {"text": replies.NOTHING_HAPPENED}))
        return replies.nothing_happened(incoming)

    async def _answer_repeat(self, incoming: Incoming, deadline: float) -> Reply:
        """A key seen before: the first answer if it is stored, else a quiet ok (it is under way)."""
        try:
            state = await _within(self._read_state(incoming.key or ""), deadline, None)
        except STORE_FAILURES:
            state = None
        if state is None:
            return replies.ok()
        status, answer = state
        if status == InboxStatus.DONE:
            return _event_ok(incoming, Reply.from_stored(answer))
        if status == InboxStatus.FAILED:
            return replies.nothing_happened(incoming)
        return replies.ok()

    async def _answer_unrecorded(
        self, incoming: Incoming, body: str, headers: dict[str, list[str]], deadline: float
    ) -> Reply:
        dispatch = self._spawn(self._bolt.async_dispatch(AsyncBoltRequest(body=body, headers=headers)))
        response = await _within(asyncio.shield(dispatch), deadline, None)
        return replies.ok() if response is None else _event_ok(incoming, _reply(response))

    # --- helpers ------------------------------------------------------------------------------

    def _record(self, incoming: Incoming, body: str, headers: dict[str, list[str]]) -> inbox.Record:
        return inbox.Record(
            team_id=incoming.team_id,
            key=incoming.key or "",
            kind=incoming.kind[:32],
            body=body,
            headers={name: headers[name] for name in KEPT_HEADERS if name in headers},
            now=utcnow(),
            lease_for=LEASE,
            deadline=asyncio.get_running_loop().time() + FIRST_WRITE_BEGIN_SECONDS,
        )

    async def _read_state(self, key: str) -> tuple[InboxStatus, dict[str, Any] | None] | None:
        async with self._db.read() as session:
            return await inbox.get_state(session, key)

    async def _give_up(self, interaction: Interaction, deadline: float | None) -> bool:
        if interaction.attempt.record is not None:  # never recorded: nothing can run it later
            return True
        key = interaction.attempt.key
        timeout = None if deadline is None else max(0.1, deadline - asyncio.get_running_loop().time())
        try:
            await self._bookkeeping(lambda session: inbox.give_up(session, key, now=utcnow()), timeout)
        except STORE_FAILURES:
            return False
        return True

    async def _write_quietly(self, work: Any) -> None:
        try:
            await self._bookkeeping(work)
        except STORE_FAILURES as error:  # the lease runs out and the entry is looked at again
            log.warning("could not update an inbox entry: %s", error)

    async def _bookkeeping(self, work: Any, timeout: float | None = None) -> None:  # noqa: ASYNC109
        """A write about the entry itself, not an effect of its interaction: the writer must not
        mark the entry applied beside it (one UPDATE fewer per interaction)."""
        token = inbox.CURRENT.set(None)
        try:
            await self._writer.run(work, timeout=timeout)
        finally:
            inbox.CURRENT.reset(token)

    def _spawn(self, work: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _forget(self, interaction: Interaction) -> None:
        if self._in_flight.get(interaction.attempt.key) is interaction:
            del self._in_flight[interaction.attempt.key]


async def _within(work: Awaitable[Any], deadline: float, default: Any) -> Any:
    remaining = max(0.0, deadline - asyncio.get_running_loop().time())
    try:
        return await asyncio.wait_for(
            asyncio.shield(work) if isinstance(work, asyncio.Future) else work, remaining
        )
    except TimeoutError:
        return default


async def _keep_answer(entry: inbox.Record, answer: Reply, session: AsyncSession) -> None:
    """A listener that wrote nothing: record its key, done, with its answer (for repeats)."""
    if await inbox.insert_record(session, entry, InboxStatus.DONE):
        await inbox.finish(session, entry.key, answer=answer.to_stored(), now=utcnow())


async def _record_for_retry(entry: inbox.Record, session: AsyncSession) -> None:
    """Record an interaction whose first write failed after "under way" was said: run it again soon."""
    await inbox.insert_record(session, entry, InboxStatus.PENDING)
    await inbox.retry_later(session, entry.key, due_at=utcnow() + timedelta(seconds=2))


def _reply(response: BoltResponse) -> Reply:
    content_type = response.headers.get("content-type", [replies.TEXT])
    return Reply(response.status, response.body or "", content_type[0])


def _event_ok(incoming: Incoming, reply: Reply) -> Reply:
    # Bolt answers 404 to an event no listener takes; Slack counts that as a failed delivery.
    if incoming.is_event and reply.status == 404:
        return replies.ok()
    return reply
