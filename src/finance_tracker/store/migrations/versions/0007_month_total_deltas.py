"""month_total_deltas: what writes add to the month totals, folded in when they are read

Revision ID: 0007
Revises: 0006
An addition only: an empty table. On PostgreSQL a write appends its changes here instead of
updating the shared month_totals rows, which every write of a month would otherwise wait on.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "month_total_deltas",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("total_minor", sa.BigInteger(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_month_total_deltas_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_month_total_deltas_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_month_total_deltas")),
    )
    with op.batch_alter_table("month_total_deltas", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_month_total_deltas_user_id"), ["user_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_month_total_deltas_account_id"), ["account_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("month_total_deltas", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_month_total_deltas_account_id"))
        batch_op.drop_index(batch_op.f("ix_month_total_deltas_user_id"))
    op.drop_table("month_total_deltas")
