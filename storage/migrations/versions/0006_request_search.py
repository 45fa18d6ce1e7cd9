"""Full-text search over requests (title and description).

SQLite: an external-content FTS5 table (porter stemming) kept current by triggers.
PostgreSQL: a stored generated tsvector column (english) with a GIN index.
Neither is in the models: `storage.search.schema.include_object` keeps them out of autogenerate.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SQLITE_UP = [
    "CREATE VIRTUAL TABLE request_fts USING fts5(title, description, content='request', "
    "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER request_fts_insert AFTER INSERT ON request BEGIN "
    "INSERT INTO request_fts(rowid, title, description) VALUES (new.id, new.title, new.description); END",
    "CREATE TRIGGER request_fts_delete AFTER DELETE ON request BEGIN "
    "INSERT INTO request_fts(request_fts, rowid, title, description) "
    "VALUES ('delete', old.id, old.title, old.description); END",
    "CREATE TRIGGER request_fts_update AFTER UPDATE OF title, description ON request BEGIN "
    "INSERT INTO request_fts(request_fts, rowid, title, description) "
    "VALUES ('delete', old.id, old.title, old.description); "
    "INSERT INTO request_fts(rowid, title, description) VALUES (new.id, new.title, new.description); END",
    "INSERT INTO request_fts(request_fts) VALUES ('rebuild')",
    # FTS5's own `rank` column, sorted on directly, ranks far faster than calling bm25() per row.
    # A title word weighs 4 description words.
    "INSERT INTO request_fts(request_fts, rank) VALUES ('rank', 'bm25(4.0, 1.0)')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS request_fts_update",
    "DROP TRIGGER IF EXISTS request_fts_delete",
    "DROP TRIGGER IF EXISTS request_fts_insert",
    "DROP TABLE IF EXISTS request_fts",
]
POSTGRES_UP = [
    "ALTER TABLE request ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(description, '')), 'B')) STORED",
    "CREATE INDEX ix_request_search ON request USING gin (search_vector)",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS ix_request_search",
    "ALTER TABLE request DROP COLUMN IF EXISTS search_vector",
]


def upgrade() -> None:
    for statement in SQLITE_UP if _is_sqlite() else POSTGRES_UP:
        op.execute(statement)


def downgrade() -> None:
    for statement in SQLITE_DOWN if _is_sqlite() else POSTGRES_DOWN:
        op.execute(statement)


def _is_sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"
