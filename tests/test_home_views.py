"""The Home tab's builders at their worst: longest titles, every section, full pages, within limits."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.services.home.service import (
    ChecklistEntry,
    Counted,
    HomeList,
    HomeQueue,
    PendingVote,
    UpcomingLaunch,
    WorkspaceSetup,
    YourProposal,
)
from bot.views.home.lists import PER_PAGE, full_list_modal, packed_sections
from bot.views.home.tab import home_view
from storage.models import ApprovalPolicy, Launch, LaunchItem, Proposal, Request, RoadmapItem
from tests.slack_limits import SECTION_TEXT, SURFACE_BLOCKS, problems_in_view

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
WORST_TITLE = "<!channel>&" * 14  # 154 characters, each one escaped to several


def request(number: int) -> Request:
    return Request(
        team_id="T",
        number=number,
        title=WORST_TITLE[:150],
        requester_id="U_SOMEONE",
        filed_by_id="U_SOMEONE",
        status="needs_info",
        needed_by=date(2027, 1, 31),
        updated_at=NOW,
    )


def pending(number: int) -> PendingVote:
    proposal = Proposal(
        team_id="T",
        number=number,
        kind="rescope",
        proposer_id="U_SOMEONE",
        rationale="r",
        changes={"title": WORST_TITLE},
        expires_at=NOW + timedelta(days=7),
    )
    return PendingVote(proposal, RoadmapItem(team_id="T", number=number, title=WORST_TITLE[:150]))


def launch(number: int) -> Launch:
    return Launch(
        team_id="T",
        number=number,
        name=WORST_TITLE[:150],
        launch_date=TODAY - timedelta(days=1),
        channel_id="C1",
        owner_id="U_SOMEONE",
        template_name="t",
        status="slipped",
        created_by="U_SOMEONE",
    )


def checklist_entry(number: int) -> ChecklistEntry:
    item = LaunchItem(
        team_id="T", launch_id=number, position=0, phase="p", title=WORST_TITLE[:200], due_date=TODAY
    )
    return ChecklistEntry(item, launch(number))


def worst_queue(*, shown: int, total: int, admin: bool = True, first_run: bool = True) -> HomeQueue:
    people = [f"U{n:09d}" for n in range(60)]
    policy = ApprovalPolicy(team_id="T", approver_group_id="S" + "9" * 30, approvals_channel_id="C1")
    setup = WorkspaceSetup(
        intake_channel_id=None, triager_ids=people, approver_ids=people, policy=policy, admin_ids=people
    )
    return HomeQueue(
        user_id="U_ME",
        my_requests=Counted([request(n) for n in range(shown)], total),
        followed=Counted([request(n) for n in range(shown)], total),
        awaiting_vote=Counted([pending(n) for n in range(shown)], total),
        is_admin=admin,
        is_approver=True,
        settings=setup if admin else None,
        first_run=first_run,
        checklist=Counted([checklist_entry(n) for n in range(shown)], total),
        launches=Counted([UpcomingLaunch(launch(n), 10**6, 10**6 + 1) for n in range(shown)], total),
        today=TODAY,
        is_triager=True,
        waiting_for_triage=Counted([request(n) for n in range(shown)], total),
        assigned=Counted([request(n) for n in range(shown)], total),
        your_proposals=Counted([own(n, people) for n in range(shown)], total),
    )


def own(number: int, waiting_on: list[str]) -> YourProposal:
    vote = pending(number)
    return YourProposal(vote.proposal, vote.item, waiting_on)


@pytest.mark.parametrize("admin", [True, False])
def test_the_fullest_home_tab_is_valid_and_within_100_blocks(admin: bool) -> None:
    view = home_view(worst_queue(shown=8, total=100_000, admin=admin)).to_dict()  # to_dict validates

    assert view["type"] == "home"
    assert len(view["blocks"]) <= SURFACE_BLOCKS
    assert problems_in_view(view) == []
    assert "<!channel>" not in str(view["blocks"])
    assert str(view["blocks"]).count("'home_see_all'") == 8  # every list is there, full


def test_a_home_tab_given_more_items_than_it_shows_still_fits() -> None:
    view = home_view(worst_queue(shown=200, total=200)).to_dict()

    assert len(view["blocks"]) == SURFACE_BLOCKS
    assert problems_in_view(view) == []
    assert "the Home tab is full" in view["blocks"][-1]["elements"][0]["text"]


@pytest.mark.parametrize("which", list(HomeList))
def test_a_full_page_of_see_all_is_valid(which: HomeList) -> None:
    queue = worst_queue(shown=PER_PAGE, total=1000)
    listed = {
        HomeList.MINE: queue.my_requests,
        HomeList.FOLLOWED: queue.followed,
        HomeList.VOTES: queue.awaiting_vote,
        HomeList.CHECKLIST: queue.checklist,
        HomeList.LAUNCHES: queue.launches,
        HomeList.TRIAGE: queue.waiting_for_triage,
        HomeList.ASSIGNED: queue.assigned,
        HomeList.PROPOSALS: queue.your_proposals,
    }[which]

    modal = full_list_modal(which, listed, 3, TODAY).to_dict()

    assert len(modal["blocks"]) <= SURFACE_BLOCKS
    assert problems_in_view(modal) == []
    assert "151 to 200 of 1000" in str(modal["blocks"])
    assert [b["action_id"] for b in modal["blocks"][-1]["elements"]] == [
        "home_list_page_prev",
        "home_list_page",
    ]


def test_lines_are_packed_into_sections_without_splitting_one() -> None:
    lines = [f"line {n} " + "x" * 990 for n in range(7)]

    blocks = [block.to_dict() for block in packed_sections(lines)]

    assert all(len(block["text"]["text"]) <= SECTION_TEXT for block in blocks)
    assert "\n\n".join(block["text"]["text"] for block in blocks).split("\n\n") == lines
