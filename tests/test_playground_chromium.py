"""The browser tests' Chromium: a launch that fails says why, at once, instead of after Playwright's 180 s."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.playground_process import ChromiumDidNotStart, launch_chromium

SHORT_WAIT_MS = 2_000


def stand_in(folder: Path, script: str) -> str:
    """An executable in place of Chromium that runs `script`."""
    path = folder / "chromium"
    path.write_text(f"#!/bin/sh\n{script}\n")
    path.chmod(0o755)
    return str(path)


def test_a_browser_that_exits_says_what_it_printed(tmp_path: Path) -> None:
    broken = stand_in(tmp_path, 'echo "error while loading shared libraries: libnss3.so" >&2; exit 127')
    with sync_playwright() as driver, pytest.raises(ChromiumDidNotStart) as failed:
        launch_chromium(driver, broken, timeout_ms=SHORT_WAIT_MS)
    assert str(failed.value) == (
        f"{broken} did not start within 2 s; it printed: error while loading shared libraries: libnss3.so"
    )


def test_a_browser_that_hangs_fails_within_the_wait(tmp_path: Path) -> None:
    hung = stand_in(tmp_path, "exec sleep 600")
    started = time.monotonic()
    with sync_playwright() as driver, pytest.raises(ChromiumDidNotStart) as failed:
        launch_chromium(driver, hung, timeout_ms=SHORT_WAIT_MS)
    assert time.monotonic() - started < 30, "bounded by the wait given, not Playwright's 180 s"
    assert str(failed.value) == f"{hung} did not start within 2 s; it printed: nothing"


def test_a_missing_browser_says_how_to_install_it(tmp_path: Path) -> None:
    with sync_playwright() as driver, pytest.raises(ChromiumDidNotStart, match="apt-get install -y chromium"):
        launch_chromium(driver, str(tmp_path / "chromium"))
