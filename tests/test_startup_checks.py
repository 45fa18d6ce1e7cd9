"""What `pmbot serve` checks before it listens: the settings, Slack's word on the tokens, the data folder."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import httpx

import bot
from bot.config import SETTINGS_HINT, WHERE_TO_GET
from tests.fakes import FakeSlack
from tests.serve_process import clean_env, free_port, serving, stopped, wait_until_answering
from tests.test_config_cli import EXIT_CONFIG, GOOD, run_pmbot, run_pmbot_async, serve_env

NOBODY = 65534


def test_no_settings_at_all_lists_every_missing_one_and_where_to_start(tmp_path: Path) -> None:
    result = run_pmbot(tmp_path, "serve")

    assert result.returncode == EXIT_CONFIG
    assert result.stderr.strip().splitlines() == [
        f"pmbot: SLACK_BOT_TOKEN is not set: {WHERE_TO_GET['SLACK_BOT_TOKEN']}",
        f"pmbot: SLACK_SIGNING_SECRET is not set: {WHERE_TO_GET['SLACK_SIGNING_SECRET']}",
        f"pmbot: {SETTINGS_HINT}",
    ]
    assert ".env" in SETTINGS_HINT and "pmbot manifest --link" in SETTINGS_HINT
    assert not (tmp_path / "pmbot.db").exists()


def test_several_bad_settings_are_named_together(tmp_path: Path) -> None:
    result = run_pmbot(
        tmp_path, "serve", "--socket-mode", SLACK_SIGNING_SECRET="s", PORT="abc", LOG_FORMAT="xml"
    )

    named = [line.split()[1] for line in result.stderr.strip().splitlines()[:-1]]
    assert result.returncode == EXIT_CONFIG
    assert sorted(named) == ["LOG_FORMAT", "PORT", "SLACK_APP_TOKEN", "SLACK_BOT_TOKEN"]


def test_quoted_values_read_as_a_dotenv_reader_reads_them(tmp_path: Path) -> None:
    # `docker run --env-file` passes NAME="value" with its quotes; pmbot drops them as .env readers do.
    quoted = {"SLACK_BOT_TOKEN": '"xoxb-quoted"', "SLACK_SIGNING_SECRET": "'quoted-secret'"}
    result = run_pmbot(tmp_path, "serve", **quoted, SLACK_API_URL="http://127.0.0.1:9/api/", PORT="0x")

    assert [line.split()[1] for line in result.stderr.strip().splitlines()[:-1]] == ["PORT"]


async def test_an_invalid_token_stops_start_up_with_one_line(tmp_path: Path) -> None:
    async with FakeSlack() as fake:
        fake.refused_tokens.add(GOOD["SLACK_BOT_TOKEN"])
        status, _, err = await run_pmbot_async(tmp_path, "serve", **serve_env(tmp_path, fake, free_port()))

    assert status == EXIT_CONFIG, err
    assert err.strip().splitlines() == [
        f"pmbot: SLACK_BOT_TOKEN was refused by Slack (invalid_auth): copy it again from "
        f"{WHERE_TO_GET['SLACK_BOT_TOKEN']}"
    ]
    assert GOOD["SLACK_BOT_TOKEN"] not in err
    assert not (tmp_path / "pmbot.db").exists()


async def test_an_invalid_app_token_stops_socket_mode_with_one_line(tmp_path: Path) -> None:
    async with FakeSlack() as fake:
        fake.refused_tokens.add("xapp-refused")
        env = serve_env(tmp_path, fake, free_port(), SLACK_APP_TOKEN="xapp-refused")
        status, _, err = await run_pmbot_async(tmp_path, "serve", "--socket-mode", **env)

    assert status == EXIT_CONFIG, err
    # (after the bot token's INFO line) one line, and no traceback
    refused = "pmbot: SLACK_APP_TOKEN was refused by Slack (invalid_auth)"
    assert err.strip().splitlines()[-1].startswith(refused)
    assert "Traceback" not in err and "xapp-refused" not in err


async def test_missing_scopes_are_named_and_a_slack_outage_is_only_a_warning(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    async with FakeSlack() as fake:
        fake.granted_scopes = ["commands", "chat:write"]
        fake.fail_next("auth.test", status=503)  # Slack down at start: the retry comes later
        async with serving(tmp_path, **serve_env(tmp_path, fake, port)) as (process, output):
            await wait_until_answering(base, "/readyz", process, output, status=503)
            async with httpx.AsyncClient(base_url=base, timeout=5.0) as http:
                waiting = (await http.get("/readyz")).json()
                await fake.wait_for("auth.test", 2, timeout=30)
                await wait_until_answering(base, "/readyz", process, output)
            status = await stopped(process, output, signal.SIGTERM)

    assert waiting["checks"]["slack_token"].startswith("unknown")
    assert waiting["checks"]["database_read"] == waiting["checks"]["database_write"] == "ok"
    warnings = [line for line in output.lines if " WARNING " in line]
    assert any("Slack did not answer auth.test" in line for line in warnings), output.text
    assert any("asks for (users:read, usergroups:read" in line for line in warnings), output.text
    assert status == 0 and "Traceback" not in output.text


def as_nobody(folder: Path, *args: str, **variables: str) -> subprocess.CompletedProcess[str]:
    """Run `python -m bot.cli args…` as uid 65534 with this checkout and its dependencies on the path.

    The test's own interpreter may sit where that user cannot reach (under /root); the system's
    Python of the same version, given our site-packages, runs the same code.
    """
    path = os.pathsep.join([sysconfig.get_paths()["purelib"], str(Path(bot.__file__).parent.parent)])
    for python in (sys.executable, "/usr/bin/python3"):
        env = clean_env(folder, PYTHONPATH=path, **variables)
        try:
            probe = subprocess.run(
                [python, "-c", "import sys, bot.cli; print(sys.version_info[:2])"],
                cwd=folder, env=env, user=NOBODY, capture_output=True, text=True, check=False,
            )  # fmt: skip
        except PermissionError:
            continue
        if probe.returncode == 0 and probe.stdout.strip() == str(sys.version_info[:2]):
            return subprocess.run(
                [python, "-m", "bot.cli", *args],
                cwd=folder, env=env, user=NOBODY, capture_output=True, text=True, timeout=60, check=False,
            )  # fmt: skip
    raise AssertionError(f"no Python {sys.version_info[:2]} that uid {NOBODY} may run pmbot with")


def test_a_data_folder_it_cannot_write_is_named_with_the_uid() -> None:
    assert os.getuid() == 0, "the test runs pmbot as another user, which needs root (as the tests run here)"
    top = Path(tempfile.mkdtemp(prefix="pmbot-uid-"))  # pytest's tmp_path is closed to other users
    try:
        top.chmod(0o777)  # pmbot may start here; only the data folder is closed to it
        data = top / "data"
        data.mkdir(mode=0o755)
        result = as_nobody(top, "serve", **GOOD, DATABASE_URL=f"sqlite:///{data / 'pmbot.db'}")
    finally:
        shutil.rmtree(top)

    assert result.returncode == EXIT_CONFIG, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert f"{data} is not writable by this process (uid {NOBODY})" in line
    assert "chown 10001" in line
