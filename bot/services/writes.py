"""Writes from services: a database fault becomes a message the person can act on."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.exc import SQLAlchemyError

from bot.errors import StoreUnavailable
from storage.writer import UnitOfWork, Writer, WriterStopped

T = TypeVar("T")

UNAVAILABLE = "The database did not answer, so nothing was saved. Please try again in a moment."


async def write(writer: Writer, work: UnitOfWork[T]) -> T:
    """Run `work` through the writer; StoreUnavailable if the database failed it."""
    try:
        return await writer.run(work)
    except (SQLAlchemyError, WriterStopped, OSError) as error:
        raise StoreUnavailable(UNAVAILABLE) from error
