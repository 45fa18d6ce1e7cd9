"""The shapes every request service shares: what a person typed, where it came from, what was stored."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from storage.models import Impact, RequestKind, RequestStatus

TITLE_MAX = 150
DESCRIPTION_MAX = 3000
ON_BEHALF_OF_MAX = 150


@dataclass(frozen=True)
class MessageSource:
    """The Slack message a request was filed from."""

    channel_id: str
    ts: str
    author_id: str
    permalink: str | None = None
    response_url: str | None = None
    author_is_bot: bool = False  # a bot (pmbot itself, an integration) asks for nothing: the filer does

    def requester_for(self, filer_id: str) -> str:
        """Who asked: the message's author, unless a bot wrote it (then the person filing it)."""
        return filer_id if self.author_is_bot else self.author_id


@dataclass(frozen=True)
class RequestDraft:
    """What a person typed for a request, already validated."""

    title: str
    description: str = ""
    kind: RequestKind = RequestKind.FEATURE
    impact: Impact = Impact.MEDIUM
    on_behalf_of: str | None = None
    needed_by: date | None = None


@dataclass(frozen=True)
class FiledRequest:
    """A stored request, and whether its card has somewhere to go."""

    ref: str
    number: int
    intake_channel_id: str | None


@dataclass(frozen=True)
class Suggestion:
    """A request that may be the same need, as a suggestion shows it."""

    number: int
    title: str
    status: RequestStatus
    upvotes: int
    score: float
    requester_id: str = ""  # "" in suggestions stored before it was kept

    @property
    def ref(self) -> str:
        """REQ-<number>."""
        return f"REQ-{self.number}"

    @property
    def closed(self) -> bool:
        """Done or declined (duplicates are never suggested)."""
        return self.status in (RequestStatus.DONE, RequestStatus.DECLINED)

    def as_payload(self) -> dict[str, Any]:
        """The suggestion as a job payload holds it (JSON); without the requester, which the card
        does not show (and a replica not yet upgraded would not read)."""
        payload = {**asdict(self), "status": self.status.value}
        del payload["requester_id"]
        return payload

    @classmethod
    def from_payload(cls, item: dict[str, Any]) -> Suggestion:
        """The suggestion `as_payload` wrote."""
        return cls(**{**item, "status": RequestStatus(item["status"])})
