"""Every section is one tap away in the top navigation, on a laptop and on a phone: Recurring and
Rules too, which used to be found only under Settings › Automation."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.e2e

SECTIONS = ("Dashboard", "Transactions", "Import", "Accounts", "Budgets", "Recurring", "Rules",
            "Reports", "Categories", "Settings")  # fmt: skip


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_section_is_in_the_top_navigation(page, signed_in, viewport):
    page.context.add_cookies(signed_in["cookies"])
    page.set_viewport_size(viewport)
    page.goto("/settings/")
    nav = page.get_by_role("navigation", name="Main")
    for section in SECTIONS:
        link = nav.get_by_role("link", name=section, exact=True)
        expect(link).to_be_in_viewport()  # at the top of the page, not folded away
        link.click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        expect(link).to_have_attribute("aria-current", "page")
        assert nav.locator("[aria-current=page]").count() == 1
    assert page.problems == []
