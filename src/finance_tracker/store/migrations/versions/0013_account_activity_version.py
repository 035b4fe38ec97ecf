"""account_activity: a version of each account's rows

Revision ID: 0013
Revises: 0012
`account_activity.version` takes a new random value once a write of the account's transactions
is in the month totals, so a process can keep the day totals it read of an account in another
currency (ten years of them were a third of a converted report's time) until they change. Its
own table: only folds and recomputes, under the person's advisory lock, write it, and the
accounts' rows are never locked for it.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "account_activity",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"],
            name=op.f("fk_account_activity_account_id_accounts"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_account_activity")),
    )  # fmt: skip
    # Every account there is has a version from the start; later ones get theirs with their
    # first write (store/summaries.py).
    op.execute("INSERT INTO account_activity (account_id, version) SELECT id, 0 FROM accounts")


def downgrade() -> None:
    op.drop_table("account_activity")
