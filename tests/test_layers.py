"""The layout's rules: handlers → bot → storage, no import cycles, one package per feature."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("bot", "handlers", "storage")
FEATURES = ("requests", "roadmap", "launches", "digests", "home", "settings")
FEATURE_WORDS = ("request", "roadmap", "launch", "digest", "home", "setting")
FEATURE_WORDS += ("proposal", "triage", "approval")


def _modules() -> dict[str, Path]:
    found = {}
    for layer in LAYERS:
        for path in (ROOT / layer).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def _imports(path: Path, known: dict[str, Path]) -> set[str]:
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        targets |= {name for name in names if name in known}
    return targets


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(path, modules) - {name} for name, path in modules.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while (member := stack.pop()) != node:
                component.append(member)
            if component:
                found.append(sorted([node, *component]))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles():
    assert _cycles(_graph()) == []


def test_dependencies_point_one_way():
    wrong = [
        (module, target)
        for module, targets in _graph().items()
        for target in targets
        if (module.startswith("storage") and not target.startswith("storage"))
        or (target.startswith("handlers") and not module.startswith(("handlers", "bot.app")))
    ]
    assert wrong == []


def test_services_know_nothing_of_slack():
    for path in (ROOT / "bot" / "services").rglob("*.py"):
        source = path.read_text()
        assert "slack_sdk" not in source and "slack_bolt" not in source, path


def test_a_feature_lives_in_its_package():
    """No module repeats its feature package's name, and no top-level module belongs to one feature."""
    for folder in (ROOT / "bot" / "services", ROOT / "bot" / "views", ROOT / "handlers"):
        for path in folder.glob("*.py"):
            stem = path.stem
            assert not stem.startswith(FEATURE_WORDS), f"{path} belongs in a feature package"
        for feature in FEATURES:
            for path in (folder / feature).glob("*.py"):
                assert not path.stem.startswith(feature.rstrip("s")), f"{path} repeats its package's name"
