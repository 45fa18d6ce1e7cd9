"""The sample workspace: its people (with roles one person can switch between) and its channels."""

from __future__ import annotations

from dataclasses import dataclass

TEAM_ID = "T0PLAYGROUND"
TEAM_DOMAIN = "pmbot-playground"
TEAM_NAME = "Acme (playground)"
APP_ID = "A0PMBOT"
BOT_USER_ID = "U0PMBOT"
BOT_ID = "B0PMBOT"
BOT_TOKEN = "xoxb-playground-not-a-real-token"

GENERAL = "C0GENERAL"
PRODUCT_REQUESTS = "C0REQUESTS"


@dataclass(frozen=True)
class Person:
    """Someone in the sample workspace; `role` is how the "who am I" switch names them."""

    id: str
    name: str
    handle: str
    tz: str
    role: str
    is_admin: bool = False

    @property
    def initials(self) -> str:
        """What their avatar shows."""
        return "".join(part[0] for part in self.name.split()[:2]).upper()


PEOPLE = (
    Person("U0MAYA", "Maya Okafor", "maya", "Europe/London", "admin", is_admin=True),
    Person("U0SAM", "Sam Rivera", "sam", "America/New_York", "stakeholder"),
    Person("U0PRIYA", "Priya Shah", "priya", "Asia/Kolkata", "approver"),
    Person("U0LEO", "Leo Brandt", "leo", "Europe/Berlin", "engineer"),
)
ADMIN, STAKEHOLDER, APPROVER, ENGINEER = PEOPLE
FIRST_VIEWER = STAKEHOLDER

CHANNELS = {GENERAL: "general", PRODUCT_REQUESTS: "product-requests"}


def person(user_id: str) -> Person | None:
    """The person with that id, if they are in the sample workspace."""
    return next((p for p in PEOPLE if p.id == user_id), None)


def dm_channel(user_id: str) -> str:
    """The id of the app's direct-message channel with a person (what Slack opens on a post to them)."""
    return "D" + user_id.removeprefix("U")


def dm_owner(channel_id: str) -> str | None:
    """The person whose DM with the app this channel is, or None for a channel."""
    if not channel_id.startswith("D"):
        return None
    return "U" + channel_id.removeprefix("D")
