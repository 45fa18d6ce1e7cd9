"""`pmbot export roadmap`: the roadmap with its linked requests, as CSV, Markdown and JSON, read by
the real command line from the database the app wrote (SQLite: a file another process can open)."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import sys
from pathlib import Path

import pytest

from bot.views import ids
from tests.harness import ADMIN, ALICE, BOB, CAROL, DAVE, Harness
from tests.roadmap_steps import TEAM, answer, propose, set_policy, vote

PMBOT = Path(sys.executable).with_name("pmbot")
TRICKY = 'Offline, "fast" | mode'

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


async def export(pmbot: Harness, folder: Path, *args: str) -> str:
    """Run `pmbot export roadmap <args>` in its own process against the test's database."""
    env = {**os.environ, "DATABASE_URL": pmbot.services.db.url}
    process = await asyncio.create_subprocess_exec(
        str(PMBOT),
        "export",
        "roadmap",
        *args,
        cwd=folder,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    return out.decode()


async def make_roadmap(pmbot: Harness) -> tuple[int, int]:
    """RM-1 in Now answering two requests (+1'd twice), RM-2 in Next, RM-3 dropped."""
    await pmbot.set_intake()
    first = await pmbot.file("Cross-project search", user=ALICE)
    second = await pmbot.file("Find old messages", user=BOB)
    await pmbot.click(ids.UPVOTE, first, user=CAROL)
    await pmbot.click(ids.UPVOTE, second, user=ADMIN)
    await answer(pmbot, f"{ids.UPVOTE}-{CAROL}")
    await answer(pmbot, f"{ids.UPVOTE}-{ADMIN}")
    await set_policy(pmbot, [BOB, DAVE], required=1)
    await propose(
        pmbot, "add", title="Global search", description="Across projects\nand files", horizon="now",
        target_date="2031-01-15", owner=CAROL, linked=[first, second],
    )  # fmt: skip
    await propose(pmbot, "add", title=TRICKY, horizon="next")
    await propose(pmbot, "add", title="Fax support", horizon="later")
    for number in range(1, 4):
        assert (await vote(pmbot, ids.APPROVE, number, BOB)).startswith("Approved:")
    await propose(pmbot, "drop", item=3)
    assert (await vote(pmbot, ids.APPROVE, 4, BOB)).startswith("Approved:")
    await pmbot.settled()
    return first, second


async def test_csv_has_every_item_with_its_linked_requests(pmbot: Harness, tmp_path: Path) -> None:
    await make_roadmap(pmbot)

    rows = list(csv.DictReader(io.StringIO(await export(pmbot, tmp_path, "--format", "csv", "--team", TEAM))))

    assert [row["ref"] for row in rows] == ["RM-1", "RM-2", "RM-3"]
    assert rows[0] == {
        "ref": "RM-1",
        "title": "Global search",
        "horizon": "now",
        "status": "planned",
        "target_date": "2031-01-15",
        "owner_id": CAROL,
        "demand": "2",
        "requests": "REQ-1 REQ-2",
        "description": "Across projects\nand files",
    }
    assert (rows[1]["title"], rows[1]["requests"], rows[1]["demand"]) == (TRICKY, "", "0")
    assert (rows[2]["title"], rows[2]["status"]) == ("Fax support", "dropped")


async def test_markdown_is_one_table_row_an_item(pmbot: Harness, tmp_path: Path) -> None:
    await make_roadmap(pmbot)

    lines = (await export(pmbot, tmp_path, "--format", "md", "--team", TEAM)).splitlines()

    assert lines[0] == "| ref | title | horizon | status | target_date | demand | requests |"
    assert lines[1] == "| --- | --- | --- | --- | --- | --- | --- |"
    assert lines[2] == "| RM-1 | Global search | now | planned | 2031-01-15 | 2 | REQ-1 REQ-2 |"
    assert lines[3] == r'| RM-2 | Offline, "fast" \| mode | next | planned |  | 0 |  |'
    assert lines[4] == "| RM-3 | Fax support | later | dropped |  | 0 |  |"
    assert len(lines) == 5


async def test_json_round_trips_and_the_only_workspace_needs_no_team(pmbot: Harness, tmp_path: Path) -> None:
    await make_roadmap(pmbot)

    named = json.loads(await export(pmbot, tmp_path, "--format", "json", "--team", TEAM))
    only = json.loads(await export(pmbot, tmp_path, "--format", "json"))

    assert named == only
    assert [(row["ref"], row["demand"], row["requests"]) for row in named] == [
        ("RM-1", 2, "REQ-1 REQ-2"),
        ("RM-2", 0, ""),
        ("RM-3", 0, ""),
    ]
    assert named[1]["title"] == TRICKY and named[0]["description"] == "Across projects\nand files"
    assert json.loads(await export(pmbot, tmp_path, "--format", "json", "--team", "T_OTHER")) == []
