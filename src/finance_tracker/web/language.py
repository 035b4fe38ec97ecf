"""The language switch at the foot of every page: a visitor's choice is kept in a cookie, a
signed-in person's in their profile (Settings has it too, beside the locale of amounts)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, redirect, request
from flask_login import current_user

from finance_tracker.domain.locales import LANGUAGES
from finance_tracker.services import users
from finance_tracker.web.auth import safe_next
from finance_tracker.web.helpers import unit_of_work
from finance_tracker.web.i18n import LANGUAGE_COOKIE

blueprint = Blueprint("language", __name__)
YEAR_SECONDS = 365 * 24 * 3600


def _same_page() -> str | None:
    """The page the switch was pressed on (its Referer, when it is this site): kept out of the
    form, so that a page never writes its query string into itself."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc and referrer.netloc != request.host:
        return None
    return referrer.path + (f"?{referrer.query}" if referrer.query else "") or None


@blueprint.post("/language")
def switch():  # type: ignore[no-untyped-def]
    """Read the pages in another language, then back to the same page."""
    language = request.form.get("language", "")
    response = redirect(safe_next(_same_page()))
    if language not in LANGUAGES:
        return response
    if current_user.is_authenticated:
        with unit_of_work() as db:
            user = users.get(db, int(current_user.id))
            if user is not None:
                users.set_locale(db, user, user.locale, language)
    response.set_cookie(
        LANGUAGE_COOKIE, language, max_age=YEAR_SECONDS, httponly=True, samesite="Lax",
        secure=request.is_secure,
    )  # fmt: skip
    return response
