"""Prometheus metrics: answers to Slack, Slack API calls, the outbox and scheduled runs.

Labels are kinds, routes, methods and error codes — small fixed sets — never an item's id. The
counters are always kept (cheap); `/metrics` serves them only when METRICS_TOKEN is set.
"""

from __future__ import annotations

from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.clock import Clock
from bot.deliveries.slack_errors import code_of, status_of
from storage.db import Database
from storage.outbox_stats import outbox_stats

CONTENT_TYPE = CONTENT_TYPE_LATEST
# Slack wants an answer within 3 s; the buckets are finest below that.
ANSWER_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0)
KNOWN_PAYLOAD_TYPES = frozenset(
    {
        "block_actions", "view_submission", "view_closed", "shortcut", "message_action",
        "block_suggestion", "event_callback", "url_verification", "interactive_message",
    }
)  # fmt: skip

REGISTRY = CollectorRegistry()
ANSWERS = Counter(
    "pmbot_slack_answers",
    "Requests from Slack answered, by route and kind",
    ["route", "kind"],
    registry=REGISTRY,
)
ANSWER_SECONDS = Histogram(
    "pmbot_slack_answer_seconds",
    "Time from receiving a request from Slack to answering it",
    ["route", "kind"],
    buckets=ANSWER_BUCKETS,
    registry=REGISTRY,
)
SLACK_CALLS = Counter(
    "pmbot_slack_api_calls",
    "Slack Web API calls, by method and result (ok or Slack's error code)",
    ["method", "result"],
    registry=REGISTRY,
)
SCHEDULED_RUNS = Counter(
    "pmbot_scheduled_runs",
    "Scheduled digests and reminders by outcome (claimed, late: claimed late, skipped: too late)",
    ["outcome"],
    registry=REGISTRY,
)
OUTBOX_JOBS = Gauge(
    "pmbot_outbox_jobs",
    "Outbox jobs waiting or failed, by status and kind",
    ["status", "kind"],
    registry=REGISTRY,
)
OUTBOX_OLDEST_PENDING = Gauge(
    "pmbot_outbox_oldest_pending_seconds",
    "How long the most overdue pending outbox job has been due (0 when none is)",
    registry=REGISTRY,
)


def answer_kind(body: dict[str, Any]) -> str:
    """What a Slack request is: command, event, block_actions, view_submission, ..."""
    if "command" in body:
        return "command"
    kind = body.get("type")
    if kind == "event_callback":
        return "event"
    return kind if kind in KNOWN_PAYLOAD_TYPES else "other"


def interaction_key(body: dict[str, Any]) -> str | None:
    """The key that names one interaction in the logs: event id, trigger id, or view id."""
    view = body.get("view")
    view_id = view.get("id") if isinstance(view, dict) else None
    key = body.get("event_id") or body.get("trigger_id") or view_id
    return str(key) if key else None


def observe_answer(route: str, kind: str, seconds: float) -> None:
    """Count one answer to Slack and its latency."""
    ANSWERS.labels(route, kind).inc()
    ANSWER_SECONDS.labels(route, kind).observe(seconds)


def count_scheduled(outcome: str) -> None:
    """Count a scheduled occurrence: claimed, late or skipped."""
    SCHEDULED_RUNS.labels(outcome).inc()


async def render(db: Database, clock: Clock) -> bytes:
    """The metrics in Prometheus' text format; the outbox figures are read now."""
    stats = await outbox_stats(db)
    OUTBOX_JOBS.clear()
    for (status, kind), count in stats.counts.items():
        OUTBOX_JOBS.labels(status, kind).set(count)
    oldest = stats.oldest_pending_due
    OUTBOX_OLDEST_PENDING.set(max((clock.now() - oldest).total_seconds(), 0) if oldest else 0)
    return generate_latest(REGISTRY)


class MeteredWebClient(AsyncWebClient):
    """slack_sdk's async client, counting every call by method and by Slack's answer."""

    async def api_call(self, api_method: str, **kwargs: Any) -> AsyncSlackResponse:  # type: ignore[override]
        """Make the call; count it as `ok`, Slack's error code, or the exception that ended it."""
        try:
            response = await super().api_call(api_method, **kwargs)
        except SlackApiError as error:
            SLACK_CALLS.labels(api_method, _error_code(error)).inc()
            raise
        except Exception as error:
            SLACK_CALLS.labels(api_method, type(error).__name__).inc()
            raise
        SLACK_CALLS.labels(api_method, "ok").inc()
        return response


def _error_code(error: SlackApiError) -> str:
    # An unreadable body (HTML labelled JSON) comes with an aiohttp response: no .data, .status.
    code = code_of(error)
    return code[:64] if code else f"http_{status_of(error)}"
