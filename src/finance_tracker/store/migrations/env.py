"""Alembic environment: runs online against the URL set by `finance_tracker.store.migrate`."""

from alembic import context
from sqlalchemy import create_engine, pool

from finance_tracker.store.models import Base

config = context.config
url = config.get_main_option("sqlalchemy.url") or ""
engine = create_engine(url, poolclass=pool.NullPool)

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds tables so one migration fits both.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
