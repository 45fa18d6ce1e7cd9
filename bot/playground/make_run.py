"""What `make run` starts: `pmbot serve` when Slack credentials are given, else the playground.

Credentials count as given when either variable is set (in the environment or `.env`): a token
that is set but wrong then reaches `serve`, which refuses it loudly, as a misconfigured
deployment should be refused. `pmbot serve` itself never falls back to the playground.
"""

from __future__ import annotations

import logging
import os
import sys

from dotenv import dotenv_values

from bot import cli
from bot.playground.run import Options, page_url, run

CREDENTIALS = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")
DEFAULT_PORT = 3000


def slack_credentials_given(env_file: str = ".env") -> bool:
    """True when a Slack credential is set in the environment or in the `.env` file."""
    from_file = dotenv_values(env_file) if os.path.exists(env_file) else {}
    return any(os.environ.get(name) or from_file.get(name) for name in CREDENTIALS)


def main() -> int:
    """Serve Slack, or say in one line that the playground runs instead, and run it."""
    if slack_credentials_given():
        return cli.main(["serve"])
    port = int(os.environ.get("PORT") or DEFAULT_PORT)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    intro = f"no Slack credentials: the playground is at {page_url(port)} — see README to connect to Slack"
    return run(Options(port=port, intro=intro))


if __name__ == "__main__":
    sys.exit(main())
