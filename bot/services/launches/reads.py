"""What a launch's messages show, read from the database, and how its checklist splits into messages.

The split is computed from the items alone (their order and phases never change after creation), so
the service that changes an item and the view that draws it agree on which thread message holds it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.local_time import local_date
from storage.audit import last_change_at
from storage.launches import queries
from storage.launches.queries import ACTIVE
from storage.launches.roadmap_items import list_linked_items
from storage.models import GoNoGoVote, Launch, LaunchItem, RoadmapItem

# Slack's limits that decide the split (docs.slack.dev reference/block-kit): a checkboxes element
# holds at most 10 options, a message at most 50 blocks.
CHECKBOX_OPTIONS = 10
MESSAGE_BLOCKS = 50
BLOCKS_PER_MESSAGE_HEADING = 1  # a context line: "LCH-3 checklist · part 1 of 2"
BLOCKS_PER_PHASE_HEADING = 1  # a section naming the phase
BLOCKS_PER_GROUP = 1  # an actions block: the checkboxes and the assign / re-date menu


@dataclass(frozen=True)
class PhaseBlock:
    """One phase's items in one message, in groups of at most CHECKBOX_OPTIONS."""

    phase: str
    groups: list[list[LaunchItem]]
    continued: bool = False  # the phase began in the message before


@dataclass(frozen=True)
class Chunk:
    """One thread message of the checklist."""

    index: int
    phases: list[PhaseBlock] = field(default_factory=list)

    @property
    def blocks(self) -> int:
        """How many blocks the message will have."""
        groups = sum(len(phase.groups) for phase in self.phases)
        return BLOCKS_PER_MESSAGE_HEADING + BLOCKS_PER_PHASE_HEADING * len(self.phases) + groups

    @property
    def items(self) -> list[LaunchItem]:
        """The items this message shows."""
        return [item for phase in self.phases for group in phase.groups for item in group]


def split_checklist(items: list[LaunchItem]) -> list[Chunk]:
    """Group items by phase (in order of first appearance), ten to a checkbox group, 50 blocks a message."""
    phases: dict[str, list[LaunchItem]] = {}
    for item in sorted(items, key=lambda it: it.position):
        phases.setdefault(item.phase, []).append(item)
    chunks = [Chunk(0)]
    for phase, members in phases.items():
        groups = [members[i : i + CHECKBOX_OPTIONS] for i in range(0, len(members), CHECKBOX_OPTIONS)]
        continued = False
        while groups:
            room = MESSAGE_BLOCKS - chunks[-1].blocks - BLOCKS_PER_PHASE_HEADING
            if room < BLOCKS_PER_GROUP:
                chunks.append(Chunk(len(chunks)))
                continue
            taken, groups = groups[:room], groups[room:]
            chunks[-1].phases.append(PhaseBlock(phase, taken, continued))
            continued = True
    return [chunk for chunk in chunks if chunk.phases] or [Chunk(0)]


def chunk_of(items: list[LaunchItem], item_ids: set[int]) -> set[int]:
    """The indexes of the messages holding these items."""
    return {chunk.index for chunk in split_checklist(items) if any(i.id in item_ids for i in chunk.items)}


def deciders_of(launch: Launch) -> list[str]:
    """Who answers the go/no-go poll: the named deciders, else the launch owner."""
    return list(dict.fromkeys(launch.decider_ids)) or [launch.owner_id]


@dataclass(frozen=True)
class LaunchView:
    """A launch as its parent message, checklist and poll show it."""

    launch: Launch
    items: list[LaunchItem]
    messages: dict[int, str]  # chunk index (or -round for a go/no-go poll) → ts
    votes: list[GoNoGoVote]
    today: date
    roadmap_items: list[RoadmapItem] = field(default_factory=list)  # what it ships, by number
    slipped_at: datetime | None = None  # its last slip: a poll decided before it was for another day

    @property
    def chunks(self) -> list[Chunk]:
        """The checklist's thread messages."""
        return split_checklist(self.items)

    @property
    def done(self) -> int:
        """Items ticked off."""
        return sum(1 for item in self.items if item.done)

    @property
    def total(self) -> int:
        """Items on the checklist."""
        return len(self.items)

    @property
    def deciders(self) -> list[str]:
        """Who answers the go/no-go poll."""
        return deciders_of(self.launch)

    @property
    def active(self) -> bool:
        """Planned or slipped: not launched, not cancelled."""
        return self.launch.status in ACTIVE


@dataclass(frozen=True)
class LaunchSummary:
    """A launch in a list: with its progress."""

    launch: Launch
    done: int
    total: int


async def launch_view(session: AsyncSession, launch: Launch, now: datetime) -> LaunchView:
    """Read everything a launch's messages show."""
    assert launch.id is not None
    return LaunchView(
        launch=launch,
        items=await queries.list_items(session, launch.team_id, launch.id),
        messages=await queries.list_messages(session, launch.team_id, launch.id),
        votes=await queries.list_votes(session, launch),
        today=local_date(now, launch.timezone),
        roadmap_items=await list_linked_items(session, launch.team_id, launch.id),
        slipped_at=await last_change_at(
            session, team_id=launch.team_id, entity="launch", entity_id=launch.id, action="slipped"
        ),
    )
