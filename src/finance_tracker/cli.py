"""The `finance-tracker` command: serve, db, users, demo, traffic."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from finance_tracker.settings import Settings

# Each command imports what it needs: `serve` pauses the garbage collector before the settings
# and the app come in (ops/startup.py), and no command pays for another's imports.


def _log_as_deployed(settings: Settings) -> logging.Logger:
    """The app's JSON logging at LOG_LEVEL, for a command a Deployment, Job or CronJob runs: its
    output is read by the same log pipeline as the servers', and logs at INFO exactly as they
    do. An exception nothing caught (the database unreachable, say) ends the command as before,
    exit code 1, but as one CRITICAL JSON line with its traceback instead of plain text."""
    from finance_tracker.ops import logging as ops_logging

    ops_logging.configure(settings.log_level)
    log = logging.getLogger("finance_tracker.cli")
    command = " ".join(sys.argv[1:3])

    def uncaught(kind: type[BaseException], error: BaseException, trace: Any) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, trace)
            return
        log.critical("%s stopped: %s", command, error, exc_info=(kind, error, trace))

    sys.excepthook = uncaught
    return log


def _settings(**overrides: object) -> Settings:
    from finance_tracker.settings import SettingsError, load_settings

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
    from finance_tracker.ops import startup

    with startup.paused():  # until the app is loaded: see ops/startup.py
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
        else:
            from finance_tracker import create_app

            app = create_app(settings)
            if settings.runs_embedded_jobs:
                from finance_tracker.jobs import embedded

                state = app.extensions["finance_tracker"]
                embedded.start(state.database, settings=state.settings)
    if settings.is_production:
        startup.pause()  # gunicorn's master resumes just before it forks (ops/gunicorn.py)
        run(settings)
        return
    from werkzeug.serving import run_simple

    # A JSON line like every other (create_app configured the logging); werkzeug's server
    # directly, not app.run, which prints Flask's plain-text banner first.
    logging.getLogger("finance_tracker.cli").info(
        "Finance Tracker on http://%s:%d (development server)", settings.host, settings.port
    )
    run_simple(settings.host, settings.port, app, threaded=True, use_reloader=False)


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration not yet applied (safe to run again)."""
    from finance_tracker.store import migrate

    settings = _settings()
    log = _log_as_deployed(settings)
    if not settings.database_url:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(settings.effective_database_url)
    revision = migrate.head_revision(settings.effective_database_url)
    log.info("database at revision %s", revision, extra={"revision": revision})


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


@contextmanager
def _unit_of_work() -> Iterator[Session]:
    """A transaction on the configured database; input the app refuses ends the command with
    its reason and exit code 2, having written nothing."""
    from finance_tracker.services.errors import InvalidInput
    from finance_tracker.store.database import Database

    database = Database(_settings().effective_database_url)
    try:
        with database.session() as session:
            yield session
    except InvalidInput as error:
        click.echo(f"finance-tracker: {error}", err=True)
        sys.exit(2)
    finally:
        database.dispose()


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

    with _unit_of_work() as session:
        user = user_service.register(session, email, password, currency)
        created = f"created user {user.email} (id {user.id})"
    click.echo(created)


@users.command("set-password")
@click.option("--email", required=True)
@click.option(
    "--password",
    prompt="New password",
    hide_input=True,
    confirmation_prompt=True,
    envvar="FINANCE_TRACKER_PASSWORD",
    help="Prompted for when not given (or FINANCE_TRACKER_PASSWORD).",
)
def users_set_password(email: str, password: str) -> None:
    """Give a user a new password (for a server that sends no email). Signs out their sessions."""
    from finance_tracker.services import audit
    from finance_tracker.services import users as user_service

    with _unit_of_work() as session:
        user = user_service.find_by_email(session, email)
        if user is None:
            click.echo(f"finance-tracker: no user has the email {email}", err=True)
            sys.exit(2)
        user_service.set_password(session, user, password)
        audit.record(session, audit.PASSWORD_RESET, user.id, detail="from the command line")
    click.echo(f"new password set for {email}")


@main.command()
def worker() -> None:
    """Run the background worker: imports from the Redis queue, and scheduled jobs."""
    from finance_tracker.jobs.worker import EarlyStop, StoppableWorker

    early = EarlyStop()  # first: a SIGTERM from here on ends in a clean stop and exit 0
    import redis

    from finance_tracker.jobs import embedded
    from finance_tracker.jobs.queue import QUEUE_NAME

    settings = _settings()
    if not settings.redis_url:
        click.echo("finance-tracker: the worker needs REDIS_URL (without it, the web process "
                   "runs jobs itself)", err=True)  # fmt: skip
        sys.exit(2)
    _log_as_deployed(settings)
    connection = redis.Redis.from_url(settings.redis_url)
    _serve_worker_metrics(settings, settings.redis_url, QUEUE_NAME)
    embedded.start_in_worker(settings)  # recurring unless EMBEDDED_JOBS=false; sweep always
    # A worker killed mid-job (pod deleted hard, OOM) leaves its job "started": RQ gives it up
    # once its heartbeat (job_monitoring_interval + 60 s) expires and a worker cleans the
    # registries (every maintenance_interval, checked between blocking dequeues of worker_ttl -
    # 15 s), then retries it (Retry in jobs/queue.py); retries with an interval need the
    # scheduler. RQ's defaults (30 s, 10 min, 405 s, no scheduler) left it stuck for 10 minutes or
    # for ever. See tests/resilience/test_worker_killed.py and docs/chaos.md.
    StoppableWorker(
        [QUEUE_NAME], connection=connection, job_monitoring_interval=10, maintenance_interval=30,
        worker_ttl=45, early=early,
    ).work(with_scheduler=True)  # fmt: skip


def _serve_worker_metrics(settings: Settings, redis_url: str, queue_name: str) -> None:
    """The worker's /metrics on METRICS_PORT (default 9101, 0: off), on METRICS_HOST (default
    0.0.0.0). RQ forks a work horse per job, so the worker counts in multiprocess mode: in
    PROMETHEUS_MULTIPROC_DIR (emptied at start), or a fresh temporary folder."""
    if not settings.metrics_port:
        return
    import os
    import tempfile

    # PROMETHEUS_MULTIPROC_DIR is prometheus_client's own variable, not one of our settings: it
    # reads it itself, so the folder is handed over through the environment.
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="ft-worker-metrics-")
    from finance_tracker.ops.gunicorn import clean_multiprocess_dir

    clean_multiprocess_dir()
    from prometheus_client import start_http_server, values

    values.ValueClass = values.get_value_class()  # in case prometheus_client came in earlier
    from finance_tracker import __version__
    from finance_tracker.ops import metrics

    metrics.BUILD_INFO.labels(__version__, settings.git_commit).set(1)
    import redis

    # A client of its own, with timeouts: a hung Redis must not hang the scrape.
    connection = redis.Redis.from_url(redis_url, socket_timeout=2, socket_connect_timeout=2)
    registry = metrics.registry_for_scrape([metrics.QueueCollector(connection, queue_name)])
    start_http_server(settings.metrics_port, addr=settings.metrics_host, registry=registry)


@main.group()
def jobs() -> None:
    """Run background jobs once (for cron or a Kubernetes CronJob)."""


@jobs.command("run-recurring")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="Pretend today is this date.")
def jobs_run_recurring(today) -> None:  # type: ignore[no-untyped-def]
    """Create every recurring transaction that is due; running it twice creates nothing twice."""
    from finance_tracker.jobs.recurring import run_recurring
    from finance_tracker.store.database import Database

    settings = _settings()
    log = _log_as_deployed(settings)
    database = Database(settings.effective_database_url)
    try:
        report = run_recurring(database, today.date() if today else None)
    finally:
        database.dispose()
    log.log(
        logging.WARNING if report.failed else logging.INFO,
        "created %d recurring transactions (%d failed)",
        report.created,
        report.failed,
    )
    if report.failed:
        sys.exit(1)


@jobs.command("fetch-ecb-rates")
def jobs_fetch_ecb_rates() -> None:
    """Fetch the ECB's reference rates (ECB_RATES_URL) for the people who asked for them."""
    from finance_tracker.jobs.ecb_rates import FetchError, fetch_ecb_rates
    from finance_tracker.store.database import Database

    settings = _settings()
    log = _log_as_deployed(settings)
    database = Database(settings.effective_database_url)
    try:
        report = fetch_ecb_rates(database, settings.ecb_rates_url)
    except FetchError as error:
        log.warning("ECB rates not fetched: %s", error)
        sys.exit(1)
    finally:
        database.dispose()
    log.info(
        "ECB rates: %d people asked, %d rates written%s",
        report.people,
        report.rates_written,
        "" if report.fetched or not report.people else " (the file had not changed)",
    )


@jobs.command("clean-uploads")
@click.option(
    "--force", is_flag=True, help="Remove unknown files even when most of a folder is unknown."
)
def jobs_clean_uploads(force: bool) -> None:
    """Expire imports left unfinished for IMPORT_KEEP_HOURS; remove upload files no row needs."""
    from finance_tracker.jobs.uploads import clean_uploads_once, summary

    settings = _settings()
    log = _log_as_deployed(settings)
    report = clean_uploads_once(settings, force=force)
    refused = any(folder.refused for folder in report.folders.values())
    log.log(logging.WARNING if refused else logging.INFO, "%s", summary(report))
    if refused:
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


@main.command()
@click.option(
    "--target",
    envvar="TRAFFIC_TARGET",
    required=True,
    help="Base URL users reach: the web Service or the ingress host (TRAFFIC_TARGET).",
)
@click.option(
    "--rate",
    envvar="TRAFFIC_RATE",
    type=click.FloatRange(0, 10_000),
    default=5.0,
    show_default=True,
    help="User actions per second (TRAFFIC_RATE); change it while "
    "running with PUT /rate?value=N on the metrics port.",
)
@click.option(
    "--duration",
    type=click.FloatRange(0),
    default=0.0,
    envvar="TRAFFIC_DURATION",
    help="Stop after this many seconds (0: run until SIGTERM or --count).",
)
@click.option(
    "--count",
    type=click.IntRange(0),
    default=0,
    envvar="TRAFFIC_COUNT",
    help="Stop after this many actions (0: no limit).",
)
@click.option(
    "--users",
    type=click.IntRange(1),
    default=5,
    show_default=True,
    help="Simulated users created at the start (more join as the mix says).",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 256),
    default=8,
    show_default=True,
    help="Actions in flight at most; beyond it, actions are skipped, not queued.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(0.1),
    default=10.0,
    show_default=True,
    help="Seconds before a request counts as timed out.",
)
@click.option(
    "--host-header",
    envvar="TRAFFIC_HOST_HEADER",
    default="",
    help="Host header to send (the ingress host when the target is the Service and "
    "TRUSTED_HOSTS is set).",
)
@click.option(
    "--mix",
    type=click.Choice(["realistic", "writes"]),
    default="realistic",
    show_default=True,
    help="What users do: the realistic mix, or only API writes.",
)
@click.option(
    "--metrics-port",
    type=click.IntRange(0, 65535),
    default=9100,
    show_default=True,
    envvar="TRAFFIC_METRICS_PORT",
    help="Port of /metrics and /rate (0: a free one).",
)
@click.option(
    "--metrics-host",
    default="0.0.0.0",  # noqa: S104 - a sender in a pod is scraped from outside it
    show_default=True,
    help="Address of the metrics port.",
)
@click.option("--json-summary", is_flag=True, help="Print the summary as JSON.")
def traffic(target: str, rate: float, duration: float, count: int, users: int,  # noqa: PLR0913
            concurrency: int, timeout: float, host_header: str, mix: str, metrics_port: int,
            metrics_host: str, json_summary: bool) -> None:  # fmt: skip
    """Send realistic traffic (register, log in, add, browse, import) and report figures."""
    import json
    import signal

    from finance_tracker.loadgen.sender import DEFAULT_MIX, WRITES_ONLY, Sender, SenderConfig

    _log_as_deployed(_settings())
    log = logging.getLogger("finance_tracker.traffic")
    config = SenderConfig(
        target=target, rate=rate, duration=duration, count=count, users=users,
        concurrency=concurrency, timeout=timeout, host_header=host_header,
        mix=dict(WRITES_ONLY if mix == "writes" else DEFAULT_MIX),
    )  # fmt: skip
    sender = Sender(config)
    port = sender.serve_metrics(metrics_host, metrics_port)
    log.info("traffic: %g actions/s to %s; /metrics and /rate on port %d", rate, target, port,
             extra={"target": target, "rate": rate, "metrics_port": port})  # fmt: skip
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: sender.stop())
    summary = sender.run()
    sender.close()
    payload = {k: v for k, v in vars(summary).items() if k != "written_ids"}
    if json_summary:
        click.echo(json.dumps(payload, sort_keys=True))
    else:  # one JSON line like every other, the figures as a sentence and as fields
        log.info("traffic summary: %s", summary.text().replace("\n", "; "),
                 extra={"summary": payload})  # fmt: skip
