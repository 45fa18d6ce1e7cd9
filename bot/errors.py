"""Domain errors. Each carries a message fit to show the person who caused it."""

from __future__ import annotations


class PmbotError(Exception):
    """Something the person asked for cannot be done; `message` says why, in their words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(PmbotError):
    """The thing named does not exist in this workspace."""


class NotAllowed(PmbotError):
    """The person lacks the role this action needs."""


class InvalidInput(PmbotError):
    """Input that fails validation; `fields` maps a form field to what is wrong with it."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("; ".join(fields.values()))
        self.fields = fields


class StoreUnavailable(PmbotError):
    """The database could not take the write, so nothing was saved."""


class SlackUnavailable(PmbotError):
    """Slack did not answer a lookup (an error, a rate limit, a timeout): try again later."""
