"""The units a recorded event or request concerns (trigger_record.units).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 07:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("trigger_record") as batch:
        batch.add_column(sa.Column("units", sqlmodel.sql.sqltypes.AutoString(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("trigger_record") as batch:
        batch.drop_column("units")
