"""Every error under /api/ is problem JSON; the web's HTML error pages stay as they are."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError

from finance_tracker.services import users

from .helpers import assert_problem


@pytest.mark.parametrize(
    "url", ["/api/v1/nothing-here", "/api/v2/accounts", "/api/", "/api/v1/accounts/1/extra"]
)
def test_an_unknown_api_url_is_a_problem_404(api, url):
    assert_problem(api.get(url), 404)
    assert_problem(api.post(url, json={}), 404)


@pytest.mark.parametrize(
    ("method", "url"),
    [("DELETE", "/api/v1/accounts"), ("POST", "/api/v1/me"), ("PUT", "/api/v1/transactions")],
)
def test_a_wrong_method_is_a_problem_405_that_says_what_is_allowed(api, method, url):
    response = api.request(method, url, json={})
    assert_problem(response, 405)
    assert "GET" in response.headers["Allow"]


def test_web_pages_keep_their_html_error_pages(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "problem" not in response.content_type


def test_an_unexpected_failure_is_a_problem_500_that_leaks_nothing(api, app, monkeypatch):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def explode(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("internal secret: connection string")

    monkeypatch.setattr(users, "get", explode)
    body = assert_problem(api.get("/api/v1/me"), 500)
    assert "secret" not in str(body)


def test_a_database_outage_is_a_problem_503(api, app, monkeypatch):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def unreachable(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(users, "get", unreachable)
    response = api.get("/api/v1/me")
    assert_problem(response, 503)
    assert response.headers["Retry-After"]


def test_problems_answer_in_the_problem_media_type_with_the_status_phrase(api):
    body = assert_problem(api.get("/api/v1/accounts/12345"), 404)
    assert body == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "No such account.",
    }
