"""Who the token belongs to, and the locale and language they chose for the web pages.

The locale changes nothing in the API: amounts stay decimal strings like "42.50" and dates ISO
8601 like "2026-12-31" whatever it is (see the spec's description)."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from marshmallow import fields, validate

from finance_tracker.api.auth import current_user_id
from finance_tracker.api.base import ApiBlueprint
from finance_tracker.api.schemas import UtcDateTime
from finance_tracker.api.session import unit_of_work
from finance_tracker.domain.locales import LANGUAGES, LOCALES
from finance_tracker.services import rates, users
from finance_tracker.services.errors import NotFound
from finance_tracker.store.models import User

blp = ApiBlueprint("Me", __name__, url_prefix="/api/v1/me", description="The token's owner.")
LOCALE = (
    "how the web pages write and read amounts and dates, and where the week starts (a CLDR "
    "locale: de_DE writes 1.234,56 and 31.12.2026); the API's own formats never change with it"
)
HOME = (
    "what net worth, reports, the dashboard and budgets are converted into, and the currency "
    "proposed for new accounts; each account keeps its own"
)
LANGUAGE = "the language of the web pages and emails; null: the locale's own (English if none)"
FETCH_ECB = (
    "the scheduled jobs bring the ECB's reference rates in for this person, on a server that "
    "fetches them (ECB_RATES_FETCH); rates entered by hand still win on their day"
)


class Me(ma.Schema):
    id = fields.Integer(required=True)
    email = fields.String(required=True)
    default_currency = fields.String(
        required=True, metadata={"description": "the same as home_currency (an older name)"}
    )
    home_currency = fields.String(required=True, metadata={"description": HOME, "example": "EUR"})
    locale = fields.String(required=True, metadata={"description": LOCALE, "example": "de_DE"})
    language = fields.String(
        required=True, allow_none=True, metadata={"description": LANGUAGE, "example": None}
    )
    language_shown = fields.String(
        required=True,
        metadata={"description": "the language the pages are shown in", "example": "de"},
    )
    fetch_ecb_rates = fields.Boolean(required=True, metadata={"description": FETCH_ECB})
    created_at = UtcDateTime(required=True)


class MePatch(ma.Schema):
    fetch_ecb_rates = fields.Boolean(metadata={"description": FETCH_ECB, "example": True})
    home_currency = fields.String(metadata={"description": HOME, "example": "USD"})
    locale = fields.String(
        validate=validate.OneOf(LOCALES), metadata={"description": LOCALE, "example": "de_DE"}
    )
    language = fields.String(
        allow_none=True,
        validate=validate.OneOf(LANGUAGES),
        metadata={"description": LANGUAGE, "example": "en"},
    )


def present(user: User) -> dict:
    return {
        "id": user.id,
        "email": user.email,
        "default_currency": user.default_currency,
        "home_currency": user.default_currency,
        "locale": user.locale,
        "language": user.language,
        "language_shown": users.language_for(user),
        "fetch_ecb_rates": user.fetch_ecb_rates,
        "created_at": user.created_at,
    }


def _me(session) -> User:  # type: ignore[no-untyped-def]
    user = users.get(session, current_user_id())
    if user is None:  # deleted since the token was checked
        raise NotFound("user")
    return user


@blp.route("")
class MeResource(MethodView):
    @blp.response(200, Me)
    def get(self) -> dict:
        """The user the API token belongs to"""
        with unit_of_work() as session:
            return present(_me(session))

    @blp.arguments(MePatch)
    @blp.response(200, Me)
    def patch(self, changes: dict) -> dict:
        """Change the home currency, the locale of the web pages, their language, or whether the
        ECB's rates are fetched for this person"""
        with unit_of_work() as session:
            user = _me(session)
            if "home_currency" in changes:
                users.set_home_currency(session, user, changes["home_currency"])
            if "fetch_ecb_rates" in changes:
                rates.set_fetch_ecb(session, user, changes["fetch_ecb_rates"])
            users.set_locale(
                session, user, changes.get("locale", user.locale),
                changes.get("language", user.language),
            )  # fmt: skip
            return present(user)
