"""`/request <text>` records its inbox entry in the filing's own transaction: one write, still once."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, select

from storage.models import InboxEntry, InboxStatus
from tests.answer_steps import body_of, inbox_settled, request_count
from tests.fakes import payloads
from tests.harness import ALICE, CAROL, SECRET, Harness


@pytest.fixture
async def triage(pmbot: Harness) -> Harness:
    await pmbot.set_intake(triagers=[CAROL])
    return pmbot


async def test_on_sqlite_the_entry_and_the_request_are_written_in_one_transaction(triage: Harness) -> None:
    statements = _write_statements(triage)

    response = await triage.command("Export the roadmap to CSV")

    assert response.status_code == 200 and "Filed as *REQ-1*" in body_of(response)["text"]
    transaction = _transaction_of(statements, "INSERT INTO request ")
    folded = any(s.startswith("INSERT INTO inbox_entry ") for s in transaction)
    # SQLite: one writer takes both, so the entry rides on the filing. PostgreSQL: the inbox has a
    # writer of its own (a record never waits behind the main writer's batches), so it stays apart.
    assert folded == triage.services.db.is_sqlite, transaction
    await inbox_settled(triage)
    assert [entry.status for entry in await _entries(triage)] == [InboxStatus.DONE]


async def test_a_replay_after_the_first_finished_files_nothing_and_gets_the_first_answer(
    triage: Harness,
) -> None:
    signed = payloads.slash_command(SECRET, text="Dark mode for the dashboard", user_id=ALICE)
    first = await triage.send(signed)
    await inbox_settled(triage)

    again = await triage.send(signed)

    assert first.status_code == again.status_code == 200
    assert "Filed as *REQ-1*" in body_of(again)["text"]
    await inbox_settled(triage)
    assert await request_count(triage) == 1
    assert len(await _entries(triage)) == 1


def _write_statements(pmbot: Harness) -> list[tuple[int, str]]:
    """(connection, statement) of every write, and (connection, "COMMIT") of every commit."""
    seen: list[tuple[int, str]] = []

    def note(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append((id(conn), " ".join(statement.split())))

    engine = pmbot.services.db.write_engine.sync_engine
    event.listen(engine, "before_cursor_execute", note)
    event.listen(engine, "commit", lambda conn: seen.append((id(conn), "COMMIT")))
    return seen


def _transaction_of(seen: list[tuple[int, str]], marker: str) -> list[str]:
    """The statements of the write transaction that holds `marker`, from its start to its commit."""
    at = next(i for i, (_, s) in enumerate(seen) if s.startswith(marker))
    mine = [(i, s) for i, (conn, s) in enumerate(seen) if conn == seen[at][0]]
    start = max((i for i, s in mine if s == "COMMIT" and i < at), default=-1)
    end = min(i for i, s in mine if s == "COMMIT" and i > at)
    return [s for i, s in mine if start < i < end]


async def _entries(pmbot: Harness) -> list[InboxEntry]:
    """The commands' entries (set_intake's modal submission has its own)."""
    async with pmbot.services.db.read() as session:
        commands = select(InboxEntry).where(InboxEntry.kind == "command").order_by(InboxEntry.id)
        return list((await session.execute(commands)).scalars())
