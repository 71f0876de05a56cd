"""Per-address delivery outcomes, fenced and renewed claims, day-run leases, supersession.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 06:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("claim_token", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
        batch_op.add_column(sa.Column("outcomes", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.add_column(
            sa.Column("first_failure_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
    with op.batch_alter_table("notice_item", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("superseded_by", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
    with op.batch_alter_table("day_run", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("claimed_by", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("heartbeat_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("day_run", schema=None) as batch_op:
        batch_op.drop_column("heartbeat_at")
        batch_op.drop_column("claimed_by")
    with op.batch_alter_table("notice_item", schema=None) as batch_op:
        batch_op.drop_column("superseded_by")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_column("first_failure_at")
        batch_op.drop_column("outcomes")
        batch_op.drop_column("claim_token")
