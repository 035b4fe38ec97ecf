"""imports: the person's choices and what was skipped; transactions: cleared state

Revision ID: 0008
Revises: 0007
Additions only. transactions.cleared says where a transaction stands against the bank
(uncleared, cleared, reconciled); rows imported before this migration came from bank files,
which are reconciled by definition. import_batches keep the choices made in the preview
(options_json) and what the import skipped, with reasons (skipped_rows, report_json).
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("cleared", sa.String(length=10), nullable=False, server_default="uncleared")
        )
    op.execute("UPDATE transactions SET cleared = 'reconciled' WHERE import_key IS NOT NULL")
    with op.batch_alter_table("import_batches", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("options_json", sa.Text(), nullable=False, server_default="{}")
        )
        batch_op.add_column(
            sa.Column("skipped_rows", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("report_json", sa.Text(), nullable=False, server_default="{}")
        )


def downgrade() -> None:
    with op.batch_alter_table("import_batches", schema=None) as batch_op:
        batch_op.drop_column("report_json")
        batch_op.drop_column("skipped_rows")
        batch_op.drop_column("options_json")
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        batch_op.drop_column("cleared")
