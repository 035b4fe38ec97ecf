"""Ada keeps a euro account and a dollar account: the dashboard adds them up in euros once she
has a rate, says which rate is missing until then, and the rates page takes rates by hand and
the ECB's files."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

from tests.integration.web.story import TODAY, form_errors

RATES = Path(__file__).parents[2] / "rates"


def figure(page: str, block: str, name: str) -> str:
    section = page.split(f'data-currency="{block}"')[1]
    found = re.search(rf'data-figure="{name}">(.*?)</p>', section, re.S)
    assert found, name
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def test_two_currencies_make_one_net_worth_once_a_rate_exists(ada):
    ada.open_account("Euro account", opening="100")
    ada.open_account("Dollar account", currency="USD", opening="50")

    page = ada.page("/")
    assert "All accounts in EUR" in page
    assert figure(page, "home", "net-worth") == "—"  # not a guess, not a zero
    assert "No USD → EUR exchange rate on or before" in page
    assert 'href="/rates/"' in page

    saved = ada.browser.submit(
        "/rates/",
        {"rate-base": "EUR", "rate-quote": "USD", "rate-rate": "1.25",
         "rate-day": TODAY.isoformat()},
        action="/rates/",
    )  # fmt: skip
    assert saved.status_code == 302, form_errors(saved.get_data(as_text=True))
    page = ada.page("/")
    assert figure(page, "home", "net-worth") == "€140.00"  # 100 + 50 / 1.25
    assert "Each currency as held" in page
    assert figure(page, "EUR", "net-worth") == "€100.00"
    assert figure(page, "USD", "net-worth") == "$50.00"
    assert "No USD → EUR exchange rate" not in page
    assert "1 EUR = 1.25 USD" in page  # the rate used, one click away

    rates_page = ada.page("/rates/")
    assert "1 EUR = 1.25 USD" in rates_page


def test_a_bad_rate_is_refused_beside_its_field(ada):
    response = ada.browser.submit(
        "/rates/",
        {"rate-base": "EUR", "rate-quote": "USD", "rate-rate": "0", "rate-day": TODAY.isoformat()},
        action="/rates/",
    )
    assert response.status_code == 422
    assert "a rate must be more than zero" in form_errors(response.get_data(as_text=True))


def test_the_ecb_s_file_uploads_and_a_wrong_file_is_refused(ada):
    content = (RATES / "eurofxref-hist.csv").read_bytes()
    done = ada.browser.submit(
        "/rates/", {"ecb-file": (io.BytesIO(content), "eurofxref-hist.csv")}, action="/rates/ecb"
    )
    assert done.status_code == 302, form_errors(done.get_data(as_text=True))
    page = ada.page("/rates/")
    assert "158 rates read for 5 days." in page
    assert "1 EUR = 1.0543 USD" in page

    wrong = ada.browser.submit(
        "/rates/", {"ecb-file": (io.BytesIO(b"Date,Payee,Amount\n"), "bank.csv")},
        action="/rates/ecb",
    )  # fmt: skip
    assert wrong.status_code == 422
    assert any(
        "not an ECB reference rates file" in e for e in form_errors(wrong.get_data(as_text=True))
    )


def test_the_home_currency_changes_from_the_rates_page(ada):
    ada.open_account("Euro account", opening="100")
    ada.open_account("Dollar account", currency="USD", opening="50")
    changed = ada.browser.submit("/rates/", {"home-home_currency": "USD"}, action="/rates/home")
    assert changed.status_code == 302, form_errors(changed.get_data(as_text=True))
    page = ada.page("/")
    assert "All accounts in USD" in page
    assert "No EUR → USD exchange rate" in page
    assert "USD" in ada.page("/settings/")


def test_reports_add_the_currencies_up_and_keep_each_one_a_click_away(ada):
    euros = ada.open_account("Euro account", opening="100")
    dollars = ada.open_account("Dollar account", currency="USD", opening="50")
    food = ada.category("Food")
    ada.add_ok(account_id=euros, amount="30", payee="Bakery", category_id=food)
    ada.add_ok(account_id=dollars, amount="25", payee="Diner", category_id=food)
    ada.browser.submit(
        "/rates/",
        {"rate-base": "EUR", "rate-quote": "USD", "rate-rate": "1.25",
         "rate-day": TODAY.replace(year=TODAY.year - 2, day=1).isoformat()},
        action="/rates/",
    )  # fmt: skip
    spending = ada.page("/reports/spending-by-category")
    assert "All accounts in EUR" in spending and "Each currency as held" in spending
    assert re.search(r'data-total="home">€50.00<', spending)  # 30 + 25 / 1.25
    for url in ("/reports/income-vs-expense", "/reports/net-worth", "/budgets/"):
        page = ada.page(url)
        assert "No USD → EUR exchange rate" not in page, url
    assert "All accounts in EUR" in ada.page("/reports/net-worth")


def test_a_report_downloads_as_held_or_converted_into_the_home_currency(ada):
    euros = ada.open_account("Euro account", opening="100")
    food = ada.category("Food")
    ada.add_ok(account_id=euros, amount="30", payee="Bakery", category_id=food)
    page = ada.page("/reports/income-vs-expense")
    assert "view=converted" not in page  # one currency: nothing to convert
    dollars = ada.open_account("Dollar account", currency="USD", opening="50")
    ada.add_ok(account_id=dollars, amount="25", payee="Diner", category_id=food)
    month = TODAY.strftime("%Y-%m")
    for url in ("/reports/spending-by-category", "/reports/income-vs-expense",
                "/reports/net-worth"):  # fmt: skip
        page = ada.page(url)
        assert "All accounts in EUR" in page and "view=converted" in page, url
    # No rate yet: the converted figures are empty cells, never zeros.
    rows = ada.get("/reports/income-vs-expense?format=csv&view=converted").get_data(as_text=True)
    assert f"EUR,{month},0.00,,\r\n" in rows
    ada.browser.submit(
        "/rates/",
        {"rate-base": "EUR", "rate-quote": "USD", "rate-rate": "1.25",
         "rate-day": TODAY.replace(day=1).isoformat()},
        action="/rates/",
    )  # fmt: skip
    rows = ada.get("/reports/income-vs-expense?format=csv&view=converted").get_data(as_text=True)
    assert f"EUR,{month},0.00,50.00,-50.00\r\n" in rows  # 30 + 25 / 1.25
    spent = ada.get("/reports/spending-by-category?format=csv&view=converted").get_data(
        as_text=True
    )
    assert spent == "currency,category,spent\r\nEUR,Food,50.00\r\n"
    worth = ada.get("/reports/net-worth?format=csv&view=converted").get_data(as_text=True)
    # Month ends before the first rate have no figure; December: 70.00 + 25.00 / 1.25.
    month_end = (TODAY.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(1)
    before = TODAY.replace(day=1) - dt.timedelta(days=1)
    assert worth.endswith(f"EUR,{before},\r\nEUR,{month_end},90.00\r\n")


def test_the_ecb_s_rates_are_fetched_on_asking_where_the_server_fetches_them(ada, app, monkeypatch):
    page = ada.page("/rates/")
    assert 'id="ecb-fetch"' not in page  # this server fetches nothing: upload the file
    extension = app.extensions["finance_tracker"]
    monkeypatch.setattr(
        extension, "settings", extension.settings.model_copy(update={"ecb_rates_fetch": True})
    )
    page = ada.page("/rates/")
    assert 'id="ecb-fetch"' in page and "Fetch the ECB's rates for me" in page
    saved = ada.browser.submit("/rates/", {"fetch-fetch": "y"}, action="/rates/ecb/fetch")
    assert saved.status_code == 302
    assert "rates will be fetched for you" in ada.page("/rates/")
    assert "checked" in _fetch_switch(ada.page("/rates/"))
    ada.browser.submit("/rates/", {}, action="/rates/ecb/fetch")
    assert "checked" not in _fetch_switch(ada.page("/rates/"))


def _fetch_switch(page: str) -> str:
    found = re.search(r'<input[^>]*id="fetch-fetch"[^>]*>', page)
    assert found
    return found.group(0)
