"""The person's locale and language through the API (/me), and the API's own formats, which
never follow them: decimal strings like "42.50", ISO dates, whatever the locale. Payee and
category suggestions, running balances in a search of one account."""

from __future__ import annotations

from .helpers import assert_problem


def test_me_says_the_locale_and_the_language_and_changes_them(api):
    me = api.get("/api/v1/me").get_json()
    assert (me["locale"], me["language"], me["language_shown"]) == ("en_US", None, "en")

    changed = api.patch("/api/v1/me", json={"locale": "de_AT"})
    assert changed.status_code == 200, changed.get_json()
    assert (changed.get_json()["locale"], changed.get_json()["language_shown"]) == ("de_AT", "de")

    english = api.patch("/api/v1/me", json={"language": "en"}).get_json()
    assert (english["locale"], english["language"], english["language_shown"]) == (
        "de_AT", "en", "en",
    )  # fmt: skip
    own = api.patch("/api/v1/me", json={"language": None}).get_json()
    assert (own["language"], own["language_shown"]) == (None, "de")
    assert api.get("/api/v1/me").get_json()["locale"] == "de_AT"  # kept


def test_a_locale_or_language_not_offered_is_refused(api):
    assert_problem(api.patch("/api/v1/me", json={"locale": "xx_YY"}), 422, "locale")
    assert_problem(api.patch("/api/v1/me", json={"language": "it"}), 422, "language")
    assert api.get("/api/v1/me").get_json()["locale"] == "en_US"


def test_a_german_persons_api_keeps_the_machine_formats(api):
    api.patch("/api/v1/me", json={"locale": "de_DE"})
    giro = api.account("Girokonto", opening="1000.00")
    expense = api.transaction(
        kind="expense", account_id=giro["id"], date="2026-03-07", amount="1234.56", payee="Möbel"
    )
    assert (expense["amount"], expense["date"]) == ("1234.56", "2026-03-07")
    assert api.get(f"/api/v1/accounts/{giro['id']}").get_json()["balance"] == "-234.56"
    csv = api.get("/api/v1/exports/transactions.csv").get_data(as_text=True)
    assert "2026-03-07,Girokonto,expense,-1234.56,EUR,Möbel" in csv

    # The person's own way of writing is not the API's: refused, nothing saved.
    for amount in ("42,50", "1.234,56", "1,234.56"):
        body = assert_problem(
            api.post("/api/v1/transactions", json={
                "kind": "expense", "account_id": giro["id"], "date": "2026-03-08",
                "amount": amount,
            }),
            422, "amount",
        )  # fmt: skip
        assert body["errors"]["amount"]
    assert_problem(
        api.post("/api/v1/transactions", json={
            "kind": "expense", "account_id": giro["id"], "date": "08.03.2026", "amount": "1.00",
        }),
        422, "date",
    )  # fmt: skip
    listed = api.get(f"/api/v1/transactions?account_id={giro['id']}").get_json()
    assert listed["pagination"]["total"] == 1


def test_the_spec_says_the_formats_do_not_follow_the_locale(api):
    spec = api.get("/api/v1/openapi.json").get_json()
    description = spec["info"]["description"]
    assert "whatever the locale" in description
    assert '"42.50"' in description and '"2026-12-31"' in description
    me = spec["components"]["schemas"]["Me"]["properties"]
    assert "never change" in me["locale"]["description"]


def test_payees_from_the_persons_own_history(api, other_api):
    checking = api.account("Checking")
    groceries = api.category_id("Food › Groceries")
    for day, payee in (("2026-01-02", "Lidl"), ("2026-01-09", "Lidl"), ("2026-01-05", "Library")):
        api.transaction(kind="expense", account_id=checking["id"], date=day, amount="5",
                        payee=payee, category_id=groceries)  # fmt: skip
    theirs = other_api.account("Theirs")
    other_api.transaction(kind="expense", account_id=theirs["id"], date="2026-01-01",
                          amount="1", payee="Lindt")  # fmt: skip

    found = api.get("/api/v1/payees?prefix=li").get_json()["items"]
    assert [(p["payee"], p["transactions"]) for p in found] == [("Lidl", 2), ("Library", 1)]
    assert found[0]["last_date"] == "2026-01-09"
    assert api.get("/api/v1/payees").get_json()["items"] == []  # no prefix, nothing offered
    assert [p["payee"] for p in other_api.get("/api/v1/payees?prefix=Li").get_json()["items"]] == [
        "Lindt"
    ]

    suggested = api.get("/api/v1/payees/category?payee=lidl").get_json()
    assert (suggested["category_id"], suggested["source"], suggested["last_date"]) == (
        groceries, "history", "2026-01-09",
    )  # fmt: skip
    nothing = api.get("/api/v1/payees/category?payee=Lindt").get_json()  # someone else's
    assert nothing["category_id"] is None
    assert_problem(
        api.get(f"/api/v1/payees/category?payee=Lidl&account_id={theirs['id']}"), 422, "account_id"
    )


def test_a_search_of_one_account_by_date_has_running_balances(api):
    checking = api.account("Checking", opening="100.00")
    savings = api.account("Savings")
    api.transaction(kind="expense", account_id=checking["id"], date="2026-01-02", amount="30")
    api.transaction(kind="income", account_id=checking["id"], date="2026-01-03", amount="12.50")
    api.transaction(kind="transfer", account_id=checking["id"], to_account_id=savings["id"],
                    date="2026-01-04", amount="50")  # fmt: skip

    newest = api.get(f"/api/v1/transactions?account_id={checking['id']}&sort=date").get_json()
    assert [t["running_balance"] for t in newest["items"]] == ["32.50", "82.50", "70.00"]
    assert newest["items"][0]["running_balance_minor"] == 3250
    oldest = api.get(
        f"/api/v1/transactions?account_id={checking['id']}&sort=date&order=asc"
    ).get_json()
    assert [t["running_balance"] for t in oldest["items"]] == ["70.00", "82.50", "32.50"]
    # Page two carries on from page one.
    second = api.get(
        f"/api/v1/transactions?account_id={checking['id']}&sort=date&per_page=1&page=2"
    ).get_json()
    assert [t["running_balance"] for t in second["items"]] == ["82.50"]

    by_amount = api.get(f"/api/v1/transactions?account_id={checking['id']}&sort=amount")
    assert "running_balance" not in by_amount.get_json()["items"][0]
    unfiltered = api.get("/api/v1/transactions?sort=date").get_json()["items"][0]
    assert "running_balance" not in unfiltered
