"""Every response carries the security headers and a strict, nonce-free CSP; no page has an
inline script, inline event handler or style attribute that the CSP would block. The pages come
from the URL map and the API operations from the OpenAPI spec, so a new one is checked too."""

from __future__ import annotations

import re
from pathlib import Path

from finance_tracker.web.security import CONTENT_SECURITY_POLICY, HSTS
from tests.integration.web.routes import page_rules, url_for_rule

TEMPLATES = Path(__file__).parents[2] / "src/finance_tracker/web/templates"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.I)
INLINE_STYLE = re.compile(r"<style\b", re.I)
JAVASCRIPT_URL = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.I)


def assert_headers(response, where: str) -> None:  # type: ignore[no-untyped-def]
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    assert csp, where
    if "sandbox" not in csp:  # a receipt keeps its own stricter policy
        assert csp == CONTENT_SECURITY_POLICY, where
    for directive in csp.split(";"):
        assert "'unsafe-inline'" not in directive and "'unsafe-eval'" not in directive, where
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("X-Frame-Options") == "DENY", where
    assert headers.get("Referrer-Policy") == "same-origin", where
    assert "Strict-Transport-Security" not in headers, where  # plain HTTP, development


def assert_no_inline_code(html: str, where: str) -> None:
    for pattern in (INLINE_SCRIPT, EVENT_HANDLER, STYLE_ATTRIBUTE, INLINE_STYLE, JAVASCRIPT_URL):
        match = pattern.search(html)
        assert match is None, f"{where}: {match.group(0) if match else ''}"


def test_the_policy_is_strict_and_same_origin_only():
    directives = dict(d.strip().split(" ", 1) for d in CONTENT_SECURITY_POLICY.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "nonce-" not in CONTENT_SECURITY_POLICY


def test_no_template_has_inline_code():
    for template in sorted(TEMPLATES.rglob("*.html")):
        assert_no_inline_code(template.read_text(), str(template.relative_to(TEMPLATES)))


def test_every_page_has_the_headers_signed_in_and_out(app, client, browser):
    anonymous = app.test_client()
    browser.register("headers@example.com")
    account = browser.submit(
        "/accounts/new",
        {"name": "Checking", "type": "checking", "currency": "EUR", "opening_balance": "0"},
    )
    assert account.status_code == 302
    ids = dict.fromkeys(
        ["account_id", "transaction_id", "category_id", "tag_id", "token_id", "budget_id",
         "recurring_id", "rule_id", "batch_id", "receipt_id", "to_account_id"], 1,
    )  # fmt: skip
    walked = 0
    for rule in page_rules(app):
        if "GET" not in (rule.methods or ()):
            continue
        url = url_for_rule(app, rule, ids)
        for who, visitor in (("signed in", client), ("anonymous", anonymous)):
            response = visitor.get(url)
            where = f"{who} GET {url} ({response.status_code})"
            assert_headers(response, where)
            if response.mimetype == "text/html":
                assert_no_inline_code(response.get_data(as_text=True), where)
            response.close()  # a streamed download (CSV) ends here
            walked += 1
    assert walked >= 40
    for url in ("/static/app.js", "/static/app.css", "/nowhere", "/api/v1/accounts",
                "/api/v1/openapi.json", "/healthz"):  # fmt: skip
        response = client.get(url)
        assert_headers(response, url)
        response.close()


def test_every_api_operation_has_the_headers(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path, item in spec["paths"].items():
        url = re.sub(r"\{[^}]+\}", "1", path)
        for method in item:
            if method in {"get", "post", "put", "patch", "delete"}:
                response = client.open(url, method=method.upper())
                assert response.status_code == 401, f"{method} {url}"
                assert_headers(response, f"{method} {url}")
                response.close()


def test_hsts_behind_tls(app, client):
    response = client.get("/login", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"] == HSTS


def test_production_cookies_are_secure(database_url, settings_for):
    settings = settings_for(database_url, FINANCE_TRACKER_ENV="production")
    from finance_tracker import create_app

    application = create_app(settings)
    try:
        assert application.config["SESSION_COOKIE_SECURE"] is True
        assert application.config["SESSION_COOKIE_HTTPONLY"] is True
        assert application.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    finally:
        application.extensions["finance_tracker"].database.dispose()
