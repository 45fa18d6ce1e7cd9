"""Test doubles for pmbot: a fake Slack on loopback and signed payloads shaped as Slack sends them."""

from . import payloads, state_values
from .payloads import SignedRequest, sign
from .slack_api import Call, FakeSlack
from .workspace import APP_ID, BOT_ID, BOT_USER_ID, TEAM_DOMAIN, TEAM_ID

__all__ = [
    "APP_ID",
    "BOT_ID",
    "BOT_USER_ID",
    "TEAM_DOMAIN",
    "TEAM_ID",
    "Call",
    "FakeSlack",
    "SignedRequest",
    "payloads",
    "sign",
    "state_values",
]
