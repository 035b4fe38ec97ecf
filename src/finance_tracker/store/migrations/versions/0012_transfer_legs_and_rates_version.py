"""transactions: an index of each account's transfer legs by date

Revision ID: 0012
Revises: 0011
A conversion reads the rates an account's cross-currency transfers made; without this index
PostgreSQL read every transfer (or every row of the account) to find a month's few (at 1M rows:
two statements of 7-27 ms, now under 1 ms). Partial: only rows with a transfer group are in it.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

LEGS = sa.text("transfer_group IS NOT NULL")


def upgrade() -> None:
    op.create_index(
        "ix_transactions_transfer_legs", "transactions", ["account_id", "date"],
        postgresql_where=LEGS, sqlite_where=LEGS,
    )  # fmt: skip


def downgrade() -> None:
    op.drop_index("ix_transactions_transfer_legs", table_name="transactions")
