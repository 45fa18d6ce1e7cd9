"""request vectors: each request's title as a sentence vector, for similar-request suggestions

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "request_vector",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("text_hash", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("source_updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["request_id"], ["request.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("request_id"),
        sqlite_autoincrement=True,  # ids never reused: the in-memory index reads rows after the last it saw
    )
    op.create_index("ix_request_vector_team_id", "request_vector", ["team_id", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_request_vector_team_id", table_name="request_vector")
    op.drop_table("request_vector")
