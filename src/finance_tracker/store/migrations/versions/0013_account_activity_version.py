"""accounts: a version of their rows' day totals

Revision ID: 0013
Revises: 0012
`accounts.activity_version` takes a new random value as every write of the account's
transactions commits, so a process can keep the day totals it read of an account in another
currency (ten years of them were a third of a converted report's time) until they change.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("accounts") as accounts:
        accounts.add_column(
            sa.Column("activity_version", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("accounts") as accounts:
        accounts.drop_column("activity_version")
