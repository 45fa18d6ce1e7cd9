"""Settings: the only place that reads the environment."""

from __future__ import annotations

import logging
from typing import Annotated

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SLACK_API_DEFAULT = "https://slack.com/api/"
# A claim row younger than a week plus the longest grace window (7 days) may still be asked about
# by the scheduler's sweep; deleting it could send that digest or reminder again.
MIN_RUNS_KEEP_DAYS = 8

# Where a person finds each setting; shown when start-up refuses one.
WHERE_TO_GET = {
    "SLACK_BOT_TOKEN": "Slack app settings > OAuth & Permissions > Bot User OAuth Token (xoxb-...)",
    "SLACK_SIGNING_SECRET": "Slack app settings > Basic Information > App Credentials > Signing Secret",
    "SLACK_APP_TOKEN": "Slack app settings > Basic Information > App-Level Tokens (xapp-..., "
    "scope connections:write)",
    "SLACK_API_URL": "leave unset for Slack itself, or give the http(s) URL of a proxy or stand-in",
    "DATABASE_URL": "e.g. sqlite+aiosqlite:///pmbot.db or postgresql+asyncpg://user:pass@host/db",
    "HOST": "an interface to listen on, e.g. 0.0.0.0",
    "PORT": "a TCP port from 1 to 65535",
    "LOG_LEVEL": "one of DEBUG, INFO, WARNING, ERROR",
    "SCHEDULE_GRACE_HOURS": "hours from 0 to 168: how late a missed digest or reminder may still go out",
    "OUTBOX_KEEP_DAYS": "whole days from 1 up: how long delivered outbox jobs are kept",
    "SCHEDULED_RUNS_KEEP_DAYS": "whole days from 8 up (past a week and any grace window): how long "
    "records of scheduled digests and reminders are kept",
}


class ConfigError(Exception):
    """A setting is missing or malformed; the message names it and where to get it."""


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
    SCHEDULE_GRACE_HOURS: Annotated[float, Field(ge=0, le=168)] = 6
    OUTBOX_KEEP_DAYS: Annotated[int, Field(ge=1)] = 14
    SCHEDULED_RUNS_KEEP_DAYS: Annotated[int, Field(ge=MIN_RUNS_KEEP_DAYS)] = 90

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
    """Read the settings, or raise ConfigError naming the first bad variable."""
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        first = error.errors()[0]
        name = str(first["loc"][0]) if first["loc"] else "settings"
        problem = "is not set" if first["type"] == "missing" else f"is invalid ({first['msg']})"
        raise ConfigError(f"{name} {problem}: {WHERE_TO_GET.get(name, '')}") from None
    if require_app_token and not settings.SLACK_APP_TOKEN:
        raise ConfigError(
            f"SLACK_APP_TOKEN is not set (Socket Mode needs it): {WHERE_TO_GET['SLACK_APP_TOKEN']}"
        )
    return settings
