"""pmbot's tables, one module per aggregate. Every row belongs to one Slack workspace (team_id)."""

from storage.models.outbox import JobStatus, OutboxJob
from storage.models.requests import (
    Impact,
    Request,
    RequestFollower,
    RequestKind,
    RequestStatus,
    RequestUpvote,
)
from storage.models.workspace import AuditEntry, Role, Workspace, WorkspaceMember

__all__ = [
    "AuditEntry",
    "Impact",
    "JobStatus",
    "OutboxJob",
    "Request",
    "RequestFollower",
    "RequestKind",
    "RequestStatus",
    "RequestUpvote",
    "Role",
    "Workspace",
    "WorkspaceMember",
]
