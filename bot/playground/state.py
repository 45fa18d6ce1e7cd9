"""What the Slack stand-in holds: messages, ephemerals, views (modal stacks, Home tabs), response URLs.

Saved as JSON in the playground's folder after every change, so a restart finds the cards that
pmbot's database points at. Every change bumps `version` and wakes the page's live updates.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bot.playground import sample

MAX_VIEW_STACK = 3  # Slack stacks at most three modals
# Slack's trigger_ids last 3 s and response_urls 30 min; the playground forgets what is older than
# this (it does not enforce the 3 s: a busy machine would make that flaky, not instructive).
FORGET_AFTER_SECONDS = 30 * 60


@dataclass
class Message:
    """One message as the page shows it; `only_for` marks an ephemeral ("Only visible to you")."""

    channel: str
    ts: str
    user: str
    text: str = ""
    blocks: list[dict[str, Any]] = field(default_factory=list)
    thread_ts: str | None = None
    edited: bool = False
    only_for: str | None = None
    metadata: dict[str, Any] | None = None

    def for_slack(self) -> dict[str, Any]:
        """The message as Slack puts it in payloads and API answers."""
        message: dict[str, Any] = {"type": "message", "user": self.user, "text": self.text, "ts": self.ts}
        message["team"] = sample.TEAM_ID
        if self.user == sample.BOT_USER_ID:
            message.update(bot_id=sample.BOT_ID, app_id=sample.APP_ID)
        if self.blocks:
            message["blocks"] = self.blocks
        if self.thread_ts:
            message["thread_ts"] = self.thread_ts
        return message


@dataclass
class ResponseTarget:
    """Where a response_url's answers go: the person who acted, and the message they acted on."""

    user: str
    channel: str
    message_ts: str | None
    uses: int = 0
    at: float = field(default_factory=time.monotonic)


@dataclass
class PlaygroundState:
    """The workspace's changing contents."""

    messages: list[Message] = field(default_factory=list)
    views: dict[str, dict[str, Any]] = field(default_factory=dict)
    stacks: dict[str, list[str]] = field(default_factory=dict)  # user → modal view ids, bottom first
    homes: dict[str, str] = field(default_factory=dict)  # user → Home tab view id
    triggers: dict[str, tuple[str, float]] = field(default_factory=dict)  # trigger_id → (user, when)
    responses: dict[str, ResponseTarget] = field(default_factory=dict)  # response_url token → target
    version: int = 0
    _path: Path | None = None
    _changed: asyncio.Condition | None = None
    _serial: itertools.count = field(default_factory=lambda: itertools.count(1))
    _last_ts: float = 0.0

    @classmethod
    def load(cls, path: Path | None) -> PlaygroundState:
        """The state saved at `path`, or an empty workspace."""
        state = cls()
        if path is not None and path.exists():
            saved = json.loads(path.read_text())
            state.messages = [Message(**m) for m in saved.get("messages", [])]
            state.views = saved.get("views", {})
            state.stacks = saved.get("stacks", {})
            state.homes = saved.get("homes", {})
            state._last_ts = max((float(m.ts) for m in state.messages), default=0.0)
        state._path = path
        return state

    def changed(self) -> None:
        """Save, and wake whoever waits for a change (the page's event stream)."""
        self.version += 1
        if self._path is not None:
            saved = {"messages": [asdict(m) for m in self.messages], "views": self.views}
            saved.update(stacks=self.stacks, homes=self.homes)
            self._path.write_text(json.dumps(saved))
        if self._changed is not None:
            condition = self._changed

            async def wake() -> None:
                async with condition:
                    condition.notify_all()

            asyncio.get_running_loop().create_task(wake())

    async def wait_past(self, version: int) -> int:
        """Wait until the state is newer than `version`; return the new version."""
        if self._changed is None:
            self._changed = asyncio.Condition()
        async with self._changed:
            await self._changed.wait_for(lambda: self.version > version)
        return self.version

    # --- ids Slack hands out -------------------------------------------------------------

    def next_ts(self) -> str:
        """A message timestamp: the time now, always later than the previous one."""
        self._last_ts = max(time.time(), self._last_ts + 0.000001)
        return f"{self._last_ts:.6f}"

    def new_view_id(self) -> str:
        """A view id shaped like Slack's."""
        return f"V{int(time.time())}{next(self._serial):04d}"

    def new_trigger(self, user: str) -> str:
        """A trigger_id for one action of `user`; views.open finds the person by it."""
        self._forget_old()
        trigger = f"{int(time.time())}.{next(self._serial)}.{secrets.token_hex(8)}"
        self.triggers[trigger] = (user, time.monotonic())
        return trigger

    def use_trigger(self, trigger_id: str) -> str | None:
        """The person a trigger_id was handed to; each one opens one view."""
        found = self.triggers.pop(trigger_id, None)
        return found[0] if found else None

    def _forget_old(self) -> None:
        oldest = time.monotonic() - FORGET_AFTER_SECONDS
        self.triggers = {t: held for t, held in self.triggers.items() if held[1] >= oldest}
        self.responses = {t: target for t, target in self.responses.items() if target.at >= oldest}

    def new_response_target(self, user: str, channel: str, message_ts: str | None) -> str:
        """A response_url token for answers to an action on `message_ts` (or to a command)."""
        token = secrets.token_urlsafe(12)
        self.responses[token] = ResponseTarget(user, channel, message_ts)
        return token

    # --- reading -------------------------------------------------------------------------

    def find(self, channel: str, ts: str) -> Message | None:
        """The message, if it is still there."""
        return next((m for m in self.messages if m.channel == channel and m.ts == ts), None)

    def visible_to(self, user: str) -> list[Message]:
        """Every message the person can see: channels, their own DM with the app, their ephemerals."""
        own_dm = sample.dm_channel(user)
        return [
            m
            for m in self.messages
            if (m.only_for in (None, user)) and (not m.channel.startswith("D") or m.channel == own_dm)
        ]

    def stack_of(self, user: str) -> list[dict[str, Any]]:
        """The person's open modals, bottom first."""
        return [self.views[view_id] for view_id in self.stacks.get(user, []) if view_id in self.views]

    def home_of(self, user: str) -> dict[str, Any] | None:
        """The Home tab pmbot published for the person, if any."""
        view_id = self.homes.get(user)
        return self.views.get(view_id) if view_id else None

    def owner_of_view(self, view_id: str) -> str | None:
        """Whose modal stack or Home tab holds the view."""
        for user, stack in self.stacks.items():
            if view_id in stack:
                return user
        return next((user for user, home in self.homes.items() if home == view_id), None)
