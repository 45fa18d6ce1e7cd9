"""The roadmap items a new launch ships: checked against the workspace's roadmap before anything is stored."""

from __future__ import annotations

from bot.errors import InvalidInput
from bot.services.launches.changes import ROADMAP_ITEMS
from storage.db import Database
from storage.launches import roadmap_items as queries
from storage.models import ItemStatus, RoadmapItem

LINKED_ITEMS_MAX = 20  # the modal's max_selected_items; a forged submission is held to it too


async def check_links(db: Database, team_id: str, numbers: list[int]) -> list[RoadmapItem]:
    """The items RM-`numbers` of the workspace; InvalidInput names any that cannot be linked."""
    wanted = list(dict.fromkeys(numbers))
    if not wanted:
        return []
    if len(wanted) > LINKED_ITEMS_MAX:
        raise InvalidInput({ROADMAP_ITEMS: f"Link at most {LINKED_ITEMS_MAX} roadmap items."})
    async with db.read() as session:
        found = await queries.items_by_number(session, team_id, wanted)
    known = {item.number for item in found}
    unknown = [f"RM-{number}" for number in wanted if number not in known]
    if unknown:
        raise InvalidInput(
            {ROADMAP_ITEMS: f"There is no {' or '.join(unknown)} in this workspace's roadmap."}
        )
    dropped = [item.ref for item in found if item.status == ItemStatus.DROPPED]
    if dropped:
        raise InvalidInput(
            {ROADMAP_ITEMS: f"{', '.join(dropped)} was dropped from the roadmap; pick another."}
        )
    return found
