"""Logging: plain text or one JSON object a line, for pmbot, Bolt, APScheduler and uvicorn alike."""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s%(interaction_suffix)s"
LOG_FORMATS = ("text", "json")

# The key of the Slack interaction being handled (an event id, a trigger id, a view id), so that
# every line one interaction causes can be found together.
_interaction: contextvars.ContextVar[str | None] = contextvars.ContextVar("pmbot_interaction", default=None)

# APScheduler's lines that come every minute or every sweep: useful when debugging, noise otherwise.
_CHATTER = {
    "apscheduler.executors.default": ("Running job", "executed successfully"),
    "apscheduler.scheduler": ("Added job", "Removed job", "Adding job tentatively"),
}


@contextlib.contextmanager
def interaction(key: str | None) -> Iterator[None]:
    """Mark the log lines written inside the block (and the tasks it starts) with `key`."""
    token = _interaction.set(key)
    try:
        yield
    finally:
        _interaction.reset(token)


class _InteractionField(logging.Filter):
    """Adds `interaction` (or None) to every record; text lines show it as a suffix."""

    def filter(self, record: logging.LogRecord) -> bool:
        key = _interaction.get()
        record.interaction = key
        record.interaction_suffix = f" [{key}]" if key else ""
        return True


class _DemoteChatter(logging.Filter):
    """Turns APScheduler's per-run INFO lines into DEBUG ones (dropped unless debugging)."""

    def __init__(self, phrases: tuple[str, ...]) -> None:
        super().__init__()
        self._phrases = phrases

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.INFO and any(phrase in str(record.msg) for phrase in self._phrases):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            return logging.getLogger().isEnabledFor(logging.DEBUG)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, interaction, and any exception."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a single line of JSON."""
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if getattr(record, "interaction", None):
            line["interaction"] = record.interaction  # type: ignore[attr-defined]
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_logging(level: str, log_format: str = "text") -> None:
    """Send every log line to stderr in one format; keep Bolt's request bodies out below DEBUG."""
    handler = logging.StreamHandler()
    handler.addFilter(_InteractionField())
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # uvicorn's loggers go through the root handler too (see uvicorn_log_config).
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    for name, phrases in _CHATTER.items():
        chatty = logging.getLogger(name)
        if not any(isinstance(found, _DemoteChatter) for found in chatty.filters):
            chatty.addFilter(_DemoteChatter(phrases))
    # Bolt logs request bodies (user text) at INFO and DEBUG; keep them out unless debugging.
    quiet = logging.WARNING if level != "DEBUG" else logging.DEBUG
    logging.getLogger("slack_bolt").setLevel(quiet)
    logging.getLogger("slack_sdk").setLevel(quiet)


def uvicorn_log_config() -> dict[str, Any]:
    """A uvicorn `log_config` that leaves its loggers to the root handler set above."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "loggers": {
            name: {"handlers": [], "propagate": True}
            for name in ("uvicorn", "uvicorn.error", "uvicorn.access")
        },
    }
