"""Only a live personal API token opens the API; the web session cookie does not."""

from __future__ import annotations

import pytest

from finance_tracker.services import tokens

from .helpers import assert_problem


def test_a_token_holder_sees_who_they_are(api):
    response = api.get("/api/v1/me")
    assert response.status_code == 200
    assert response.get_json()["email"] == "ada@example.com"
    assert response.get_json()["default_currency"] == "EUR"


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer ", "Basic YWRhOnNlY3JldA==", "Token ft_abc"],
    ids=["missing", "empty", "scheme-only", "blank-token", "basic", "other-scheme"],
)
def test_a_request_without_a_bearer_token_is_turned_away(client, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}
    response = client.get("/api/v1/accounts", headers=headers)
    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("token", ["ft_not-a-real-token", "no-prefix-at-all", "ft_" + "x" * 5000])
def test_an_unknown_token_is_turned_away(client, token):
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert_problem(response, 401)
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_a_revoked_token_stops_working(api, db):
    with db.session() as session:
        token = next(t for t in tokens.list_all(session, api.user_id))
        tokens.revoke(session, api.user_id, token.id)
    assert_problem(api.get("/api/v1/me"), 401)


def test_the_scheme_is_case_insensitive(api):
    response = api.client.get("/api/v1/me", headers={"Authorization": f"bearer {api.token}"})
    assert response.status_code == 200


def test_writes_need_the_token_too_and_write_nothing_without_it(client, api, count_rows):
    from finance_tracker.store.models import Account

    response = client.post(
        "/api/v1/accounts", json={"name": "Sneaky", "type": "cash", "currency": "EUR"}
    )
    assert_problem(response, 401)
    assert count_rows(Account) == 0


def test_a_signed_in_browser_session_does_not_open_the_api(browser):
    browser.register()
    assert_problem(browser.get("/api/v1/me"), 401)


def test_the_api_needs_no_csrf_token(api):
    """Token-authenticated writes are exempt from the web forms' CSRF check."""
    response = api.post("/api/v1/tags", json={"name": "groceries-run"})
    assert response.status_code == 201


def test_the_access_log_records_the_token_owner(api, caplog):
    with caplog.at_level("INFO", logger="finance_tracker.access"):
        api.get("/api/v1/me")
    records = [r for r in caplog.records if r.name == "finance_tracker.access"]
    assert records and records[-1].user_id == api.user_id


def test_answers_are_never_cached(api):
    assert api.get("/api/v1/me").headers["Cache-Control"] == "no-store"
    assert api.get("/api/v1/accounts/999").headers["Cache-Control"] == "no-store"
