"""exchange_rates: rates a person entered or uploaded from the ECB's reference-rate files

Revision ID: 0011
Revises: 0010
Additions only. Rates learnt from cross-currency transfers are read from the transfers, so the
transfers already stored teach their rates without any data being moved here.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "exchange_rates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("base", sa.String(length=3), nullable=False),
        sa.Column("quote", sa.String(length=3), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("rate", sa.String(length=40), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_exchange_rates_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_rates")),
        sa.UniqueConstraint(
            "user_id", "base", "quote", "day", "source", name=op.f("uq_exchange_rates_user_id")
        ),
    )
    op.create_index("ix_exchange_rates_user_day", "exchange_rates", ["user_id", "day"])


def downgrade() -> None:
    op.drop_index("ix_exchange_rates_user_day", table_name="exchange_rates")
    op.drop_table("exchange_rates")
