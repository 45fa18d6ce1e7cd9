"""An example to start from, made through pmbot's own services (the same calls its listeners make):
settings, a few requests, a roadmap item with a pending proposal, and a launch with its checklist."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.playground import sample
from bot.runtime import Services
from bot.services.launches.changes import LaunchDraft
from bot.services.requests.types import RequestDraft
from bot.services.roadmap.proposals import ProposalDraft
from bot.services.settings.service import ApprovalSettings, WorkspaceSettings
from storage.models import Impact, RequestKind
from storage.models.roadmap import ChangeKind, Horizon, VoteChoice

TEAM = sample.TEAM_ID
ADMIN, STAKEHOLDER, APPROVER, ENGINEER = (p.id for p in sample.PEOPLE)


async def seed(services: Services) -> None:
    """Fill the sample workspace as its people would have; what does not depend on each other
    goes at once, so the writer commits it together and the playground is ready sooner."""
    await asyncio.gather(_intake(services), _policy(services))
    numbers = await _requests(services)
    await _triage(services, numbers)
    item_number = await _approved_item(services, numbers)
    await asyncio.gather(_pending_proposal(services, numbers), _launch(services, item_number))


async def _intake(services: Services) -> None:
    intake = WorkspaceSettings(intake_channel_id=sample.PRODUCT_REQUESTS, triager_ids=[ADMIN])
    await services.workspace.update(TEAM, ADMIN, intake)


async def _policy(services: Services) -> None:
    policy = ApprovalSettings(
        approver_ids=[APPROVER, ADMIN],
        approver_group_id=None,
        required_approvals=1,
        expiry_days=7,
        approvals_channel_id=sample.GENERAL,
        announcements_channel_id=sample.GENERAL,
    )
    await services.workspace.update_approval_settings(TEAM, ADMIN, policy)


async def _requests(services: Services) -> dict[str, int]:
    today = services.clock.now().date()
    search = RequestDraft(
        "Search is slow on large workspaces",
        kind=RequestKind.BUG,
        impact=Impact.HIGH,
        description="Results take 6 to 8 seconds past 10k documents.",
    )
    csv = RequestDraft(
        "Export the roadmap to CSV",
        impact=Impact.HIGH,
        description="Finance plans the quarter in spreadsheets.",
        needed_by=today + timedelta(days=21),
    )
    dark = RequestDraft("Dark mode for the dashboard", impact=Impact.LOW)
    drafts = {"search": (ENGINEER, search), "csv": (STAKEHOLDER, csv), "dark": (STAKEHOLDER, dark)}
    numbers = {}
    for key, (filer, draft) in drafts.items():  # one after the other: REQ-1, 2, 3 in this order
        numbers[key] = (await services.requests.file(TEAM, filer, draft)).number
    return numbers


async def _triage(services: Services, numbers: dict[str, int]) -> None:
    await asyncio.gather(
        services.requests.accept(TEAM, ADMIN, numbers["search"]),
        services.requests.upvote(TEAM, APPROVER, numbers["dark"]),
        services.requests.follow(TEAM, ENGINEER, numbers["csv"]),
    )


async def _approved_item(services: Services, numbers: dict[str, int]) -> int:
    """An item the approver voted onto the roadmap; returns its number."""
    added = await services.roadmap.propose(
        TEAM,
        ADMIN,
        ProposalDraft(
            ChangeKind.ADD,
            "Search is our most reported problem.",
            title="Faster search",
            horizon=Horizon.NOW,
            owner_id=ENGINEER,
            linked_request_numbers=[numbers["search"]],
        ),
    )
    await services.roadmap.vote(TEAM, APPROVER, added.number, VoteChoice.APPROVE)
    return (await services.roadmap.roadmap(TEAM))[0].item.number


async def _pending_proposal(services: Services, numbers: dict[str, int]) -> None:
    """A proposal still waiting for the approver's vote."""
    await services.roadmap.propose(
        TEAM,
        ADMIN,
        ProposalDraft(
            ChangeKind.ADD,
            "Finance asks for it every quarter.",
            title="Roadmap export (CSV)",
            horizon=Horizon.NEXT,
            linked_request_numbers=[numbers["csv"]],
        ),
    )


async def _launch(services: Services, item_number: int) -> None:
    launch_day = services.clock.now().date() + timedelta(days=10)
    draft = LaunchDraft(  # ten days out, some of the template's items start overdue: shown as such
        "Faster search",
        launch_day,
        sample.GENERAL,
        owner_id=ADMIN,
        roadmap_item_numbers=[item_number],
        accept_overdue=True,
    )
    await services.launches.create(TEAM, ADMIN, draft)
