"""`pmbot serve --socket-mode` as a real process: it connects, answers, reconnects and stops cleanly."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import httpx

from tests.fakes import FakeSlack, payloads
from tests.serve_process import SERVE_DEADLINE, free_port, serving, stopped, wait_until_answering
from tests.test_config_cli import GOOD, SECRET

METRICS_TOKEN = "socket-metrics-token-0123456789"


def env(folder: Path, fake: FakeSlack, port: int) -> dict[str, str]:
    return {
        **GOOD,
        "SLACK_APP_TOKEN": "xapp-cli-test",
        "SLACK_API_URL": fake.base_url,
        "DATABASE_URL": f"sqlite:///{folder / 'pmbot.db'}",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "METRICS_TOKEN": METRICS_TOKEN,
    }


def help_text(ack: dict) -> str:
    return json.dumps(ack.get("payload", {}))


async def test_socket_mode_connects_answers_reconnects_and_stops_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    async with (
        FakeSlack() as fake,
        serving(tmp_path, "--socket-mode", **env(tmp_path, fake, port)) as (
            process,
            output,
        ),
    ):
        await fake.wait_for_socket(SERVE_DEADLINE)
        await wait_until_answering(base, "/readyz", process, output)
        command = payloads.slash_command(SECRET, text="help")

        first = await fake.socket_send(command.kind, command.payload)
        await fake.socket_disconnect()  # Slack's "disconnect": the client must open a new connection
        second = await fake.socket_send(command.kind, command.payload)
        async with httpx.AsyncClient(base_url=base, timeout=5.0) as http:
            ready = (await http.get("/readyz")).json()
            scraped = (await http.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})).text

        status = await stopped(process, output, signal.SIGTERM)

    assert "/request" in help_text(first) and "pmbot requests" in help_text(first)
    assert help_text(second) == help_text(first)
    opened = [call for call in fake.calls_to("apps.connections.open") if not call.failed]
    assert {call.token for call in opened} == {"xapp-cli-test"}
    assert len(opened) >= 3  # the start-up check, the first connection, the one after "disconnect"
    assert ready["checks"]["socket_mode"] == "ok"
    assert 'pmbot_slack_answers_total{kind="command",route="socket"} 2.0' in scraped
    assert status == 0, output.text
    assert "Traceback" not in output.text
    assert " ERROR " not in output.text
    assert "Application shutdown complete" in output.text
