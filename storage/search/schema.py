"""The search objects the migrations create but the models do not declare.

SQLite's FTS5 table (and the shadow tables FTS5 makes for it) and PostgreSQL's generated
`tsvector` column and its GIN index live outside SQLModel's metadata: SQLAlchemy cannot declare
a virtual table, and a model field would be selected (and sent back) with every request.
Alembic's comparison must therefore not see them as "removed".
"""

from __future__ import annotations

from typing import Any

FTS_TABLE = "request_fts"
SEARCH_VECTOR = "search_vector"
SEARCH_INDEX = "ix_request_search"


def is_search_table(name: str | None) -> bool:
    """`request_fts` and its FTS5 shadow tables (`request_fts_data`, `_idx`, `_docsize`, `_config`)."""
    return bool(name) and (name == FTS_TABLE or str(name).startswith(FTS_TABLE + "_"))


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic's hook: leave the search objects out of autogenerate's comparison."""
    if type_ == "table" and is_search_table(name):
        return False
    if type_ == "column" and name == SEARCH_VECTOR and getattr(obj, "table", None) is not None:
        return obj.table.name != "request"
    return not (type_ == "index" and name == SEARCH_INDEX)
