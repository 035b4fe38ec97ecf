"""password reset: the newest link's id

Revision ID: 0006
Revises: 0005
An addition only: users.reset_link_id, empty for everyone. Reset links mailed before this
migration carry no id and stop working; their owners ask for a new one.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reset_link_id", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("reset_link_id")
