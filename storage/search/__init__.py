"""Full-text search over requests: the database's own (SQLite FTS5, PostgreSQL tsvector)."""
