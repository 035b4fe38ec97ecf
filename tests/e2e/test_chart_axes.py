"""Chart axes tell the truth. The realistic person's US dollars move by cents (a $1.50 refund,
a $0.10 parking meter), their yen by a few coins and their euros by millions: every axis of
amounts, on the dashboard and in every report, on a laptop and on a phone, has its ticks at
nice steps for the range, labelled in the currency's own units, no two alike."""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.e2e

# How an amount's label looks: whole units, or the currency's minor units (JPY has none).
LABEL = {
    "USD": re.compile(r"^-?\$[\d,]+(\.\d\d)?$"),
    "EUR": re.compile(r"^-?€[\d,]+(\.\d\d)?$"),
    "JPY": re.compile(r"^-?¥[\d,]+$"),
}
TODAY = dt.date.today()
A_YEAR = f"date_from={TODAY - dt.timedelta(days=364)}&date_to={TODAY}"  # what realistic.py wrote
LAST_MONTH = f"month={(TODAY.replace(day=1) - dt.timedelta(days=1)):%Y-%m}"
REPORTS = (f"income-vs-expense?{A_YEAR}", f"net-worth?{A_YEAR}", f"top-payees?{A_YEAR}",
           f"month-over-month?{LAST_MONTH}")  # fmt: skip

AXES = """() => [...document.querySelectorAll("canvas[data-chart]")].flatMap(canvas => {
    const chart = Chart.getChart(canvas);
    // The chart's own data names its currency (a converted section's block is "home").
    const currency = JSON.parse(document.getElementById(canvas.dataset.source).textContent).currency;
    return Object.values(chart.scales).filter(scale => scale.type === "linear").map(scale => ({
        chart: canvas.getAttribute("aria-label"), currency,
        values: scale.ticks.map(tick => tick.value), labels: scale.ticks.map(tick => tick.label),
    }));
})"""


def axes_of(page, url: str) -> list[dict]:  # type: ignore[no-untyped-def,type-arg]
    page.goto(url)
    for canvas in page.locator("canvas[data-chart]").all():
        expect(canvas).to_have_attribute("data-drawn", "true")
    return page.evaluate(AXES)


def amount(label: str) -> Decimal:
    return Decimal(re.sub(r"[^\d.-]", "", label))


def check(axis: dict) -> None:  # type: ignore[type-arg]
    name, labels, values = f"{axis['chart']}: {axis['labels']}", axis["labels"], axis["values"]
    assert len(labels) >= 3, name
    assert len(set(labels)) == len(labels), f"repeated labels on {name}"
    assert all(LABEL[axis["currency"]].match(label) for label in labels), name
    steps = {round(b - a, 6) for a, b in zip(values, values[1:], strict=False)}
    assert len(steps) == 1, f"uneven steps on {name}"
    step = steps.pop()
    assert step * 10 ** -math.floor(math.log10(step)) in (1, 2, 2.5, 5), f"step {step} on {name}"
    # Each label says exactly its tick's value: none is rounded into another.
    assert [amount(label) for label in labels] == [Decimal(str(v)) for v in values], name


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_dollar_chart_of_cents_is_labelled_in_cents(page, signed_in, viewport):
    page.context.add_cookies(signed_in["cookies"])
    page.set_viewport_size(viewport)
    axes = axes_of(page, "/")
    for axis in axes:
        check(axis)
    dollars = [a for a in axes if a["chart"] == "Income and spending per month in USD"]
    assert len(dollars) == 1
    values, labels = dollars[0]["values"], dollars[0]["labels"]
    assert values[0] == 0 and values[-1] >= 1.50  # the range of the data: $0.10 to $1.50
    assert labels[0] == "$0.00" and labels[1] in ("$0.10", "$0.20", "$0.25", "$0.50")
    yen = next(a for a in axes if a["currency"] == "JPY")
    assert yen["labels"][:2] == ["¥0", "¥1"]  # a few coins: steps of whole yen, the least there is

    for report in REPORTS:
        charts = axes_of(page, f"/reports/{report}")
        assert {a["currency"] for a in charts} == {"EUR", "JPY", "USD"}, report
        for axis in charts:
            check(axis)
    assert page.problems == []
