"""Outbox jobs that gather entries: several things to tell one person become one job, one message.

The job is keyed (`dedupe_key`) per person. An entry added while the job waits joins it; an entry
added while it is being delivered joins it too, and bumps its generation, so the job runs again
for what its delivery did not carry; a delivered entry is dropped in the transaction that marks
the job done. Nothing gathered is lost to a restart: it is all in the job's row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import JobStatus, OutboxJob
from storage.upsert import insert_for

ENTRIES = "entries"


async def gather(
    session: AsyncSession,
    *,
    team_id: str,
    kind: str,
    dedupe_key: str,
    base: dict[str, Any],
    entry: dict[str, Any],
    now: datetime,
) -> None:
    """Add `entry` to the person's gathering job, starting one (due `now`) if none waits."""
    empty = {**base, ENTRIES: []}
    start = insert_for(session, OutboxJob).values(
        team_id=team_id,
        kind=kind,
        payload=empty,
        dedupe_key=dedupe_key,
        status=JobStatus.PENDING,
        generation=0,
        attempts=0,
        due_at=now,
        created_at=now,
    )
    # Two transactions starting the same person's job: the second waits for the first, then joins it.
    await session.execute(start.on_conflict_do_nothing(index_elements=["dedupe_key"]))
    job = await _locked(session, dedupe_key)
    payload = job.payload if job.status == JobStatus.PENDING else empty
    if job.status != JobStatus.PENDING:  # delivered (or failed) earlier: a new gathering starts now
        job.status, job.due_at, job.attempts = JobStatus.PENDING, now, 0
        job.last_error, job.unsure_since, job.done_at = None, None, None
    job.payload = {**payload, **base, ENTRIES: [*payload.get(ENTRIES, []), entry]}
    job.generation += 1
    await session.flush()


async def drop_delivered(session: AsyncSession, job_id: int, entry_ids: list[str]) -> None:
    """Remove the entries a delivery carried, so a re-run of the job carries only newer ones."""
    job = (
        await session.execute(
            select(OutboxJob)
            .where(OutboxJob.id == job_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()
    if job is None:
        return
    left = [entry for entry in job.payload.get(ENTRIES, []) if entry.get("id") not in entry_ids]
    job.payload = {**job.payload, ENTRIES: left}
    await session.flush()


async def _locked(session: AsyncSession, dedupe_key: str) -> OutboxJob:
    query = (
        select(OutboxJob)
        .where(OutboxJob.dedupe_key == dedupe_key)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.execute(query)).scalar_one()
