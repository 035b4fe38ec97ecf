def test_a_visitor_registers_and_lands_on_new_account(browser):
    response = browser.register()
    assert response.headers["Location"].endswith("/accounts/new")
    assert browser.get("/").status_code == 200
