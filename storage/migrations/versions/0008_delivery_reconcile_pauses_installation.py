"""delivery: unsure attempts, Slack pauses, installation state

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "slack_pause",
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("method", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("until", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "method"),
    )
    with op.batch_alter_table("outbox_job") as batch:
        batch.add_column(sa.Column("unsure_since", storage.types.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table("workspace") as batch:
        batch.add_column(
            sa.Column("installation_active", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch.add_column(
            sa.Column("inactive_reason", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch.add_column(
            sa.Column("delivery_problem", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("workspace") as batch:
        batch.drop_column("delivery_problem")
        batch.drop_column("inactive_reason")
        batch.drop_column("installation_active")
    with op.batch_alter_table("outbox_job") as batch:
        batch.drop_column("unsure_since")
    op.drop_table("slack_pause")
