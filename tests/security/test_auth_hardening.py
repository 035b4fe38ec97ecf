"""Brute force, enumeration, password rules, CSRF, session fixation, timeouts, open redirects,
logout that kills the server-side session, and the audit log."""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from finance_tracker.services import users
from finance_tracker.store.models import AuditEvent
from tests.conftest import Browser, csrf_from
from tests.security.conftest import PASSWORD, log_in


def events(db, email: str | None = None) -> list[str]:  # type: ignore[no-untyped-def]
    with db.session() as session:
        return list(session.scalars(select(AuditEvent.event).order_by(AuditEvent.id)))


def test_an_account_is_locked_after_n_failed_logins(make_app):
    app = make_app(login_failures_per_account=3)
    client = app.test_client()
    Browser(client).register("ada@example.com")
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").get_data(as_text=True))})
    for _ in range(3):
        assert log_in(client, "ada@example.com", "wrong password 123").status_code == 422
    # Locked: even the right password is refused, for 15 minutes.
    locked = log_in(client, "ada@example.com", PASSWORD)
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.get_data(as_text=True)
    # An unknown email is locked the same way: the lockout tells nothing about who exists.
    for _ in range(3):
        log_in(client, "nobody@example.com", "wrong password 123")
    assert log_in(client, "nobody@example.com", PASSWORD).status_code == 429
    # Another account from the same IP is not locked.
    other = app.test_client()
    Browser(other).register("bob@example.com")
    other.post("/logout", data={"csrf_token": csrf_from(other.get("/").get_data(as_text=True))})
    assert log_in(other, "bob@example.com").status_code == 302
    db = app.extensions["finance_tracker"].database
    recorded = events(db)
    assert recorded.count("login_failed") == 6
    assert "login_locked" in recorded


def test_failures_from_one_ip_are_limited_across_accounts(make_app):
    app = make_app(login_failures_per_ip=4, login_failures_per_account=100)
    client = app.test_client()
    for n in range(4):
        assert log_in(client, f"guess{n}@example.com", "wrong password 123").status_code == 422
    assert log_in(client, "guess9@example.com", "wrong password 123").status_code == 429


def test_successful_logins_do_not_count(make_app):
    app = make_app(login_failures_per_account=2)
    client = app.test_client()
    Browser(client).register("ada@example.com")
    for _ in range(5):
        client.post("/logout", data={"csrf_token": csrf_from(client.get("/").get_data(True))})
        assert log_in(client, "ada@example.com").status_code == 302


def test_a_database_outage_does_not_count_as_failed_logins(make_app, monkeypatch):
    app = make_app(login_failures_per_account=2, login_failures_per_ip=2)
    client = app.test_client()
    Browser(client).register("ada@example.com")
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").get_data(True))})

    def down(*_args: object, **_kwargs: object) -> None:
        raise OperationalError("SELECT", {}, Exception("connection refused"))

    with monkeypatch.context() as outage:
        outage.setattr(users, "authenticate", down)
        for _ in range(4):
            assert log_in(client, "ada@example.com").status_code == 503
    # Over: she signs in, not locked out by an outage that refused nobody.
    assert log_in(client, "ada@example.com").status_code == 302


def test_rate_limiting_can_be_switched_off(make_app):
    app = make_app(rate_limit_enabled=False, login_failures_per_account=1)
    client = app.test_client()
    for _ in range(5):
        assert log_in(client, "ada@example.com", "wrong password 123").status_code == 422


def test_login_messages_do_not_tell_who_has_an_account(app, client, browser):
    browser.register("ada@example.com")
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").get_data(True))})
    known = log_in(client, "ada@example.com", "wrong password 123").get_data(as_text=True)
    unknown = log_in(client, "nobody@example.com", "wrong password 123").get_data(as_text=True)
    assert "Email or password is wrong." in known

    def neutral(html: str, email: str) -> str:
        return re.sub(r'value="[^"]*"', 'value=""', html.replace(email, "X"))

    assert neutral(known, "ada@example.com") == neutral(unknown, "nobody@example.com")


@pytest.mark.parametrize(
    ("password", "problem"),
    [("short", "at least"), ("password1234", "too common"), ("qwertyuiop", "too common"),
     ("aaaaaaaaaaaa", "different"), ("ada@example.com", "email")],
)  # fmt: skip
def test_weak_passwords_are_refused(password: str, problem: str):
    found = users.password_problem(password, "ada@example.com")
    assert found is not None and problem in found


def test_a_good_password_is_accepted():
    assert users.password_problem("correct horse battery", "ada@example.com") is None


def test_passwords_are_argon2_hashes(app, browser, db):
    browser.register("ada@example.com")
    with db.session() as session:
        user = users.find_by_email(session, "ada@example.com")
        assert user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash


def test_register_refuses_a_common_password(app, client):
    page = client.get("/register").get_data(as_text=True)
    response = client.post("/register", data={
        "email": "ada@example.com", "password": "password1234", "confirm": "password1234",
        "default_currency": "EUR", "csrf_token": csrf_from(page),
    })  # fmt: skip
    assert response.status_code == 422
    assert "too common" in response.get_data(as_text=True)


@pytest.mark.parametrize("token", [None, "", "wrong", "IjEyMyI.abc.def"])
def test_a_post_without_a_right_csrf_token_is_refused(app, client, browser, token):
    browser.register("ada@example.com")
    data = {"name": "x", "type": "checking", "currency": "EUR", "opening_balance": "0"}
    if token is not None:
        data["csrf_token"] = token
    for url in ("/accounts/new", "/settings/tokens", "/logout"):
        response = client.post(url, data=data)
        assert response.status_code == 400, url
        assert "CSRF" in response.get_data(as_text=True)
    # A token from another session does not work either.
    other = app.test_client()
    foreign = csrf_from(other.get("/login").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": foreign}).status_code == 400


def test_login_and_register_need_csrf(app, client):
    response = client.post("/login", data={"email": "a@example.com", "password": PASSWORD})
    assert response.status_code == 400


def test_login_starts_a_fresh_session(app, client, browser):
    """Session fixation: whatever the session held before login is gone after it."""
    browser.register("ada@example.com")
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").get_data(True))})
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
        before_csrf = session.get("csrf_token")
    assert log_in(client, "ada@example.com").status_code == 302
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("csrf_token") != before_csrf
        assert session["auth_at"] and session["seen_at"]


def test_redis_sessions_get_a_new_id_on_login_and_die_on_logout(make_app, redis_url):
    app = make_app(redis_url=redis_url)
    client = app.test_client()
    client.get("/login")
    before = client.get_cookie("session").value
    Browser(client).register("ada@example.com")
    signed_in = client.get_cookie("session").value
    assert signed_in != before  # a new session id: no fixation
    assert client.get("/settings/").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").get_data(True))})
    # Replaying the old cookie after logout: the server-side session is gone.
    thief = app.test_client()
    thief.set_cookie("session", signed_in)
    response = thief.get("/settings/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_an_idle_session_ends(app, client, browser):
    browser.register("ada@example.com")
    assert client.get("/settings/").status_code == 200
    with client.session_transaction() as session:
        session["seen_at"] = int(time.time()) - 61 * 60
    response = client.get("/settings/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert client.get("/settings/").status_code == 302  # and stays ended


def test_a_session_ends_after_the_absolute_lifetime_however_busy(app, client, browser):
    browser.register("ada@example.com")
    with client.session_transaction() as session:
        session["auth_at"] = int(time.time()) - 12 * 3600 - 1
    assert client.get("/settings/").status_code == 302


def test_an_active_session_is_kept_alive(app, client, browser):
    browser.register("ada@example.com")
    with client.session_transaction() as session:
        session["seen_at"] = int(time.time()) - 50 * 60
    assert client.get("/settings/").status_code == 200
    with client.session_transaction() as session:
        assert int(time.time()) - session["seen_at"] < 5


EVIL_NEXT = [
    "https://evil.example/", "//evil.example/", "///evil.example/", "/\\evil.example",
    "\\\\evil.example", "https:evil.example", "javascript:alert(1)", "%2F%2Fevil.example",
    " //evil.example", "/%09/evil.example", "http://localhost.evil.example/",
]  # fmt: skip


@pytest.mark.parametrize("target", EVIL_NEXT)
def test_next_never_redirects_off_site(app, client, browser, target):
    browser.register("ada@example.com")
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").get_data(True))})
    from urllib.parse import quote

    response = log_in(client, "ada@example.com", next_url=quote(target, safe=""))
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location
    assert "evil" not in location or location.startswith("/%"), location


def test_next_keeps_a_local_path(app, client, browser):
    browser.register("ada@example.com")
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").get_data(True))})
    response = log_in(client, "ada@example.com", next_url="/transactions/%3Fpage%3D2")
    assert response.headers["Location"] == "/transactions/?page=2"


def test_security_events_are_audited(app, client, browser, db):
    browser.register("ada@example.com")
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").get_data(True))})
    log_in(client, "ada@example.com", "wrong password 123")
    log_in(client, "ada@example.com")
    browser.submit("/settings/", {"name": "sync", "scope": "read", "expires_in_days": "7"},
                   action="/settings/tokens")  # fmt: skip
    client.get("/settings/backup")
    recorded = events(db)
    for event in ("register", "logout", "login_failed", "login", "token_created", "export"):
        assert event in recorded, recorded
    page = client.get("/settings/").get_data(as_text=True)
    assert "token created" in page and "login failed" in page
    with db.session() as session:
        details = " ".join(d or "" for d in session.scalars(select(AuditEvent.detail)))
    assert PASSWORD not in details and "wrong password" not in details
