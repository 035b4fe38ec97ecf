"""Hostile values in URLs and forms get a 4xx, never a 500."""


def test_an_id_too_large_for_the_database_is_simply_not_found(browser):
    browser.register()
    for url in ("/transactions/99999999999999999999/edit", "/accounts/2147483648"):
        assert browser.get(url).status_code == 404


def test_a_nul_character_in_a_form_or_query_is_refused(browser):
    browser.register()
    assert browser.get("/transactions/?text=a%00b").status_code == 400
    response = browser.submit(
        "/accounts/new",
        {"name": "Check\x00ing", "type": "checking", "currency": "EUR", "opening_balance": "0"},
    )
    assert response.status_code == 400


def test_behind_a_proxy_the_client_address_and_scheme_are_believed(database_url, settings_for):
    from flask import request

    from finance_tracker import create_app

    app = create_app(settings_for(database_url, proxy_hops=1))
    seen = {}

    @app.get("/__whoami")
    def whoami():  # type: ignore[no-untyped-def]
        seen.update(ip=request.remote_addr, secure=request.is_secure)
        return "ok"

    headers = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    app.test_client().get("/__whoami", headers=headers)
    assert seen == {"ip": "203.0.113.9", "secure": True}
