"""Every page needs a signed-in person, and every form post needs the CSRF token."""

from __future__ import annotations

from tests.integration.web.routes import methods, page_rules, url_for_rule

PUBLIC = {"auth.login", "signup.register", "passwords.forgot", "ops.healthz", "ops.readyz",
          "ops.metrics_endpoint"}  # fmt: skip
# Links sent by email: public, and a link that is not one we signed is a 400.
EMAILED_LINKS = {"signup.finish", "passwords.reset"}
# A step of logging in: without a right password first, it sends the visitor back to log in.
LOGIN_STEPS = {"auth.second_factor"}
IDS = {"account_id": 1, "transaction_id": 1, "category_id": 1, "tag_id": 1, "token_id": 1,
       "budget_id": 1, "recurring_id": 1, "rule_id": 1, "batch_id": 1, "receipt_id": 1,
       "rate_id": 1}  # fmt: skip


def test_a_visitor_is_sent_to_log_in_from_every_private_page(app, client):
    for rule in page_rules(app):
        if "GET" not in methods(rule):
            continue
        url = url_for_rule(app, rule, IDS)
        response = client.get(url)
        if rule.endpoint in PUBLIC:
            assert response.status_code == 200, url
        elif rule.endpoint in EMAILED_LINKS:
            assert response.status_code == 400, url
        elif rule.endpoint in LOGIN_STEPS:
            assert response.status_code == 302, url
            assert response.headers["Location"].startswith("/login"), url
        else:
            assert response.status_code == 302, url
            assert response.headers["Location"].startswith("/login?next="), url


def test_a_post_without_the_csrf_token_is_refused(app, ada, client, db):
    for signed_in in (ada.browser.client, client):  # Ada, then an anonymous visitor
        for rule in page_rules(app):
            if "POST" not in methods(rule):
                continue
            url = url_for_rule(app, rule, IDS)
            response = signed_in.post(url, data={"name": "x", "email": "e@example.com"})
            assert response.status_code == 400, url
            assert "CSRF" in response.get_data(as_text=True), url
    assert "ada@example.com" in ada.page("/settings/")  # the logout post did not log her out


def test_private_pages_are_never_cached(app, ada):
    ids = {"account_id": ada.open_account("Checking"), "transaction_id": 0, "category_id": 0}
    for url in ("/", "/transactions/", "/accounts/", f"/accounts/{ids['account_id']}",
                "/categories/", "/settings/", "/transactions/new", "/budgets/", "/recurring/",
                "/rules/", "/reports/", "/reports/spending-by-category"):  # fmt: skip
        assert ada.get(url).headers["Cache-Control"] == "no-store", url
