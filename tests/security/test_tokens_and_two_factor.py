"""API tokens: scoped, expiring, revocable, last use recorded. TOTP two-factor with recovery
codes."""

from __future__ import annotations

import datetime as dt
import re

import pyotp
from sqlalchemy import select

from finance_tracker.services import tokens, users
from finance_tracker.store.models import ApiToken, AuditEvent
from tests.conftest import Browser, csrf_from
from tests.security.conftest import PASSWORD, log_in

TOKEN = re.compile(r'value="(ft_[^"]+)"')


def new_token(browser: Browser, **fields: str) -> str:
    response = browser.submit("/settings/", {"name": "t", **fields}, action="/settings/tokens")
    assert response.status_code == 201, response.get_data(as_text=True)[:500]
    match = TOKEN.search(response.get_data(as_text=True))
    assert match
    return match.group(1)


def api(client, token: str, method: str = "GET", url: str = "/api/v1/accounts", **kwargs):  # type: ignore[no-untyped-def]
    return client.open(url, method=method, headers={"Authorization": f"Bearer {token}"}, **kwargs)


def test_tokens_are_stored_hashed_and_scoped(app, client, browser, db):
    browser.register("ada@example.com")
    read = new_token(browser, scope="read", expires_in_days="30")
    write = new_token(browser, scope="read-write", expires_in_days="")
    with db.session() as session:
        stored = list(session.scalars(select(ApiToken)))
    assert all(t.token_hash not in (read, write) and len(t.token_hash) == 64 for t in stored)
    assert {t.scope for t in stored} == {"read", "read-write"}
    assert sorted(t.expires_at is None for t in stored) == [False, True]
    account = {"name": "Checking", "type": "checking", "currency": "EUR"}
    assert api(client, read).status_code == 200
    refused = api(client, read, "POST", json=account)
    assert refused.status_code == 403
    assert "insufficient_scope" in refused.headers["WWW-Authenticate"]
    assert api(client, write, "POST", json=account).status_code == 201
    with db.session() as session:
        assert all(t.last_used_at is not None for t in session.scalars(select(ApiToken)))
    # Shown once: the settings page lists the prefix, never the token again.
    page = client.get("/settings/").get_data(as_text=True)
    assert read not in page and write not in page and "read-write" in page


def test_expired_and_revoked_tokens_are_refused(app, client, browser, db):
    browser.register("ada@example.com")
    token = new_token(browser, scope="read", expires_in_days="7")
    assert api(client, token).status_code == 200
    with db.session() as session, session.begin():
        row = session.scalar(select(ApiToken))
        row.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    expired = api(client, token)
    assert expired.status_code == 401 and "expired" in expired.get_json()["detail"]
    other = new_token(browser, scope="read-write")
    with db.session() as session:
        other_id = session.scalar(select(ApiToken.id).where(ApiToken.scope == "read-write"))
    browser.submit("/settings/", {}, action=f"/settings/tokens/{other_id}/revoke")
    assert api(client, other).status_code == 401
    with db.session() as session:
        recorded = set(session.scalars(select(AuditEvent.event)))
    assert {"token_created", "token_revoked"} <= recorded


def test_token_service_checks_scope_and_lifetime(app, db, browser):
    browser.register("ada@example.com")
    with db.session() as session, session.begin():
        user = users.find_by_email(session, "ada@example.com")
        for bad in ({"scope": "admin"}, {"expires_in_days": 0}, {"expires_in_days": 99999}):
            try:
                tokens.create(session, user.id, "x", **bad)  # type: ignore[arg-type]
            except Exception as error:  # noqa: BLE001
                assert type(error).__name__ == "InvalidInput"
            else:
                raise AssertionError(bad)


def enable_two_factor(browser: Browser) -> tuple[str, list[str]]:
    page = browser.submit("/settings/", {}, action="/settings/2fa/start").get_data(as_text=True)
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page).group(1)
    wrong = browser.submit("/settings/", {"code": "000000"}, action="/settings/2fa/confirm")
    assert wrong.status_code == 422
    done = browser.submit(
        "/settings/", {"code": pyotp.TOTP(secret).now()}, action="/settings/2fa/confirm"
    )
    assert done.status_code == 201
    codes = re.findall(r"<li><code>([0-9a-f]{5}-[0-9a-f]{5})</code></li>", done.get_data(True))
    assert len(codes) == 10
    return secret, codes


def test_two_factor_login_with_totp_and_recovery_codes(app, client, browser, db):
    browser.register("ada@example.com")
    secret, codes = enable_two_factor(browser)
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").get_data(True))})

    # The right password alone does not sign in.
    step = log_in(client, "ada@example.com", PASSWORD, next_url="/accounts/")
    assert step.status_code == 302 and step.headers["Location"] == "/login/2fa"
    assert client.get("/settings/").status_code == 302
    wrong = browser.submit("/login/2fa", {"code": "123456"})
    assert wrong.status_code == 422
    ok = browser.submit("/login/2fa", {"code": pyotp.TOTP(secret).now()})
    assert ok.status_code == 302 and ok.headers["Location"] == "/accounts/"
    assert client.get("/settings/").status_code == 200

    # A recovery code works once.
    for attempt in (1, 2):
        client.post("/logout", data={"csrf_token": csrf_from(client.get("/").get_data(True))})
        log_in(client, "ada@example.com", PASSWORD)
        response = browser.submit("/login/2fa", {"code": codes[0].upper()})
        assert response.status_code == (302 if attempt == 1 else 422)
    ok = browser.submit("/login/2fa", {"code": codes[1]})
    assert ok.status_code == 302
    assert "8 recovery codes left" in client.get("/settings/").get_data(as_text=True)

    # Turning it off needs a code.
    assert (
        browser.submit("/settings/", {"code": "1"}, action="/settings/2fa/disable").status_code
        == 422
    )
    off = browser.submit(
        "/settings/", {"code": pyotp.TOTP(secret).now()}, action="/settings/2fa/disable"
    )
    assert off.status_code == 302
    with db.session() as session:
        recorded = list(session.scalars(select(AuditEvent.event)))
    for event in ("2fa_enabled", "recovery_code_used", "2fa_disabled"):
        assert event in recorded


def test_the_second_step_is_locked_after_n_wrong_codes(make_app):
    app = make_app(login_failures_per_account=3)
    client = app.test_client()
    browser = Browser(client)
    browser.register("ada@example.com")
    secret, _ = enable_two_factor(browser)
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").get_data(True))})
    log_in(client, "ada@example.com")
    for _ in range(3):
        assert browser.submit("/login/2fa", {"code": "000000"}).status_code == 422
    assert browser.submit("/login/2fa", {"code": pyotp.TOTP(secret).now()}).status_code == 429
