"""What the outbox holds, for the operator's metrics: pending and failed jobs, and the most overdue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from storage.db import Database
from storage.models import JobStatus, OutboxJob


@dataclass(frozen=True)
class OutboxStats:
    """Counts of unfinished jobs by (status, kind), and the due time of the most overdue pending one."""

    counts: dict[tuple[str, str], int]
    oldest_pending_due: datetime | None


async def outbox_stats(db: Database) -> OutboxStats:
    """Read the outbox's backlog. Across every workspace on purpose: it describes the process."""
    async with db.read() as session:
        rows = await session.execute(
            select(OutboxJob.status, OutboxJob.kind, func.count())
            .where(OutboxJob.status.in_([JobStatus.PENDING, JobStatus.FAILED]))  # type: ignore[attr-defined]
            .group_by(OutboxJob.status, OutboxJob.kind)
        )
        counts = {(str(status), kind): count for status, kind, count in rows}
        oldest = await session.scalar(
            select(func.min(OutboxJob.due_at)).where(OutboxJob.status == JobStatus.PENDING)
        )
    return OutboxStats(counts, oldest)
