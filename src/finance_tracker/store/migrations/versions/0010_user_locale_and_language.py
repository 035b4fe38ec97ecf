"""users: the locale (how amounts and dates are written) and the language of the pages

Revision ID: 0010
Revises: 0009
Additions only. People registered before this migration saw US English formats and pages:
en_US is what they keep until they choose otherwise in Settings. language NULL follows the
locale (German pages for de_AT).
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("locale", sa.String(length=16), nullable=False, server_default="en_US")
        )
        batch_op.add_column(sa.Column("language", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("language")
        batch_op.drop_column("locale")
