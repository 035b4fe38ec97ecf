"""users: whether the scheduled jobs bring the ECB's reference rates in for them

Revision ID: 0014
Revises: 0013
Off for everyone: a person asks for it on the Exchange rates page (or PATCH /api/v1/me), and
only a server with ECB_RATES_FETCH=true fetches anything.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as users:
        users.add_column(
            sa.Column("fetch_ecb_rates", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("users") as users:
        users.drop_column("fetch_ecb_rates")
