"""`make run` without Slack credentials starts the playground and says so in one line."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import httpx

from bot.playground.make_run import slack_credentials_given
from tests.playground_process import cpu_seconds, free_port, running_until_ready

NO_CREDENTIALS = (
    "no Slack credentials: the playground is at http://127.0.0.1:{port}/ — see README to connect to Slack"
)


def test_without_credentials_make_run_starts_the_playground_and_says_so(tmp_path: Path) -> None:
    port = free_port()
    line = NO_CREDENTIALS.format(port=port)
    command = [sys.executable, "-m", "bot.playground.make_run"]
    with running_until_ready(tmp_path, command, port, line) as started:
        page = httpx.get(started.url, timeout=10)
        assert page.status_code == 200 and "pmbot playground" in page.text
        assert [text.rstrip("\n") for text in started.output].count(line) == 1  # said once, on one line
    assert (tmp_path / ".playground" / "pmbot.db").exists()


def test_a_credential_in_dotenv_or_the_environment_means_serve(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"):
        monkeypatch.delenv(name, raising=False)
    assert not slack_credentials_given()
    (tmp_path / ".env").write_text("SLACK_SIGNING_SECRET=from-the-file\n")
    assert slack_credentials_given()
    (tmp_path / ".env").unlink()
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-set-but-maybe-wrong")
    assert slack_credentials_given()


IDLE_SETTLE_SECONDS = 2.0  # the example's first deliveries finish
IDLE_WINDOW_SECONDS = 4.0
IDLE_CPU_SHARE = 0.05  # idle means waiting on timers, not polling: a busy loop takes a whole core


def test_an_idle_playground_uses_almost_no_cpu(tmp_path: Path) -> None:
    port = free_port()
    command = [sys.executable, "-m", "bot.playground.make_run"]
    with running_until_ready(tmp_path, command, port, NO_CREDENTIALS.format(port=port)) as started:
        time.sleep(IDLE_SETTLE_SECONDS)
        before = cpu_seconds(started.process.pid)
        time.sleep(IDLE_WINDOW_SECONDS)
        used = cpu_seconds(started.process.pid) - before
    assert used < IDLE_CPU_SHARE * IDLE_WINDOW_SECONDS, f"{used:.2f} s of CPU in {IDLE_WINDOW_SECONDS} s idle"
