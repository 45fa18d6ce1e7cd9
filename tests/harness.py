"""pmbot under test: the real app over ASGI, the real slack_sdk client, a fake Slack on loopback."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from bot.app import create_app
from bot.config import Settings, load_settings
from bot.interactions.replies import NOTHING_HAPPENED, UNDER_WAY
from bot.interactions.sealing import SEAL_VERSION, seal
from bot.runtime import Services, build_services
from bot.views import ids
from bot.web import SlackWebApp
from storage import outbox
from tests.fakes import FakeSlack, SignedRequest, payloads
from tests.fakes.slack_api import RESPONSE_URL, Call, lacks_fallback_text

_filings = itertools.count()

SECRET = "test-signing-secret"
ALICE, BOB, CAROL, ADMIN = "U_ALICE", "U_BOB", "U_CAROL", "U_ADMIN"
DAVE = "U_DAVE"  # a second approver where a test needs only one (a lone approver could never pass their own)
INTAKE = "C_INTAKE"
TEAM = "T_TEST"
TEST_POSTS_PER_SECOND = 1000


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime.now(UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


@dataclass
class Harness:
    """Drives pmbot as Slack would, and waits for what it does."""

    fake: FakeSlack
    services: Services
    web: SlackWebApp
    http: httpx.AsyncClient
    clock: FakeClock
    _commits: asyncio.Condition = field(default_factory=asyncio.Condition)
    _commit_count: int = 0
    answers: list[dict[str, Any]] = field(default_factory=list)  # every JSON answer pmbot gave Slack

    async def send(self, request: SignedRequest) -> httpx.Response:
        """POST a signed request to /slack/events; an answer with a message must carry fallback text."""
        response = await self.http.post("/slack/events", content=request.body, headers=request.headers)
        self._check_answer_text(response)
        return response

    def _check_answer_text(self, response: httpx.Response) -> None:
        if not response.headers.get("content-type", "").startswith("application/json"):
            return
        body = response.json()
        if isinstance(body, dict):
            self.answers.append(body)
        if isinstance(body, dict) and body.get("blocks") and lacks_fallback_text(RESPONSE_URL, body):
            self.fake.textless.append(Call("ack", body, None, 0.0))

    async def command(self, text: str = "", *, user: str = ALICE, **fields: Any) -> httpx.Response:
        """Run `/request <text>` as `user`."""
        return await self.send(payloads.slash_command(SECRET, text=text, user_id=user, **fields))

    async def click(self, action_id: str, number: int, *, user: str, **fields: Any) -> httpx.Response:
        """Click an element of REQ-<number>'s card."""
        fields.setdefault(
            "value",
            str(number) if "selected_user" not in fields and "selected_option" not in fields else None,
        )
        return await self.send(
            payloads.block_action(
                SECRET,
                action_id=action_id,
                block_id=f"{ids.CARD_BLOCK_PREFIX}{number}",
                user_id=user,
                channel_id=INTAKE,
                response_url=self.fake.response_url(f"{action_id}-{user}"),
                **fields,
            )
        )

    async def submit(
        self, callback_id: str, values: dict[str, Any], *, user: str = ALICE, private_metadata: str = ""
    ) -> httpx.Response:
        """Submit a modal. Metadata pmbot sealed comes back as it is; metadata a test wrote by hand
        is sealed for `user` first, as pmbot would have sealed it when it opened the modal."""
        if private_metadata and not private_metadata.startswith(SEAL_VERSION + "."):
            private_metadata = seal(private_metadata, secret=SECRET, team_id=TEAM, user_id=user)
        return await self.send(
            payloads.view_submission(
                SECRET,
                callback_id=callback_id,
                values=values,
                user_id=user,
                private_metadata=private_metadata,
            )
        )

    async def set_intake(self, channel: str = INTAKE, triagers: list[str] | None = None) -> None:
        """Set the workspace's settings as an admin would through the settings modal."""
        values = {ids.INTAKE_CHANNEL: {ids.VALUE: payloads.conversations_select(channel)}}
        values[ids.TRIAGERS] = {ids.VALUE: payloads.multi_users_select(triagers or [])}
        # As an admin would: again if pmbot said nothing was saved (a busy machine's true answer).
        response = await self.submit_as_a_person(ids.SETTINGS_MODAL, values, user=ADMIN)
        assert response.status_code == 200 and response.text in ("", "{}"), response.text
        await self.fake.wait_for("chat.postMessage", where=lambda call: call.params.get("channel") == ADMIN)

    async def submit_as_a_person(
        self, callback_id: str, values: dict[str, Any], *, user: str = ALICE
    ) -> httpx.Response:
        """Submit a modal, and again (twice at most) if pmbot said nothing was saved, as a person would."""
        return await as_a_person(lambda: self.submit(callback_id, values, user=user))

    async def file(self, title: str, *, user: str = ALICE) -> int:
        """File a request with `/request <title>` as a person would; returns its number.

        On a starved machine pmbot may answer "under way" (the id follows on the response_url) or
        "nothing was saved" (the person tries again); either is a true answer, so both are followed.
        """
        for attempt in range(3):
            name = f"file-{user}-{next(_filings)}"
            response = await self.command(title, user=user, response_url=self.fake.response_url(name))
            said = response.json()["text"]
            if said == NOTHING_HAPPENED and attempt < 2:
                continue
            if said.startswith(UNDER_WAY[:40]):
                mine = lambda call, name=name: call.params["name"] == name  # noqa: E731
                [late] = await self.fake.wait_for("response_url", where=mine)
                said = late.params["text"]
            assert "Filed as" in said, said
            return int(said.split("*REQ-")[1].split("*")[0])
        raise AssertionError("unreachable")

    async def settled(self, timeout: float = 15.0) -> None:  # noqa: ASYNC109
        """Wait until every interaction's work is done (a click's goes on after its answer: on a
        busy machine the outbox could be empty before it began) and nothing in the outbox waits
        to reach Slack."""

        async def quiet() -> bool:
            async with self.services.db.read() as session:
                return await outbox.count_unfinished(session) == 0

        async with asyncio.timeout(timeout):
            await self.web.idle()
        await self.until(quiet, timeout=timeout)

    async def until(self, check: Callable[[], Awaitable[bool]], *, timeout: float = 15.0) -> None:  # noqa: ASYNC109
        """Wait for `check()` to hold, looking again after every commit (no sleeping)."""

        async def wait() -> None:
            while True:
                seen = self._commit_count
                if await check():
                    return
                async with self._commits:
                    await self._commits.wait_for(lambda seen=seen: self._commit_count > seen)

        await asyncio.wait_for(wait(), timeout)

    def notify_commit(self) -> None:
        """Called by the writer after every commit."""
        self._commit_count += 1

        async def wake() -> None:
            async with self._commits:
                self._commits.notify_all()

        asyncio.get_running_loop().create_task(wake())


def opened_metadata(view: dict[str, Any]) -> str:
    """The metadata inside the seal of a modal pmbot opened (the reader checks no seal here)."""
    return str(view.get("private_metadata") or "").split(".", 2)[-1]


async def as_a_person(send: Callable[[], Awaitable[httpx.Response]]) -> httpx.Response:
    """Send, and again (twice at most) if pmbot said nothing was saved: a busy machine's true
    answer, which a person meets by trying again. For the steps that set a scene up."""
    for _ in range(2):
        response = await send()
        if NOTHING_HAPPENED[:40] not in response.text:
            return response
    return await send()


def ephemeral_text(response: httpx.Response) -> str:
    """The text of an ack with a message body (text and section texts joined)."""
    body = response.json()
    parts = [body.get("text") or ""]
    parts += [block.get("text", {}).get("text", "") for block in body.get("blocks", [])]
    return "\n".join(part for part in parts if part)


def card_calls(fake: FakeSlack, number: int) -> list[Any]:
    """Every post or update of REQ-<number>'s card."""
    return [
        call
        for call in fake.calls
        if call.method in ("chat.postMessage", "chat.update")
        and not call.failed
        and json.dumps(call.params.get("blocks", ""), ensure_ascii=False).find(f"REQ-{number} ·") != -1
    ]


async def build_harness(
    fake: FakeSlack,
    database_url: str,
    clock: FakeClock | None = None,
    *,
    settings: Settings | None = None,
    notice_gather_seconds: float = 0,
    similar_vectors: bool = False,
) -> Harness:
    """Start pmbot's services against `database_url` and the fake Slack (with test settings by default;
    notices are not gathered unless a test asks, so each change's DM goes out at once)."""
    settings = settings or load_settings(
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=fake.base_url,
        DATABASE_URL=database_url,
        # Scenarios file dozens of requests at once; pacing has tests of its own (test_delivery_pace*).
        SLACK_CHANNEL_POSTS_PER_SECOND=TEST_POSTS_PER_SECOND,
        SLACK_WORKSPACE_RATE_FACTOR=TEST_POSTS_PER_SECOND,
        NOTICE_GATHER_SECONDS=notice_gather_seconds,
        # Sentence vectors (the `similar` extra) have scenarios of their own (test_similar_vectors*).
        SIMILAR_VECTORS=similar_vectors,
    )
    clock = clock or FakeClock()
    services = build_services(settings, clock=clock)
    web = SlackWebApp(create_app(services), services)
    await services.start()
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url="http://pmbot.test")
    harness = Harness(fake=fake, services=services, web=web, http=http, clock=clock)
    services.writer.on_commit(harness.notify_commit, including_quiet=True)
    return harness
