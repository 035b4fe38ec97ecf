"""The `finance-tracker` command: serve, db, users, demo."""

from __future__ import annotations

import sys

import click

from finance_tracker.settings import Settings, SettingsError, load_settings


def _settings(**overrides: object) -> Settings:
    try:
        return load_settings(**{k: v for k, v in overrides.items() if v is not None})
    except SettingsError as error:
        click.echo(f"finance-tracker: {error}", err=True)
        sys.exit(2)


@click.group()
@click.version_option(package_name="finance-tracker")
def main() -> None:
    """Finance Tracker: a self-hosted personal finance tracker."""


@main.command()
@click.option("--host", help="Address to listen on (HOST, default 127.0.0.1).")
@click.option("--port", type=int, help="Port (PORT, default 5000).")
@click.option(
    "--production/--dev",
    default=None,
    help="gunicorn with several workers, or the development server. Default: FINANCE_TRACKER_ENV.",
)
@click.option("--workers", type=int, help="gunicorn worker processes (WEB_WORKERS, default 2).")
def serve(host: str | None, port: int | None, production: bool | None, workers: int | None) -> None:
    """Run the web app."""
    env = None if production is None else ("production" if production else "development")
    settings = _settings(host=host, port=port, env=env, web_workers=workers)
    if settings.should_auto_migrate:
        from finance_tracker.store import migrate

        if not settings.database_url:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        migrate.upgrade(settings.effective_database_url)
        settings = settings.model_copy(update={"auto_migrate": False})
    if settings.is_production:
        from finance_tracker.ops.gunicorn import run

        run(settings)
        return
    from finance_tracker import create_app

    app = create_app(settings)
    if settings.runs_embedded_jobs:
        from finance_tracker.jobs import embedded

        embedded.start(app.extensions["finance_tracker"].database)
    click.echo(f"Finance Tracker on http://{settings.host}:{settings.port} (development server)")
    app.run(host=settings.host, port=settings.port, threaded=True, use_reloader=False)


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration not yet applied (safe to run again)."""
    from finance_tracker.store import migrate

    settings = _settings()
    if not settings.database_url:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(settings.effective_database_url)
    click.echo(f"database at revision {migrate.head_revision(settings.effective_database_url)}")


@db.command("current")
def db_current() -> None:
    """Show the schema revision of the database and the newest one this version knows."""
    from finance_tracker.store import migrate
    from finance_tracker.store.database import Database

    settings = _settings()
    database = Database(settings.effective_database_url)
    current = migrate.current_revision(database.engine)
    head = migrate.head_revision(settings.effective_database_url)
    click.echo(f"current: {current or 'empty'}  head: {head}")
    database.dispose()
    if current != head:
        sys.exit(1)


@main.group()
def users() -> None:
    """User accounts."""


@users.command("create")
@click.option("--email", required=True)
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    envvar="FINANCE_TRACKER_PASSWORD",
    help="Prompted for when not given (or FINANCE_TRACKER_PASSWORD).",
)
@click.option("--currency", default="EUR", show_default=True, help="Main currency.")
def users_create(email: str, password: str, currency: str) -> None:
    """Create a user who can log in."""
    from finance_tracker.services import users as user_service
    from finance_tracker.services.errors import InvalidInput
    from finance_tracker.store.database import Database

    database = Database(_settings().effective_database_url)
    try:
        with database.session() as session:
            user = user_service.register(session, email, password, currency)
    except InvalidInput as error:
        click.echo(f"finance-tracker: {error}", err=True)
        sys.exit(2)
    finally:
        database.dispose()
    click.echo(f"created user {user.email} (id {user.id})")


@main.command()
def worker() -> None:
    """Run the background worker: imports from the Redis queue, and scheduled jobs."""
    import redis
    from rq import Worker

    from finance_tracker.jobs import embedded
    from finance_tracker.jobs.queue import QUEUE_NAME
    from finance_tracker.ops import logging as ops_logging
    from finance_tracker.store.database import Database

    settings = _settings()
    if not settings.redis_url:
        click.echo("finance-tracker: the worker needs REDIS_URL (without it, the web process "
                   "runs jobs itself)", err=True)  # fmt: skip
        sys.exit(2)
    ops_logging.configure(settings.log_level)
    if settings.embedded_jobs is not False:  # off where a CronJob runs them instead
        embedded.start(Database(settings.effective_database_url))
    connection = redis.Redis.from_url(settings.redis_url)
    Worker([QUEUE_NAME], connection=connection).work()


@main.group()
def jobs() -> None:
    """Run background jobs once (for cron or a Kubernetes CronJob)."""


@jobs.command("run-recurring")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="Pretend today is this date.")
def jobs_run_recurring(today) -> None:  # type: ignore[no-untyped-def]
    """Create every recurring transaction that is due; running it twice creates nothing twice."""
    from finance_tracker.jobs.recurring import run_recurring
    from finance_tracker.store.database import Database

    database = Database(_settings().effective_database_url)
    try:
        report = run_recurring(database, today.date() if today else None)
    finally:
        database.dispose()
    click.echo(f"created {report.created} recurring transactions ({report.failed} failed)")
    if report.failed:
        sys.exit(1)


@main.command()
@click.option("--email", default="demo@example.com", show_default=True)
@click.option("--password", default="demo-password", show_default=True)
@click.option("--seed", default=2026, show_default=True, help="Same seed, same data.")
def demo(email: str, password: str, seed: int) -> None:
    """Load a realistic demo data set: a year of transactions for one user."""
    from finance_tracker.services import demo as demo_data
    from finance_tracker.services.errors import InvalidInput
    from finance_tracker.store import migrate
    from finance_tracker.store.database import Database

    settings = _settings()
    if settings.should_auto_migrate:
        if not settings.database_url:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        migrate.upgrade(settings.effective_database_url)
    database = Database(settings.effective_database_url)
    try:
        with database.session() as session:
            report = demo_data.load(session, email, password, seed=seed)
    except InvalidInput as error:
        click.echo(f"finance-tracker: {error}", err=True)
        sys.exit(2)
    finally:
        database.dispose()
    click.echo(report)
