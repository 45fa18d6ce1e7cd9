"""Field helpers shared by the tables."""

from __future__ import annotations

from typing import Any

from sqlmodel import Field

from storage.types import UTCDateTime, utcnow


def timestamp(**kwargs: Any) -> Any:
    """A timezone-aware UTC timestamp column, defaulting to now."""
    return Field(default_factory=utcnow, sa_type=UTCDateTime, **kwargs)
