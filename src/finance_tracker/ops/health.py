"""Liveness, readiness and metrics endpoints, plus per-request metrics and access logs."""

from __future__ import annotations

import logging
import time
import uuid

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request
from sqlalchemy.exc import SQLAlchemyError

from finance_tracker.ops import metrics
from finance_tracker.store.migrate import is_at_head

blueprint = Blueprint("ops", __name__)
access_log = logging.getLogger("finance_tracker.access")
QUIET_ROUTES = {"/healthz", "/readyz", "/metrics"}


@blueprint.get("/healthz")
def healthz() -> Response:
    return jsonify(status="ok")


@blueprint.get("/readyz")
def readyz() -> tuple[Response, int]:
    state = current_app.extensions["finance_tracker"]
    checks: dict[str, str] = {}
    if state.draining:
        checks["shutdown"] = "draining"
    try:
        state.database.ping()
        checks["database"] = "ok" if is_at_head(state.database.engine) else "schema not at head"
    except SQLAlchemyError as error:
        checks["database"] = f"unreachable: {type(error).__name__}"
    if state.redis is not None:
        import redis  # only where Redis is configured

        try:
            state.redis.ping()
            checks["redis"] = "ok"
        except redis.RedisError as error:
            checks["redis"] = f"unreachable: {type(error).__name__}"
    ready = all(v == "ok" for k, v in checks.items() if k != "shutdown") and not state.draining
    return jsonify(status="ready" if ready else "not ready", checks=checks), 200 if ready else 503


@blueprint.get("/metrics")
def metrics_endpoint() -> Response:
    state = current_app.extensions["finance_tracker"]
    dependencies = metrics.DependencyCollector(state.database, state.redis)
    body, content_type = metrics.exposition([dependencies])
    return Response(body, content_type=content_type)


def _route() -> str:
    rule = request.url_rule
    return rule.rule if rule is not None else "unmatched"


def _probes_skip_host_check(app: Flask) -> None:
    """Kubelet probes and Prometheus scrapes come by pod IP, which TRUSTED_HOSTS would refuse
    with a 400: give those three paths a trusted host; every other path is checked as set."""
    trusted = app.config.get("TRUSTED_HOSTS")
    if not trusted:
        return
    inner = app.wsgi_app

    def wsgi_app(environ, start_response):  # type: ignore[no-untyped-def]
        if environ.get("PATH_INFO") in QUIET_ROUTES:
            environ["HTTP_HOST"] = trusted[0]
        return inner(environ, start_response)

    app.wsgi_app = wsgi_app  # type: ignore[method-assign]


def install(app: Flask) -> None:
    app.register_blueprint(blueprint)
    _probes_skip_host_check(app)

    @app.before_request
    def _start() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = (
            incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else uuid.uuid4().hex
        )
        g.started = time.perf_counter()
        metrics.HTTP_IN_FLIGHT.inc()
        g.in_flight = True

    @app.teardown_request
    def _leave(_error: BaseException | None) -> None:
        if g.pop("in_flight", False):
            metrics.HTTP_IN_FLIGHT.dec()

    @app.after_request
    def _finish(response: Response) -> Response:
        response.headers["X-Request-ID"] = g.get("request_id", "")
        started = g.pop("started", None)
        if started is None:
            return response
        duration = time.perf_counter() - started
        route = _route()
        metrics.HTTP_REQUESTS.labels(request.method, route, str(response.status_code)).inc()
        metrics.HTTP_REQUEST_DURATION.labels(request.method, route).observe(duration)
        if route not in QUIET_ROUTES or response.status_code >= 400:
            access_log.info(
                "request",
                extra={
                    "method": request.method,
                    "route": route,
                    "status": response.status_code,
                    "duration_ms": round(duration * 1000, 2),
                    "user_id": g.get("user_id"),
                },
            )
        return response
