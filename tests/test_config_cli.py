"""The real `pmbot` console script: refusing bad settings, the manifest, `db upgrade`, and `serve`."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sqlite3
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import yaml
from sqlalchemy import inspect

from bot.config import SETTINGS_HINT, WHERE_TO_GET
from bot.manifest import BOT_EVENTS, BOT_SCOPES
from bot.views import ids
from storage.db import Database
from storage.migrate import current_revision, head_revision
from tests.empty_databases import KINDS, empty_database
from tests.fakes import FakeSlack, payloads
from tests.serve_process import (
    clean_env,
    free_port,
    pmbot_command,
    serving,
    stopped,
    wait_until_answering,
)

SECRET = "cli-test-signing-secret"
GOOD = {"SLACK_BOT_TOKEN": "xoxb-cli-test", "SLACK_SIGNING_SECRET": SECRET}
EXIT_CONFIG = 2


def run_pmbot(
    folder: Path, *args: str, user: int | None = None, **variables: str
) -> subprocess.CompletedProcess[str]:
    """Run `pmbot args…` in `folder` (so no .env of ours is read), as `user` if given, and wait for it."""
    return subprocess.run(
        [*pmbot_command(), *args],
        cwd=folder,
        user=user,
        env=clean_env(folder, **variables),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def run_pmbot_async(folder: Path, *args: str, **variables: str) -> tuple[int, str, str]:
    """The same, for async tests: (exit status, stdout, stderr)."""
    process = await asyncio.create_subprocess_exec(
        *pmbot_command(),
        *args,
        cwd=folder,
        env=clean_env(folder, **variables),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(60):
        out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def assert_refused(result: subprocess.CompletedProcess[str], variable: str, *absent: str) -> None:
    """Exit 2: a line naming the variable and where to get it, then the hint; no traceback, no secret."""
    assert result.returncode == EXIT_CONFIG, result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines == [lines[0], f"pmbot: {SETTINGS_HINT}"], result.stderr
    assert lines[0].startswith(f"pmbot: {variable} "), lines[0]
    assert WHERE_TO_GET[variable] in lines[0]
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    for secret in absent:
        assert secret not in result.stderr


@pytest.mark.parametrize(
    ("variables", "variable", "absent"),
    [
        ({"SLACK_SIGNING_SECRET": SECRET}, "SLACK_BOT_TOKEN", ()),
        ({"SLACK_BOT_TOKEN": "xoxb-cli-test"}, "SLACK_SIGNING_SECRET", ()),
        ({**GOOD, "SLACK_BOT_TOKEN": "xoxp-1234-user-token-secret"}, "SLACK_BOT_TOKEN", ("1234-user",)),
        ({**GOOD, "PORT": "abc"}, "PORT", ()),
        ({**GOOD, "PORT": "70000"}, "PORT", ()),
        ({**GOOD, "DATABASE_URL": "mysql://root:hunter2@db.example/pm"}, "DATABASE_URL", ("hunter2",)),
        ({**GOOD, "DATABASE_URL": "pmbot.db"}, "DATABASE_URL", ()),
        ({**GOOD, "SLACK_API_URL": "slack.com/api"}, "SLACK_API_URL", ()),
        ({**GOOD, "LOG_LEVEL": "LOUD"}, "LOG_LEVEL", ()),
    ],
    ids=[
        "no-bot-token",
        "no-signing-secret",
        "user-token",
        "port-abc",
        "port-too-big",
        "mysql-url",
        "bare-path-url",
        "api-url-no-scheme",
        "log-level",
    ],
)
def test_serve_refuses_bad_settings_with_one_line(
    tmp_path: Path, variables: dict[str, str], variable: str, absent: tuple[str, ...]
) -> None:
    assert_refused(run_pmbot(tmp_path, "serve", **variables), variable, *absent)


def test_socket_mode_needs_the_app_token(tmp_path: Path) -> None:
    assert_refused(run_pmbot(tmp_path, "serve", "--socket-mode", **GOOD), "SLACK_APP_TOKEN")
    wrong_kind = run_pmbot(tmp_path, "serve", "--socket-mode", **GOOD, SLACK_APP_TOKEN="xoxb-not-app")
    assert_refused(wrong_kind, "SLACK_APP_TOKEN", "xoxb-not-app")


def test_db_upgrade_refuses_a_bad_database_url(tmp_path: Path) -> None:
    result = run_pmbot(tmp_path, "db", "upgrade", DATABASE_URL="oracle://scott:tiger@db/orcl")

    assert_refused(result, "DATABASE_URL", "tiger")


def manifest(tmp_path: Path, *args: str) -> dict[str, Any]:
    result = run_pmbot(tmp_path, "manifest", *args)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return yaml.safe_load(result.stdout)


def all_keys(node: object) -> Iterator[tuple[str, object]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from all_keys(value)
    elif isinstance(node, list):
        for item in node:
            yield from all_keys(item)


def test_manifest_for_a_url_declares_everything_pmbot_needs(tmp_path: Path) -> None:
    events_url = "https://x.example/slack/events"

    found = manifest(tmp_path, "--url", "https://x.example")

    features, settings = found["features"], found["settings"]
    [command] = [c for c in features["slash_commands"] if c["command"] == "/request"]
    assert command["url"] == events_url
    assert {c["url"] for c in features["slash_commands"]} == {events_url}  # every command reaches pmbot
    [shortcut] = [s for s in features["shortcuts"] if s["name"] == "File as request"]
    assert (shortcut["type"], shortcut["callback_id"]) == ("message", ids.FILE_AS_REQUEST)
    assert settings["interactivity"] == {
        "is_enabled": True,
        "request_url": events_url,
        "message_menu_options_url": events_url,
    }
    assert settings["event_subscriptions"]["request_url"] == events_url
    assert set(BOT_EVENTS) <= set(settings["event_subscriptions"]["bot_events"])
    assert {"app_uninstalled", "tokens_revoked"} <= set(settings["event_subscriptions"]["bot_events"])
    assert {"commands", "chat:write", "users:read"} <= set(found["oauth_config"]["scopes"]["bot"])
    assert "im:write" not in found["oauth_config"]["scopes"]["bot"]  # a DM is a chat.postMessage to a user
    assert set(found["oauth_config"]["scopes"]["bot"]) == set(BOT_SCOPES)
    assert settings["socket_mode_enabled"] is False
    assert manifest(tmp_path, "--url", "https://x.example/") == found  # a trailing slash changes nothing


def test_manifest_for_socket_mode_has_no_urls(tmp_path: Path) -> None:
    found = manifest(tmp_path, "--socket-mode")

    assert found["settings"]["socket_mode_enabled"] is True
    assert found["settings"]["interactivity"]["is_enabled"] is True
    assert "/request" in [c["command"] for c in found["features"]["slash_commands"]]
    assert ids.FILE_AS_REQUEST in [s["callback_id"] for s in found["features"]["shortcuts"]]
    assert [key for key, _ in all_keys(found) if key.endswith("url")] == []
    assert "http" not in yaml.safe_dump(found)


def test_manifest_without_url_or_socket_mode_is_refused(tmp_path: Path) -> None:
    result = run_pmbot(tmp_path, "manifest")

    assert result.returncode == EXIT_CONFIG
    assert len(result.stderr.strip().splitlines()) == 1 and "--url" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture(params=KINDS)
async def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    async with empty_database(request.param, tmp_path) as url:
        yield url


async def test_db_upgrade_creates_the_schema_and_is_idempotent(
    tmp_path: Path, empty_database_url: str
) -> None:
    # The plain URL a person would type; pmbot adds the async driver itself.
    typed = empty_database_url.replace("+aiosqlite", "").replace("+asyncpg", "")

    first = await run_pmbot_async(tmp_path, "db", "upgrade", DATABASE_URL=typed)
    second = await run_pmbot_async(tmp_path, "db", "upgrade", DATABASE_URL=typed)

    for status, out, err in (first, second):
        assert status == 0, err
        assert "database is at the newest schema" in out
        assert "Traceback" not in err
    db = Database(empty_database_url)
    try:
        assert await current_revision(db) == head_revision()
        async with db.read_engine.connect() as connection:
            tables = set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))
    finally:
        await db.dispose()
    assert {"workspace", "request", "request_follower", "outbox_job", "audit_entry"} <= tables


def serve_env(folder: Path, fake: FakeSlack, port: int, **extra: str) -> dict[str, str]:
    """The settings of a `pmbot serve` on loopback, talking to the fake Slack, on SQLite in `folder`."""
    return {
        **GOOD,
        "SLACK_API_URL": fake.base_url,
        "DATABASE_URL": f"sqlite:///{folder / 'pmbot.db'}",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "LOG_LEVEL": "INFO",
        **extra,
    }


async def test_serve_answers_a_signed_command_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    async with FakeSlack() as fake, serving(tmp_path, **serve_env(tmp_path, fake, port)) as (process, output):
        await wait_until_answering(base, "/readyz", process, output)
        command = payloads.slash_command(SECRET, text="Ship it")
        async with httpx.AsyncClient(base_url=base, timeout=10.0) as http:
            response = await http.post("/slack/events", content=command.body, headers=command.headers)
            unsigned = await http.post("/slack/events", content=command.body)

        status = await stopped(process, output, signal.SIGTERM)

    assert response.status_code == 200
    assert "REQ-1" in response.json()["text"]
    assert unsigned.status_code == 401
    # Uvicorn re-raises the SIGTERM it caught once it has shut down; pmbot's handler for it then
    # ends the process with 0, as process managers expect of a clean stop.
    assert status == 0, output.text
    assert "Traceback" not in output.text
    assert "Application shutdown complete" in output.text
    assert "Finished server process" in output.text
    assert "Ship it" not in output.text  # user text stays out of the log at INFO
    assert "Scheduler._guarded" not in output.text  # jobs have names, and their chatter is DEBUG
    with contextlib.closing(sqlite3.connect(tmp_path / "pmbot.db")) as stored:
        assert stored.execute("SELECT number, title FROM request").fetchall() == [(1, "Ship it")]


@pytest.mark.parametrize("args", [("--url", "https://x.example"), ("--socket-mode",)])
def test_manifest_link_decodes_back_to_the_printed_manifest(tmp_path: Path, args: tuple[str, ...]) -> None:
    result = run_pmbot(tmp_path, "manifest", "--link", *args)

    assert result.returncode == 0, result.stderr
    [link] = result.stdout.strip().splitlines()
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "api.slack.com", "/apps")
    query = parse_qs(parts.query)
    assert query["new_app"] == ["1"]
    assert json.loads(query["manifest_json"][0]) == manifest(tmp_path, *args)


@pytest.mark.parametrize("url", ["http://localhost:3000", "example.com", "https://", "ftp://x.example"])
def test_manifest_refuses_a_url_slack_cannot_call(tmp_path: Path, url: str) -> None:
    result = run_pmbot(tmp_path, "manifest", "--url", url)

    assert result.returncode == EXIT_CONFIG
    [line] = result.stderr.strip().splitlines()
    assert "https://" in line and "--socket-mode" in line and repr(url) in line
    assert result.stdout == ""
