"""What Slack knows of a user (admin flags, timezone), cached for a few minutes."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.deliveries.slack_errors import code_of
from bot.errors import SlackUnavailable

CACHE_SECONDS = 300


@dataclass(frozen=True)
class UserGroup:
    """A user group as a person picks it: its name and @handle."""

    id: str
    name: str
    handle: str


@dataclass(frozen=True)
class SlackUser:
    """The fields of Slack's user object that pmbot uses."""

    id: str
    is_admin: bool
    is_owner: bool
    tz: str
    name: str = ""


class SlackDirectory:
    """Looks users up with `users.info` (scope users:read)."""

    def __init__(self, client: AsyncWebClient, *, cache_seconds: float = CACHE_SECONDS) -> None:
        self._client = client
        self._cache_seconds = cache_seconds
        self._cache: dict[tuple[str, str], tuple[float, SlackUser]] = {}
        self._groups: dict[tuple[str, str], tuple[float, list[str]]] = {}
        self._group_list: dict[str, tuple[float, list[UserGroup]]] = {}

    async def get_user(self, team_id: str, user_id: str) -> SlackUser | None:
        """The user, or None if Slack does not know them."""
        cached = self._cache.get((team_id, user_id))
        if cached and cached[0] > time.monotonic():
            return cached[1]
        try:
            response = await self._client.users_info(user=user_id)
        except SlackApiError as error:
            if code_of(error) == "user_not_found":
                return None
            raise
        raw = response["user"]
        user = SlackUser(
            id=user_id,
            is_admin=bool(raw.get("is_admin")),
            is_owner=bool(raw.get("is_owner")),
            tz=raw.get("tz") or "UTC",
            name=_shown_name(raw),
        )
        self._cache[(team_id, user_id)] = (time.monotonic() + self._cache_seconds, user)
        return user

    async def names(self, team_id: str, user_ids: Iterable[str]) -> dict[str, str]:
        """Each known person's name as Slack shows it, for plain_text where a mention cannot render.

        Cached like the rest; a person Slack does not know, or cannot say now, is left out."""
        found: dict[str, str] = {}
        for user_id in dict.fromkeys(user_ids):
            try:
                user = await self.get_user(team_id, user_id)
            except (SlackApiError, aiohttp.ClientError, TimeoutError):
                continue
            if user and user.name:
                found[user_id] = user.name
        return found

    async def usergroups(self, team_id: str) -> list[UserGroup]:
        """The workspace's user groups (`usergroups.list`, scope usergroups:read), cached like users."""
        cached = self._group_list.get(team_id)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        response = await self._client.usergroups_list()
        groups = [
            UserGroup(str(raw["id"]), str(raw.get("name") or raw["id"]), str(raw.get("handle") or ""))
            for raw in response.get("usergroups") or []
        ]
        self._group_list[team_id] = (time.monotonic() + self._cache_seconds, groups)
        return groups

    async def usergroup_member_ids(self, team_id: str, group_id: str) -> list[str]:
        """Members of a user group (scope usergroups:read), cached like users."""
        cached = self._groups.get((team_id, group_id))
        if cached and cached[0] > time.monotonic():
            return cached[1]
        response = await self._client.usergroups_users_list(usergroup=group_id)
        members = list(response.get("users") or [])
        self._groups[(team_id, group_id)] = (time.monotonic() + self._cache_seconds, members)
        return members

    async def timezone(self, team_id: str, user_id: str) -> str:
        """The user's IANA timezone as Slack reports it; UTC if Slack does not know them.

        Raises SlackUnavailable when Slack does not answer, so a caller without Slack imports can
        fall back on what it knew.
        """
        try:
            user = await self.get_user(team_id, user_id)
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as error:
            raise SlackUnavailable(f"Slack did not say {user_id}'s timezone ({error}).") from error
        return user.tz if user else "UTC"

    async def is_workspace_admin(self, team_id: str, user_id: str) -> bool:
        """True for workspace admins and owners."""
        user = await self.get_user(team_id, user_id)
        return bool(user and (user.is_admin or user.is_owner))


def _shown_name(raw: dict[str, Any]) -> str:
    profile = raw.get("profile") or {}
    shown = profile.get("display_name") or profile.get("real_name") or raw.get("real_name") or raw.get("name")
    return str(shown or "")
