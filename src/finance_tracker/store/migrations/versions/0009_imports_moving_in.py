"""imports: moving in from another tracker, which brings every account, not one

Revision ID: 0009
Revises: 0008
import_batches.account_id may be empty (a Firefly III, YNAB, Actual Budget, beancount or ledger
file holds many accounts), and file_format holds the longer names of those sources.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("import_batches", schema=None) as batch_op:
        batch_op.alter_column("account_id", existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column(
            "file_format", existing_type=sa.String(length=8), type_=sa.String(length=12)
        )


def downgrade() -> None:
    op.execute("DELETE FROM import_batches WHERE account_id IS NULL")
    with op.batch_alter_table("import_batches", schema=None) as batch_op:
        batch_op.alter_column(
            "file_format", existing_type=sa.String(length=12), type_=sa.String(length=8)
        )
        batch_op.alter_column("account_id", existing_type=sa.Integer(), nullable=False)
