"""What an operator and Prometheus see: health, readiness, metrics and JSON logs."""

import json
import logging
import time

from flask_login.utils import _create_identifier

from finance_tracker import create_app


def login_identifier(app, client):
    environ = {
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_USER_AGENT": client.environ_base["HTTP_USER_AGENT"],
    }
    with app.test_request_context(environ_base=environ):
        return _create_identifier()


def test_liveness_needs_nothing_but_the_process(client):
    assert client.get("/healthz").json == {"status": "ok"}


def test_readiness_checks_the_database_and_the_schema(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["checks"] == {"database": "ok"}


def test_readiness_fails_with_503_when_the_database_is_gone(settings_for):
    app = create_app(settings_for("postgresql+psycopg://postgres@127.0.0.1:1/nothing"))
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["database"].startswith("unreachable")


def test_readiness_fails_when_migrations_are_missing(settings_for, tmp_path):
    app = create_app(settings_for(f"sqlite:///{tmp_path / 'never-migrated.db'}"))
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["database"] == "schema not at head"


def test_pages_answer_503_not_500_when_the_database_is_gone(settings_for):
    app = create_app(settings_for("postgresql+psycopg://postgres@127.0.0.1:1/nothing"))
    client = app.test_client()
    assert client.get("/login").status_code == 200  # a page with no database work still renders
    client.get("/login")
    with client.session_transaction() as session:
        # A signed-in visitor: loading them needs the database.
        session["_user_id"] = "1"
        session["_fresh"] = True
        session["_id"] = login_identifier(app, client)
        session["auth_at"] = session["seen_at"] = int(time.time())  # a live, not timed-out, login
    response = client.get("/accounts/")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "database is unavailable" in response.get_data(as_text=True)


def test_metrics_count_requests_by_route_template(browser, client):
    browser.register()
    client.get("/no/such/page")
    body = client.get("/metrics").get_data(as_text=True)
    assert 'http_requests_total{method="POST",route="/register",status="302"}' in body
    assert 'route="unmatched",status="404"' in body
    assert "http_request_duration_seconds_bucket" in body
    assert "finance_tracker_build_info{" in body
    assert "finance_tracker_users_registered_total" in body


def test_each_request_is_logged_as_json_with_its_request_id(client, caplog):
    caplog.set_level(logging.INFO, logger="finance_tracker.access")
    response = client.get("/login", headers={"X-Request-ID": "abc-123"})
    assert response.headers["X-Request-ID"] == "abc-123"
    record = next(r for r in caplog.records if r.name == "finance_tracker.access")
    assert (record.route, record.status, record.method) == ("/login", 200, "GET")
    assert record.duration_ms >= 0
    formatter = logging.getLogger().handlers[0].formatter
    line = json.loads(formatter.format(record))
    assert line["message"] == "request" and line["route"] == "/login"


def test_trusted_hosts_guard_pages_but_not_probes(database_url, settings_for):
    app = create_app(settings_for(database_url, trusted_hosts="tracker.example.com"))
    client = app.test_client()
    assert client.get("/login", headers={"Host": "10.1.2.3:5000"}).status_code == 400
    assert client.get("/login", headers={"Host": "tracker.example.com"}).status_code == 200
    for probe in ("/healthz", "/readyz", "/metrics"):
        assert client.get(probe, headers={"Host": "10.1.2.3:5000"}).status_code == 200, probe
