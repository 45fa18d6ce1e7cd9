"""`pmbot playground`'s folder: seeded once, kept across restarts, `--empty` and `--reset`."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from bot.playground import sample
from tests.playground_process import playground

ME = sample.STAKEHOLDER.id
DEADLINE_SECONDS = 30.0


def texts_in(url: str, channel: str) -> list[str]:
    state = httpx.get(f"{url}ui/state", params={"as": ME}, timeout=10).json()
    return [m["text"] for m in state["messages"] if m["channel"] == channel]


def cards_once_delivered(url: str, count: int) -> list[str]:
    """The intake channel's cards once `count` arrived (pmbot posts them through its outbox)."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while len(cards := texts_in(url, sample.PRODUCT_REQUESTS)) < count:
        assert time.monotonic() < deadline, f"only {cards} arrived"
        time.sleep(0.05)
    return cards


def test_empty_then_restart_keeps_what_was_said_and_reset_brings_the_example(tmp_path: Path) -> None:
    with playground(tmp_path, "--empty") as started:
        assert texts_in(started.url, sample.PRODUCT_REQUESTS) == []
        said = {"as": ME, "channel": sample.GENERAL, "text": "Hello <everyone> & welcome"}
        httpx.post(f"{started.url}ui/message", json=said, timeout=10).raise_for_status()
    with playground(tmp_path) as restarted:
        assert texts_in(restarted.url, sample.GENERAL) == ["Hello &lt;everyone&gt; &amp; welcome"]
        assert texts_in(restarted.url, sample.PRODUCT_REQUESTS) == []
    with playground(tmp_path, "--reset") as reset:
        assert texts_in(reset.url, sample.GENERAL) != ["Hello &lt;everyone&gt; &amp; welcome"]
        cards = cards_once_delivered(reset.url, 3)
        assert [card.split(":")[0] for card in cards] == ["REQ-1", "REQ-2", "REQ-3"]
