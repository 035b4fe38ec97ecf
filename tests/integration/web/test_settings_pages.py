"""Ada looks at her profile and manages API tokens: shown once, listed, revoked."""

from __future__ import annotations

import re

from prometheus_client import REGISTRY
from tests.integration.web.story import form_errors, rows_in

from finance_tracker.services import tokens
from finance_tracker.store.models import ApiToken


def tokens_created() -> float:
    return REGISTRY.get_sample_value("finance_tracker_api_tokens_created_total") or 0.0


def test_the_profile_shows_who_is_signed_in(ada):
    page = ada.page("/settings/")
    assert "ada@example.com" in page and "EUR" in page
    assert "No tokens" not in page  # the table only appears once there are tokens


def test_a_new_token_is_shown_once_and_then_only_its_prefix(ada, db):
    before = tokens_created()
    response = ada.browser.submit("/settings/", {"name": "spreadsheet"}, action="/settings/tokens")
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    plaintext = re.search(r'readonly value="(ft_[^"]+)"', page).group(1)
    assert "shown only this once" in page
    assert tokens_created() == before + 1

    # It travelled only in that page's body: no redirect, no cookie, not in the session.
    assert "Location" not in response.headers
    assert plaintext not in response.headers.get("Set-Cookie", "")
    with ada.browser.client.session_transaction() as session_data:
        assert plaintext not in repr(dict(session_data))

    listing = ada.page("/settings/")
    assert plaintext not in listing
    assert plaintext[:10] + "…" in listing and "spreadsheet" in listing
    assert re.search(r'<td class="nowrap last-used"[^>]*>never</td>', listing)

    ada_id = ada.user_id
    with db.session() as session:  # a program signs in with it...
        found = tokens.find(session, plaintext)
        assert found is not None and found.user_id == ada_id
        tokens.touch(session, found.id)
    assert not re.search(
        r'<td class="nowrap last-used"[^>]*>never</td>', ada.page("/settings/")
    )  # ...and it shows


def test_a_token_needs_a_name(ada, db):
    response = ada.browser.submit("/settings/", {"name": "  "}, action="/settings/tokens")
    assert response.status_code == 422
    assert "give the token a name of at most 80 characters" in form_errors(
        response.get_data(as_text=True)
    )
    assert rows_in(db, ApiToken) == 0


def test_a_revoked_token_stops_working(ada, db):
    page = ada.browser.submit("/settings/", {"name": "old script"}, action="/settings/tokens")
    plaintext = re.search(r'readonly value="(ft_[^"]+)"', page.get_data(as_text=True)).group(1)
    token_id = re.search(r"/settings/tokens/(\d+)/revoke", ada.page("/settings/")).group(1)

    response = ada.browser.submit("/settings/", {}, action=f"/settings/tokens/{token_id}/revoke")
    assert response.status_code == 302
    listing = ada.page("/settings/")
    assert "Token revoked" in listing and re.search(r"revoked \w{3} \d+, \d{4}", listing)
    assert f"/settings/tokens/{token_id}/revoke" not in listing
    with db.session() as session:
        assert tokens.find(session, plaintext) is None
