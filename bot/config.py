"""Settings: the only place that reads the environment."""

from __future__ import annotations

import logging
from typing import Annotated

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SLACK_API_DEFAULT = "https://slack.com/api/"
# A claim row younger than a week plus the longest grace window (7 days) may still be asked about
# by the scheduler's sweep; deleting it could send that digest or reminder again.
MIN_RUNS_KEEP_DAYS = 8

# Where a person finds each setting; shown when start-up refuses one.
WHERE_TO_GET = {
    "SLACK_BOT_TOKEN": "Slack app settings > OAuth & Permissions > Bot User OAuth Token (xoxb-...)",
    "SLACK_SIGNING_SECRET": "Slack app settings > Basic Information > App Credentials > Signing Secret",
    "SLACK_APP_TOKEN": "Socket Mode needs it: Slack app settings > Basic Information > App-Level Tokens "
    "(xapp-..., scope connections:write)",
    "SLACK_API_URL": "leave unset for Slack itself, or give the http(s) URL of a proxy or stand-in",
    "DATABASE_URL": "e.g. sqlite+aiosqlite:///pmbot.db or postgresql+asyncpg://user:pass@host/db",
    "HOST": "an interface to listen on, e.g. 0.0.0.0",
    "PORT": "a TCP port from 1 to 65535",
    "LOG_LEVEL": "one of DEBUG, INFO, WARNING, ERROR",
    "LOG_FORMAT": "text (the default) or json (one JSON object a line)",
    "METRICS_TOKEN": "any long random string; Prometheus sends it as a bearer token to /metrics",
    "SCHEDULE_GRACE_HOURS": "hours from 0 to 168: how late a missed digest or reminder may still go out",
    "OUTBOX_KEEP_DAYS": "whole days from 1 up: how long delivered outbox jobs are kept",
    "NOTICE_GATHER_SECONDS": "seconds from 0 to 3600: how long a person's notices gather into one DM",
    "SLACK_CHANNEL_POSTS_PER_SECOND": "a number above 0 (Slack allows about 1): how many messages pmbot "
    "posts per second in one channel, after a short burst",
    "SLACK_WORKSPACE_RATE_FACTOR": "a number above 0 (1 is Slack's tiers): multiplies the calls per "
    "minute pmbot allows itself per method and workspace; raise it only against a stand-in Slack",
    "SIMILAR_VECTORS": "true or false: suggest similar requests by sentence vectors when the `similar` "
    "extra is installed (false: by words only)",
    "SCHEDULED_RUNS_KEEP_DAYS": "whole days from 8 up (past a week and any grace window): how long "
    "records of scheduled digests and reminders are kept",
}


# Printed after the settings refused at start-up: where settings go, and how to get the Slack ones.
SETTINGS_HINT = (
    "set them in the environment or in a .env file in the folder pmbot starts in; no Slack app yet? "
    "`pmbot manifest --link --url https://<your host>` (or `--socket-mode`) prints a link that "
    "creates it with everything filled in"
)
MIN_METRICS_TOKEN_LENGTH = 16


class ConfigError(Exception):
    """Settings are missing or malformed; each line names one and where to get it."""

    def __init__(self, *lines: str) -> None:
        super().__init__("\n".join(lines))
        self.lines = list(lines)


class Settings(BaseSettings):
    """pmbot's settings, from the environment or a `.env` file."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=True)

    SLACK_BOT_TOKEN: Annotated[str, Field(min_length=1)]
    SLACK_SIGNING_SECRET: Annotated[str, Field(min_length=1)]
    SLACK_APP_TOKEN: str | None = None
    SLACK_API_URL: str = SLACK_API_DEFAULT
    DATABASE_URL: str = "sqlite+aiosqlite:///pmbot.db"
    HOST: str = "0.0.0.0"
    PORT: Annotated[int, Field(ge=1, le=65535)] = 3000
    LOG_LEVEL: str = "INFO"
    LOG_FORMAT: str = "text"
    METRICS_TOKEN: Annotated[str | None, Field(min_length=MIN_METRICS_TOKEN_LENGTH)] = None
    SCHEDULE_GRACE_HOURS: Annotated[float, Field(ge=0, le=168)] = 6
    OUTBOX_KEEP_DAYS: Annotated[int, Field(ge=1)] = 14
    SCHEDULED_RUNS_KEEP_DAYS: Annotated[int, Field(ge=MIN_RUNS_KEEP_DAYS)] = 90
    SLACK_CHANNEL_POSTS_PER_SECOND: Annotated[float, Field(gt=0, le=1000)] = 1.0
    SLACK_WORKSPACE_RATE_FACTOR: Annotated[float, Field(gt=0, le=1000)] = 1.0
    NOTICE_GATHER_SECONDS: Annotated[float, Field(ge=0, le=3600)] = 90
    SIMILAR_VECTORS: bool = True  # by sentence vectors, when the `similar` extra is installed

    @model_validator(mode="before")
    @classmethod
    def _unquoted(cls, values: object) -> object:
        # `docker run --env-file` keeps the quotes of NAME="value"; .env readers and shells drop them.
        # Dropping them here too reads a quoted .env the same way everywhere.
        if isinstance(values, dict):
            return {name: _without_quotes(value) for name, value in values.items()}
        return values

    @field_validator("SLACK_BOT_TOKEN")
    @classmethod
    def _bot_token_shape(cls, value: str) -> str:
        if not value.startswith("xoxb-"):
            raise ValueError("must start with xoxb-")
        return value

    @field_validator("SLACK_APP_TOKEN")
    @classmethod
    def _app_token_shape(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("xapp-"):
            raise ValueError("must start with xapp-")
        return value

    @field_validator("SLACK_API_URL")
    @classmethod
    def _api_url_shape(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value if value.endswith("/") else value + "/"

    @field_validator("DATABASE_URL")
    @classmethod
    def _database_url_shape(cls, value: str) -> str:
        return normalise_database_url(value)

    @field_validator("LOG_LEVEL")
    @classmethod
    def _log_level_shape(cls, value: str) -> str:
        level = value.upper()
        if level not in logging.getLevelNamesMapping():
            raise ValueError("unknown log level")
        return level

    @field_validator("LOG_FORMAT")
    @classmethod
    def _log_format_shape(cls, value: str) -> str:
        if value.lower() not in ("text", "json"):
            raise ValueError("must be text or json")
        return value.lower()


class SocketModeSettings(Settings):
    """The settings of `pmbot serve --socket-mode`, which needs the app-level token."""

    SLACK_APP_TOKEN: Annotated[str, Field(min_length=1)]  # type: ignore[assignment]


def _without_quotes(value: object) -> object:
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def normalise_database_url(url: str) -> str:
    """Give a database URL its async driver; refuse kinds pmbot does not support."""
    if url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
        return url
    if url.startswith("sqlite://"):
        return "sqlite+aiosqlite://" + url.removeprefix("sqlite://")
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url.removeprefix(prefix)
    raise ValueError("must be a sqlite:// or postgresql:// URL")


def load_settings(require_app_token: bool = False, **overrides: object) -> Settings:
    """Read the settings, or raise ConfigError naming every bad variable at once."""
    kind = SocketModeSettings if require_app_token else Settings
    try:
        return kind(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        problems: dict[str, str] = {}
        for found in error.errors():
            name = str(found["loc"][0]) if found["loc"] else "settings"
            problems.setdefault(
                name, "is not set" if found["type"] == "missing" else f"is invalid ({found['msg']})"
            )
        lines = [f"{name} {problem}: {WHERE_TO_GET.get(name, '')}" for name, problem in problems.items()]
        raise ConfigError(*lines, SETTINGS_HINT) from None
