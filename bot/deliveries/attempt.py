"""The outbox job an outbox delivery is working on, for the Slack client to read.

The worker sets it around each delivery; the client reads it to tag every post with the job's key,
to look for an earlier attempt's post before posting again, and to apply the workspace's pauses
and pacing. Calls made outside a delivery (a listener opening a modal) carry no attempt.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime

# Message metadata pmbot attaches to every post it makes from the outbox.
POST_EVENT_TYPE = "pmbot_post"


@dataclass
class JobAttempt:
    """One attempt at one outbox job."""

    job_id: int
    team_id: str
    started_at: datetime
    # An earlier attempt may have posted from this time on (None: none can have).
    look_back_from: datetime | None = None
    parts: list[str] = field(default_factory=list)

    def post_key(self) -> str:
        """The key a post of this job carries: the job, and which of its posts when it makes several."""
        return "/".join([str(self.job_id), *self.parts])


_current: ContextVar[JobAttempt | None] = ContextVar("pmbot_job_attempt", default=None)


def current_attempt() -> JobAttempt | None:
    """The attempt the running delivery works on, if any."""
    return _current.get()


@contextlib.contextmanager
def attempting(attempt: JobAttempt) -> Iterator[JobAttempt]:
    """Run a delivery as `attempt`."""
    token = _current.set(attempt)
    try:
        yield attempt
    finally:
        _current.reset(token)


@contextlib.contextmanager
def post_part(name: str) -> Iterator[None]:
    """Name the post made inside, for a job that posts several messages to one conversation."""
    attempt = _current.get()
    if attempt is None:
        yield
        return
    attempt.parts.append(name)
    try:
        yield
    finally:
        attempt.parts.pop()


def post_metadata(attempt: JobAttempt) -> dict[str, object]:
    """The message metadata that lets a later attempt recognise this post."""
    return {"event_type": POST_EVENT_TYPE, "event_payload": {"job": attempt.post_key()}}
