"""pmbot's tables, one module per aggregate. Every row belongs to one Slack workspace (team_id)."""

from storage.models.digests import ALL_SECTIONS, DigestSection, DigestSubscription, ScheduledRun
from storage.models.inbox import InboxEntry, InboxStatus
from storage.models.launches import (
    GoNoGo,
    GoNoGoVote,
    Launch,
    LaunchItem,
    LaunchMessage,
    LaunchRoadmapItem,
    LaunchStatus,
    LaunchTemplate,
)
from storage.models.outbox import JobStatus, OutboxJob, SlackPause
from storage.models.requests import (
    Impact,
    Request,
    RequestFollower,
    RequestKind,
    RequestStatus,
    RequestUpvote,
)
from storage.models.roadmap import (
    ApprovalPolicy,
    ChangeKind,
    Horizon,
    ItemStatus,
    Proposal,
    ProposalMessage,
    ProposalStatus,
    ProposalVote,
    RoadmapItem,
    RoadmapItemRequest,
    VoteChoice,
)
from storage.models.workspace import AuditEntry, HomeViewer, Role, Workspace, WorkspaceMember

__all__ = [
    "ALL_SECTIONS",
    "ApprovalPolicy",
    "AuditEntry",
    "ChangeKind",
    "DigestSection",
    "DigestSubscription",
    "GoNoGo",
    "GoNoGoVote",
    "HomeViewer",
    "Horizon",
    "Impact",
    "InboxEntry",
    "InboxStatus",
    "ItemStatus",
    "JobStatus",
    "Launch",
    "LaunchItem",
    "LaunchMessage",
    "LaunchRoadmapItem",
    "LaunchStatus",
    "LaunchTemplate",
    "OutboxJob",
    "Proposal",
    "ProposalMessage",
    "ProposalStatus",
    "ProposalVote",
    "Request",
    "RequestFollower",
    "RequestKind",
    "RequestStatus",
    "RequestUpvote",
    "RoadmapItem",
    "RoadmapItemRequest",
    "Role",
    "ScheduledRun",
    "SlackPause",
    "VoteChoice",
    "Workspace",
    "WorkspaceMember",
]
