"""Fast check of ops/sessions.py with Redis unreachable (a closed port): pages 503, probes and
the API answer as designed, never 500. The live outage is test_redis_outage.py."""

from __future__ import annotations

from finance_tracker import create_app

CLOSED = "redis://127.0.0.1:1/0"


def test_without_redis_pages_are_503_and_nothing_is_500(sqlite_database, settings_for) -> None:  # type: ignore[no-untyped-def]
    from finance_tracker.store import migrate

    migrate.upgrade(sqlite_database)
    app = create_app(settings_for(sqlite_database, redis_url=CLOSED))
    client = app.test_client()
    login = client.get("/login")
    assert login.status_code == 503
    assert "Sign-in is unavailable" in login.get_data(as_text=True)
    assert login.headers.get("Retry-After") == "5"
    # No form could be obtained, so a post has no CSRF token: refused, not a 500.
    assert client.post("/login", data={"email": "a@example.com"}).status_code in (400, 503)
    assert client.get("/").status_code == 503
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 503
    assert client.get("/api/v1/accounts").status_code == 401
    app.extensions["finance_tracker"].database.dispose()
