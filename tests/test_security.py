"""The HTTP edge and workspace isolation: signatures, sizes, paths, health, and team scoping."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
from sqlalchemy import func, select

from bot.signature import is_valid_signature
from bot.views import ids
from storage.models import AuditEntry, OutboxJob, Request, RequestFollower, RequestUpvote, Workspace
from tests import databases
from tests.fakes import payloads
from tests.harness import ADMIN, ALICE, BOB, SECRET, Harness, ephemeral_text
from tests.test_fakes import DOC_BODY, DOC_SECRET, DOC_SIGNATURE, DOC_TIMESTAMP

USER_TEXT = "Quarterly pineapple forecast for Globex"  # must never reach a log or an error answer
OTHER_TEAM = "T_OTHER"
STALE = 6 * 60
FULLWIDTH_DIGITS = "".join(chr(0xFF10 + int(digit)) for digit in "1531420618")  # sent as UTF-8


async def row_counts(pmbot: Harness) -> dict[str, int]:
    """How many rows each table holds: a refused request must leave every count alone."""
    tables = (Request, OutboxJob, AuditEntry, RequestFollower, RequestUpvote, Workspace)
    async with pmbot.services.db.read() as session:
        return {
            table.__name__: (await session.execute(select(func.count()).select_from(table))).scalar_one()
            for table in tables
        }


def tampered(headers: dict[str, str], **changes: str | bytes | None) -> dict[str, str | bytes]:
    """The signed headers with some replaced (bytes for values httpx would not encode) or removed."""
    result: dict[str, str | bytes] = dict(headers)
    for name, value in changes.items():
        header = {"signature": "X-Slack-Signature", "timestamp": "X-Slack-Request-Timestamp"}[name]
        if value is None:
            result.pop(header)
        else:
            result[header] = value
    return result


def refusals() -> list[tuple[str, dict[str, str | bytes | None]]]:
    good = payloads.slash_command(SECRET, text=USER_TEXT)
    return [
        ("wrong signature", {"signature": "v0=" + "0" * 64}),
        (
            "signed with another secret",
            {"signature": payloads.sign(good.body, "not-the-secret")["X-Slack-Signature"]},
        ),
        ("missing signature", {"signature": None}),
        ("missing timestamp", {"timestamp": None}),
        ("empty signature", {"signature": ""}),
        ("malformed timestamp", {"timestamp": "abc"}),
        ("five thousand digit timestamp", {"timestamp": "9" * 5000}),
        ("negative timestamp", {"timestamp": "-1"}),
        ("non-ascii signature", {"signature": "v0=é☃".encode()}),
        ("non-ascii timestamp", {"timestamp": FULLWIDTH_DIGITS.encode()}),
    ]


@pytest.mark.parametrize(("case", "changes"), refusals(), ids=[case for case, _ in refusals()])
async def test_a_bad_signature_is_refused_with_401_and_changes_nothing(
    pmbot: Harness, caplog: pytest.LogCaptureFixture, case: str, changes: dict[str, str | bytes | None]
) -> None:
    caplog.set_level(logging.INFO)
    request = payloads.slash_command(SECRET, text=USER_TEXT)
    before = await row_counts(pmbot)

    response = await pmbot.http.post(
        "/slack/events", content=request.body, headers=tampered(request.headers, **changes)
    )

    assert response.status_code == 401, case
    assert USER_TEXT not in response.text
    assert await row_counts(pmbot) == before
    assert pmbot.fake.calls == []
    assert USER_TEXT not in caplog.text
    assert "pineapple" not in caplog.text


async def test_a_stale_timestamp_is_refused_even_when_correctly_signed(pmbot: Harness) -> None:
    before = await row_counts(pmbot)
    old = payloads.slash_command(SECRET, text=USER_TEXT, timestamp=int(time.time()) - STALE)
    early = payloads.slash_command(SECRET, text=USER_TEXT, timestamp=int(time.time()) + STALE)

    refused = [await pmbot.send(old), await pmbot.send(early)]

    assert [response.status_code for response in refused] == [401, 401]
    assert await row_counts(pmbot) == before
    assert pmbot.fake.calls == []


async def test_a_signature_over_another_body_is_refused(pmbot: Harness) -> None:
    signed = payloads.slash_command(SECRET, text="harmless")
    forged = payloads.slash_command(SECRET, text=USER_TEXT)
    before = await row_counts(pmbot)

    response = await pmbot.http.post("/slack/events", content=forged.body, headers=signed.headers)

    assert response.status_code == 401
    assert await row_counts(pmbot) == before


async def test_a_good_request_logs_none_of_its_text(pmbot: Harness, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)

    response = await pmbot.command(USER_TEXT)

    assert "REQ-1" in ephemeral_text(response)
    assert USER_TEXT not in caplog.text


def test_slacks_documented_example_verifies() -> None:
    def check(**changes: object) -> bool:
        arguments: dict = {
            "signing_secret": DOC_SECRET,
            "body": DOC_BODY,
            "timestamp": str(DOC_TIMESTAMP),
            "signature": DOC_SIGNATURE,
            "now": DOC_TIMESTAMP + 10,
        }
        return is_valid_signature(**(arguments | changes))

    assert check()
    assert not check(body=DOC_BODY + b"x")
    assert not check(signing_secret=DOC_SECRET[:-1])
    assert not check(signature=DOC_SIGNATURE.upper())
    assert not check(now=DOC_TIMESTAMP + 301)
    assert not check(now=None)  # the example is from 2018: stale today


async def test_healthz_says_the_process_answers_and_readyz_that_the_database_does(
    pmbot: Harness, database_url: str
) -> None:
    assert (await pmbot.http.get("/readyz")).status_code == 200

    await pmbot.services.stop()  # close every pooled connection, then take the database away
    await make_unreachable(database_url)
    alive = await pmbot.http.get("/healthz")
    down = await pmbot.http.get("/readyz")

    assert (alive.status_code, alive.json()) == (200, {"ok": True})
    assert down.status_code == 503
    assert down.json()["checks"]["database_read"].startswith("failed")
    assert (await pmbot.http.head("/readyz")).status_code == 503


async def make_unreachable(database_url: str) -> None:
    """A real fault: the SQLite file is overwritten with garbage; the PostgreSQL database is dropped."""
    if database_url.startswith("sqlite"):
        overwrite_with_garbage(Path(database_url.split(":///", 1)[1]))
    else:
        await databases.drop_postgres(urlparse(database_url).path.lstrip("/"))


def overwrite_with_garbage(path: Path) -> None:
    # Garbage rather than a missing file: SQLite opens it, then refuses it ("file is not a database").
    # (A file that cannot be opened at all makes aiosqlite leave a stop request for after the loop.)
    for leftover in path.parent.glob(path.name + "-*"):  # -wal and -shm
        leftover.unlink()
    path.write_bytes(b"this is not a database\n" * 512)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/"),
        ("GET", "/slack/events"),
        ("POST", "/slack/event"),
        ("POST", "/healthz"),
        ("GET", "/admin"),
    ],
)
async def test_unknown_paths_and_methods_are_404(pmbot: Harness, method: str, path: str) -> None:
    response = await pmbot.http.request(method, path)

    assert response.status_code == 404


async def test_a_body_over_one_megabyte_is_413_and_unread(pmbot: Harness) -> None:
    body = b"text=" + b"a" * 1_000_000
    before = await row_counts(pmbot)

    response = await pmbot.http.post("/slack/events", content=body, headers=payloads.sign(body, SECRET))

    assert response.status_code == 413
    assert await row_counts(pmbot) == before
    assert pmbot.fake.calls == []


async def test_a_request_is_invisible_from_another_workspace(pmbot: Harness) -> None:
    number = await pmbot.file("Single sign-on for Globex")

    looked_up = await pmbot.send(payloads.slash_command(SECRET, text=f"REQ-{number}", team_id=OTHER_TEAM))
    listed = await pmbot.send(payloads.slash_command(SECRET, text="list all", team_id=OTHER_TEAM))
    own = await pmbot.command("list all")

    assert "There is no REQ-1" in looked_up.text
    assert "Single sign-on" not in looked_up.text
    assert "REQ-1" not in listed.text and "Single sign-on" not in listed.text
    assert "Single sign-on" in own.text


@pytest.mark.parametrize(("action_id", "user"), [(ids.FOLLOW, BOB), (ids.UPVOTE, BOB), (ids.ACCEPT, ADMIN)])
async def test_a_card_click_from_another_workspace_changes_nothing(
    pmbot: Harness, action_id: str, user: str
) -> None:
    number = await pmbot.file("Single sign-on for Globex", user=ALICE)
    await pmbot.settled()
    before = await row_counts(pmbot)
    async with pmbot.services.db.read() as session:
        status_before = (await session.execute(select(Request.status))).scalar_one()

    response = await pmbot.click(action_id, number, user=user, team_id=OTHER_TEAM)

    assert response.status_code == 200
    [told] = await pmbot.fake.wait_for(
        "response_url", where=lambda call: call.params["name"] == f"{action_id}-{user}"
    )
    assert "There is no REQ-1 in this workspace" in told.params["text"]
    assert await row_counts(pmbot) == before
    async with pmbot.services.db.read() as session:
        assert (await session.execute(select(Request.status))).scalar_one() == status_before
