"""Every Block Kit type pmbot emits has a drawing on the playground page.

Two lists of what pmbot emits, compared with `BlockKit.SUPPORTED` as the page itself reports it:
- every slack_sdk block, element and text class that pmbot's views and listeners use (from source);
- every `type` in what pmbot actually sent the playground's stand-in over the seeded example, after
  the commands, modals and Home tabs a person opens.
"""

from __future__ import annotations

import ast
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import slack_sdk.models.blocks as models
from playwright.sync_api import Page, sync_playwright

from bot.playground import sample
from tests.playground_process import CHROMIUM, CHROMIUM_ARGS, Playground, playground

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [*(ROOT / "bot" / "views").rglob("*.py"), *(ROOT / "handlers").rglob("*.py")]
SURFACES_DEADLINE_SECONDS = 30.0

# What a person does to see most of pmbot's surfaces: (who, channel, what they type).
ADMIN, STAKEHOLDER = sample.ADMIN.id, sample.STAKEHOLDER.id
COMMANDS = [
    (STAKEHOLDER, sample.PRODUCT_REQUESTS, "/request list all"),
    (STAKEHOLDER, sample.PRODUCT_REQUESTS, "/request REQ-2"),
    (STAKEHOLDER, sample.GENERAL, "/roadmap"),
    (STAKEHOLDER, sample.GENERAL, "/roadmap pending"),
    (STAKEHOLDER, sample.GENERAL, "/launch list"),
    (STAKEHOLDER, sample.GENERAL, "/launch LCH-1"),
    (STAKEHOLDER, sample.GENERAL, "/digest preview"),
    (STAKEHOLDER, sample.GENERAL, "/request"),
    (STAKEHOLDER, sample.GENERAL, "/roadmap propose"),
    (STAKEHOLDER, sample.GENERAL, "/launch new"),
    (STAKEHOLDER, sample.GENERAL, "/digest subscribe"),
    (ADMIN, sample.GENERAL, "/request settings"),
    (ADMIN, sample.GENERAL, "/roadmap settings"),
    (ADMIN, sample.GENERAL, "/launch templates"),
]


def types_in_source() -> dict[str, str]:
    """{Block Kit type: the slack_sdk class pmbot's code names} for every block, element and text."""
    found: dict[str, str] = {}
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("slack_sdk.models"):
                for alias in node.names:
                    kind = getattr(getattr(models, alias.name, None), "type", None)
                    if isinstance(kind, str):
                        found[kind] = alias.name
    return found


def types_in(value: Any) -> Iterator[str]:
    """Every `type` inside blocks, views and their elements."""
    if isinstance(value, dict):
        if isinstance(value.get("type"), str):
            yield value["type"]
        for key, inner in value.items():
            if key != "state":  # what a person typed, not what pmbot sent
                yield from types_in(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from types_in(inner)


def surfaces_after(running: Playground) -> list[dict[str, Any]]:
    """Run the commands and open every Home tab; return what each answer showed, and every Home tab."""
    seen: list[dict[str, Any]] = []
    with httpx.Client(base_url=running.url, timeout=10) as http:
        for who, channel, text in COMMANDS:
            before = _shown(http.get("/ui/state", params={"as": who}).json())
            http.post("/ui/message", json={"as": who, "channel": channel, "text": text}).raise_for_status()
            seen.append(_something_new(http, who, before, text))
        for person in sample.PEOPLE:
            http.post("/ui/home", json={"as": person.id, "tab": "home"}).raise_for_status()
            seen.append(_something_new(http, person.id, set(), "the Home tab", home=True))
    return seen


def _shown(state: dict[str, Any]) -> set[str]:
    """Ids of the messages and modals the person sees now."""
    return {m["ts"] for m in state["messages"]} | {v["id"] for v in state["modals"]}


def _something_new(
    http: httpx.Client, who: str, before: set[str], what: str, *, home: bool = False
) -> dict[str, Any]:
    """The person's state once a new message or modal (or their Home tab) is there."""
    deadline = time.monotonic() + SURFACES_DEADLINE_SECONDS
    while time.monotonic() < deadline:
        state = http.get("/ui/state", params={"as": who}).json()
        if state["home"] if home else _shown(state) - before:
            return state
        time.sleep(0.05)
    raise AssertionError(f"nothing answered {what} for {who} within {SURFACES_DEADLINE_SECONDS} s")


@pytest.fixture(scope="module")
def page(running: Playground) -> Iterator[Page]:
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        opened = browser.new_page()
        opened.goto(running.url)
        yield opened
        browser.close()


def supported(page: Page) -> set[str]:
    """What the page's renderer says it draws (BlockKit.SUPPORTED), read in the browser."""
    listed = page.evaluate("BlockKit.SUPPORTED")
    return {kind for kinds in listed.values() for kind in kinds}


def mrkdwn_in_page(page: Page, text: str, tz: str) -> str:
    """The HTML the page makes of Slack mrkdwn, for a viewer in `tz`."""
    script = """([text, tz, people]) => Mrkdwn.mrkdwn(text, {
        tz, workspaceUrl: "https://pmbot-playground.slack.com/",
        person: (id) => people[id], channel: (id) => ({C0GENERAL: {name: "general"}})[id] })"""
    people = {p.id: {"name": p.name} for p in sample.PEOPLE}
    return page.evaluate(script, [text, tz, people])


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Playground]:
    with playground(tmp_path_factory.mktemp("playground")) as started:
        yield started


def test_every_type_pmbots_code_builds_is_drawn(page):
    used = types_in_source()
    assert {"section", "actions", "input", "button", "checkboxes", "datepicker"} <= set(used)
    missing = {kind: name for kind, name in used.items() if kind not in supported(page)}
    assert missing == {}, f"the playground cannot draw {missing}"


def test_every_type_pmbot_sent_over_the_example_is_drawn(running, page):
    states = surfaces_after(running)
    sent: set[str] = set()
    for state in states:
        for message in state["messages"]:
            sent.update(types_in(message.get("blocks") or []))
        for view in [state["home"], *state["modals"]]:
            if view:
                sent.update(types_in(view["blocks"]))
    assert {"header", "section", "actions", "context", "input", "static_select", "checkboxes"} <= sent
    assert {"external_select", "multi_users_select", "datepicker", "timepicker"} <= sent
    assert sent - supported(page) == set(), f"the playground cannot draw {sent - supported(page)}"


def test_mrkdwn_is_drawn_as_slack_draws_it_and_never_as_html(page):
    link = "<https://example.com/a?b=1&amp;c=2|the spec>"
    html = mrkdwn_in_page(page, f"*REQ-2* _soon_ ~old~ `/request` {link} <@U0SAM> <#C0GENERAL>", "UTC")
    assert "<b>REQ-2</b> <i>soon</i> <s>old</s> <code>/request</code>" in html
    assert '<a href="https://example.com/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer">' in html
    assert ">the spec</a>" in html and ">@Sam Rivera</span>" in html and ">#general</a>" in html
    hostile = "&lt;script&gt;alert(1)&lt;/script&gt; &amp; <javascript:alert(1)|x>"
    escaped = mrkdwn_in_page(page, hostile, "UTC")
    assert "<script" not in escaped and 'href="javascript' not in escaped
    assert escaped.startswith("&lt;script&gt;alert(1)&lt;/script&gt; &amp; ")


def test_a_date_token_shows_in_the_viewers_own_timezone(page):
    token = "<!date^1767225600^{date_short_pretty} at {time}|2026-01-01 00:00 UTC>"  # 2026-01-01 00:00 UTC
    assert "Jan 1, 2026 at 12:00 AM" in mrkdwn_in_page(page, token, "UTC")
    assert "Dec 31, 2025 at 7:00 PM" in mrkdwn_in_page(page, token, "America/New_York")
    assert "Jan 1, 2026 at 5:30 AM" in mrkdwn_in_page(page, token, "Asia/Kolkata")
