"""Finance Tracker: a self-hosted personal finance tracker. `create_app()` is the app factory.

Importing the package imports nothing heavy: `finance-tracker serve` starts its clock with only
click loaded, and a Redis client library nobody configured is never imported. Flask, SQLAlchemy
and the rest come in with `create_app` (tests/unit/test_startup.py keeps it that way).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import redis
    from flask import Flask

    from finance_tracker.settings import Settings
    from finance_tracker.store.database import Database

__version__ = "0.1.0"


@dataclass
class AppState:
    """What a running app holds: read once at start, shared by every request."""

    settings: Settings
    database: Database
    redis: redis.Redis | None
    draining: bool = False


def create_app(settings: Settings | None = None) -> Flask:
    from flask import Flask

    from finance_tracker import api, web
    from finance_tracker.ops import health, metrics
    from finance_tracker.ops import logging as ops_logging
    from finance_tracker.routing import BoundedIntConverter, LazyBuildRule
    from finance_tracker.settings import load_settings
    from finance_tracker.store import migrate
    from finance_tracker.store.database import Database

    settings = settings or load_settings()
    ops_logging.configure(settings.log_level)
    app = Flask(__name__, template_folder="web/templates", static_folder="web/static")
    if settings.proxy_hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    app.url_rule_class = LazyBuildRule  # every rule after Flask's own /static one
    app.url_map.converters["int"] = BoundedIntConverter
    app.config.update(
        SECRET_KEY=settings.effective_secret_key(),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.cookies_secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=settings.cookies_secure,
        MAX_CONTENT_LENGTH=16 * 1024 * 1024,
        WTF_CSRF_TIME_LIMIT=None,
        TRUSTED_HOSTS=settings.trusted_hosts or None,
    )
    if not settings.database_url:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    database = Database(settings.effective_database_url)
    client = None
    if settings.redis_url:
        import redis

        client = redis.Redis.from_url(
            settings.redis_url, socket_timeout=2, socket_connect_timeout=2
        )
    state = AppState(settings=settings, database=database, redis=client)
    app.extensions["finance_tracker"] = state

    if client is not None:
        from flask_session import Session as ServerSideSessions

        app.config.update(
            SESSION_TYPE="redis", SESSION_REDIS=client, SESSION_KEY_PREFIX="ft:session:"
        )
        ServerSideSessions(app)
        from finance_tracker.ops import sessions

        sessions.fail_soft(app)  # a Redis outage is a 503 page, not a 500 (ops/sessions.py)

    if settings.should_auto_migrate:
        migrate.upgrade(settings.effective_database_url)

    metrics.BUILD_INFO.labels(__version__, settings.git_commit).set(1)
    health.install(app)
    web.register(app)
    api.register(app)
    logging.getLogger(__name__).info(
        "app ready",
        extra={
            "env": settings.env.value,
            "database": database.engine.url.get_backend_name(),
            "redis": client is not None,
        },
    )
    return app


def state_of(app: Flask) -> AppState:
    return app.extensions["finance_tracker"]
