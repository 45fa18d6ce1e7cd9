"""Alembic environment: runs on the connection storage.migrate hands it."""

from alembic import context
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from storage.search.schema import include_object

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `pmbot db upgrade` (storage.migrate), not the alembic CLI")

context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    compare_type=True,
    include_object=include_object,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
