"""exchange_rates: rates a person entered or uploaded from the ECB's reference-rate files

Revision ID: 0011
Revises: 0010
Rates learnt from cross-currency transfers are read from the transfers, so the transfers already
stored teach their rates without any data being moved here. On PostgreSQL the index of an
account's transactions by date also covers what a conversion sums per day (rebuilt in place;
SQLite keeps the plain index).
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
    op.create_index(
        "ix_exchange_rates_user_pair_day", "exchange_rates", ["user_id", "base", "quote", "day"]
    )
    if op.get_bind().dialect.name == "postgresql":
        _account_date_index(COVERED)


COVERED = ["kind", "amount_minor", "is_split", "category_id", "user_id"]


def _account_date_index(include: list[str]) -> None:
    op.drop_index("ix_transactions_account_date", table_name="transactions")
    op.create_index(
        "ix_transactions_account_date", "transactions", ["account_id", "date"],
        postgresql_include=include,
    )  # fmt: skip


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _account_date_index([])
    op.drop_index("ix_exchange_rates_user_pair_day", table_name="exchange_rates")
    op.drop_table("exchange_rates")
