"""Every typed text pmbot stores is checked on the server against its column, whatever the modal's
own limit: a forged submission one character over is refused inline and nothing is stored (on
PostgreSQL the column would otherwise reject the write after the person was told it worked)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from bot.services.launches import changes as launch_fields
from bot.services.launches import gonogo, templates
from bot.services.roadmap import proposals as form
from storage.models import GoNoGoVote, Launch, Proposal, RoadmapItem
from tests.harness import ALICE, BOB, CAROL, Harness
from tests.launch_steps import create_launch, in_days, launch_values, save_template, submit_launch
from tests.roadmap_steps import change, set_policy, submit_change
from tests.test_launch_dates import move_date


async def count(pmbot: Harness, model: Any) -> int:
    async with pmbot.services.db.read() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def test_a_proposal_one_character_over_any_column_is_refused_and_not_stored(pmbot: Harness) -> None:
    await set_policy(pmbot, [BOB, CAROL], required=1)
    over = {
        form.TITLE: {"title": "t" * (form.TITLE_MAX + 1)},
        form.DESCRIPTION: {"title": "Audit log", "description": "d" * (form.TEXT_MAX + 1)},
        form.RATIONALE: {"title": "Audit log", "rationale": "r" * (form.TEXT_MAX + 1)},
    }
    for block_id, typed in over.items():
        response = await submit_change(pmbot, change("add", horizon="next", **typed), user=ALICE)
        assert "characters" in response.json()["errors"][block_id], block_id

    assert await count(pmbot, Proposal) == 0
    at_limit = change("add", horizon="next", title="Audit log", description="d" * form.TEXT_MAX)
    assert (await submit_change(pmbot, at_limit, user=ALICE)).text in ("", "{}")
    assert await count(pmbot, Proposal) == 1


async def test_a_launch_name_over_its_column_is_refused_and_not_stored(pmbot: Harness) -> None:
    values = launch_values("n" * (launch_fields.NAME_MAX + 1), in_days(pmbot, 40))

    response = await submit_launch(pmbot, values)

    assert "under 150 characters" in response.json()["errors"][launch_fields.NAME]
    assert await count(pmbot, Launch) == 0


async def test_a_template_name_over_its_column_is_refused(pmbot: Harness) -> None:
    response = await save_template(pmbot, "n" * (templates.NAME_MAX + 1), "-1d Check", user="U_ADMIN")

    assert "under 80 characters" in response.json()["errors"][templates.TEMPLATE_NAME]


async def test_a_slip_reason_over_its_limit_is_refused_and_the_date_stays(pmbot: Harness) -> None:
    launch = await create_launch(pmbot)
    day = (launch.launch_date + timedelta(days=7)).isoformat()

    errors = await move_date(pmbot, launch.number, day, why="w" * (launch_fields.SLIP_REASON_MAX + 1))

    assert "under 500 characters" in errors[launch_fields.SLIP_REASON]
    async with pmbot.services.db.read() as session:
        stored = (await session.execute(select(Launch))).scalar_one()
    assert stored.launch_date == launch.launch_date


def test_every_limit_matches_its_column() -> None:

    assert RoadmapItem.model_fields["description"].metadata[0].max_length == form.TEXT_MAX  # type: ignore[attr-defined]
    assert Launch.model_fields["name"].metadata[0].max_length == launch_fields.NAME_MAX  # type: ignore[attr-defined]
    assert GoNoGoVote.model_fields["note"].metadata[0].max_length == gonogo.NO_GO_REASON_MAX  # type: ignore[attr-defined]
