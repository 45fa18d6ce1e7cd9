"""Checklist templates: the built-in "Standard launch", and the ones admins write one item a line.

A line is `<days>d [Phase] Title @role`, where the days count from launch day (`-7d` is a week
before, `0d` launch day, `+1d` the day after) and `[Phase]` and `@role` are optional. No Slack here.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from bot.errors import InvalidInput
from bot.text import plural

STANDARD = "Standard launch"
TEMPLATE_NAME = "template_name"  # the template modal's fields, named as the modal's blocks are
TEMPLATE_ITEMS = "template_items"
OWNER_ROLE = "owner"  # items of this role go to the launch owner when the launch is created

NAME_MAX = 80
TITLE_MAX = 150
PHASE_MAX = 40
ROLE_MAX = 40
MAX_ITEMS = 100
TEXT_MAX = 3000  # the template modal's max_length: longer text could never be shown again to edit
MAX_OFFSET_DAYS = 365
ERRORS_SHOWN = 3

_LINE = re.compile(
    r"^(?P<days>[+-]?\d+)d\s+(?:\[(?P<phase>[^\]]*)\]\s*)?(?P<title>.*?)(?:\s+@(?P<role>[\w.-]+))?$"
)


@dataclass(frozen=True)
class TemplateItem:
    """One checklist item of a template: due `offset_days` from launch day."""

    offset_days: int
    title: str
    phase: str
    owner_role: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """As stored in LaunchTemplate.items."""
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> TemplateItem:
        """Read back a stored item."""
        return cls(int(raw["offset_days"]), str(raw["title"]), str(raw["phase"]), raw.get("owner_role"))


@dataclass(frozen=True)
class Template:
    """A named list of checklist items; `built_in` for the one pmbot ships."""

    name: str
    items: list[TemplateItem]
    built_in: bool = False


GONOGO_ITEM = "Go / no-go decided"  # ticked and unticked by the poll (`gonogo.py`), matched by title
STANDARD_ITEMS = [
    TemplateItem(-28, "Spec signed off", "Prepare", "product"),
    TemplateItem(-21, "QA plan written", "Prepare", "qa"),
    TemplateItem(-10, "Marketing assets ready", "Prepare", "marketing"),
    TemplateItem(-7, "Docs published", "Prepare", "docs"),
    TemplateItem(-7, "Release notes drafted", "Prepare", "product"),
    TemplateItem(-5, "Support briefed", "Get ready", "support"),
    TemplateItem(-5, "Sales enablement done", "Get ready", "sales"),
    TemplateItem(-3, "QA sign-off", "Get ready", "qa"),
    TemplateItem(-1, GONOGO_ITEM, "Get ready", OWNER_ROLE),
    TemplateItem(0, "Feature flag flipped", "Launch day", "engineering"),
    TemplateItem(0, "Announcement posted", "Launch day", "marketing"),
    TemplateItem(1, "Post-launch monitoring", "After launch", "engineering"),
    TemplateItem(7, "Retro held", "After launch", OWNER_ROLE),
]


def standard_template() -> Template:
    """The built-in "Standard launch" template."""
    return Template(STANDARD, list(STANDARD_ITEMS), built_in=True)


def default_phase(offset_days: int) -> str:
    """The phase of an item whose line names none."""
    if offset_days < 0:
        return "Before launch"
    return "Launch day" if offset_days == 0 else "After launch"


def parse_items(typed: str) -> list[TemplateItem]:
    """A template's items typed one a line (blank and `#` lines skipped); InvalidInput names bad lines."""
    if len(typed) > TEXT_MAX:
        raise InvalidInput(
            {TEMPLATE_ITEMS: f"Keep the template under {TEXT_MAX:,} characters ({len(typed):,} now)."}
        )
    items: list[TemplateItem] = []
    problems: list[str] = []
    for number, raw in enumerate(typed.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        item, problem = _parse_line(line)
        if problem:
            problems.append(f"Line {number} (“{_clip(line)}”): {problem}")
        elif item is not None:
            items.append(item)
    if problems:
        more = len(problems) - ERRORS_SHOWN
        shown = problems[:ERRORS_SHOWN] + ([f"…and {plural(more, 'more bad line')}."] if more > 0 else [])
        raise InvalidInput({TEMPLATE_ITEMS: " ".join(shown)})
    if not items:
        raise InvalidInput({TEMPLATE_ITEMS: "Write at least one item, like `-7d Docs published`."})
    if len(items) > MAX_ITEMS:
        raise InvalidInput({TEMPLATE_ITEMS: f"A template holds at most {MAX_ITEMS} items."})
    return items


def check_name(name: str) -> str:
    """A template's name, trimmed; InvalidInput if it is empty, too long or the built-in one's."""
    name = " ".join(name.split())
    if not name:
        raise InvalidInput({TEMPLATE_NAME: "Give the template a name."})
    if len(name) > NAME_MAX:
        raise InvalidInput({TEMPLATE_NAME: f"Keep the name under {NAME_MAX} characters."})
    if name.lower() == STANDARD.lower():
        raise InvalidInput({TEMPLATE_NAME: f"“{STANDARD}” is built in; pick another name."})
    return name


def format_items(items: list[TemplateItem]) -> str:
    """Items as lines an admin can edit and save again."""
    lines = []
    for item in items:
        role = f" @{item.owner_role}" if item.owner_role else ""
        lines.append(f"{item.offset_days:+d}d [{item.phase}] {item.title}{role}")
    return "\n".join(lines)


def _parse_line(line: str) -> tuple[TemplateItem | None, str | None]:
    match = _LINE.match(line)
    if match is None:
        return None, "start with the days from launch day, like `-7d Docs published`."
    days = int(match["days"])
    title, phase, role = match["title"].strip(), (match["phase"] or "").strip(), match["role"]
    if abs(days) > MAX_OFFSET_DAYS:
        return None, f"keep the days within {MAX_OFFSET_DAYS} of launch day."
    if not title:
        return None, "say what the item is after the days."
    if len(title) > TITLE_MAX:
        return None, f"keep the item under {TITLE_MAX} characters."
    if match["phase"] is not None and not phase:
        return None, "write the phase between the brackets, like `[Prepare]`."
    if len(phase) > PHASE_MAX or (role and len(role) > ROLE_MAX):
        return None, f"keep the phase and the role under {PHASE_MAX} characters."
    return TemplateItem(days, title, phase or default_phase(days), role.lower() if role else None), None


def _clip(line: str) -> str:
    return line if len(line) <= 40 else line[:39] + "…"
