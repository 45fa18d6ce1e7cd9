"""`pmbot export roadmap`: the roadmap with its linked requests, as CSV, Markdown or JSON."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from bot.services.roadmap.reads import ItemView

FIELDS = ("ref", "title", "horizon", "status", "target_date", "owner_id", "demand", "requests", "description")


def rows(items: list[ItemView]) -> list[dict[str, Any]]:
    """One flat row an item."""
    return [
        {
            "ref": view.item.ref,
            "title": view.item.title,
            "horizon": str(view.item.horizon),
            "status": str(view.item.status),
            "target_date": view.item.target_date.isoformat() if view.item.target_date else "",
            "owner_id": view.item.owner_id or "",
            "demand": view.demand,
            "requests": " ".join(request.ref for request in view.requests),
            "description": view.item.description,
        }
        for view in items
    ]


def render(items: list[ItemView], fmt: str) -> str:
    """The roadmap in `fmt`: csv, md or json."""
    table = rows(items)
    if fmt == "json":
        return json.dumps(table, indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(table)
        return out.getvalue()
    return _markdown(table)


def _markdown(table: list[dict[str, Any]]) -> str:
    shown = ("ref", "title", "horizon", "status", "target_date", "demand", "requests")
    lines = ["| " + " | ".join(shown) + " |", "|" + " --- |" * len(shown)]
    for row in table:
        cells = [str(row[name]).replace("|", "\\|").replace("\n", " ") for name in shown]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
