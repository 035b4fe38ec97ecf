"""Exchange rates: entered by hand, uploaded from the ECB's reference-rate files, and those the
person's cross-currency transfers made (read-only: edit the transfer to change one)."""

from __future__ import annotations

from decimal import Decimal

import marshmallow as ma
from flask.views import MethodView
from marshmallow import fields, validate

from finance_tracker.api.auth import current_user_id
from finance_tracker.api.base import MULTIPART, ApiBlueprint, accepts, upload_limit
from finance_tracker.api.conversion import RateOut, present_rate
from finance_tracker.api.schemas import ID_PATH, Amount, File
from finance_tracker.api.session import unit_of_work
from finance_tracker.domain.rates import Rate
from finance_tracker.importers import ecb_rates
from finance_tracker.services import rates
from finance_tracker.store.models import ExchangeRate

blp = ApiBlueprint(
    "Rates",
    __name__,
    url_prefix="/api/v1/rates",
    description="Exchange rates that convert other currencies into the home currency. A "
    "conversion uses the rate of the amount's day or the closest earlier one: the pair itself, "
    "its inverse, or a cross rate through a third currency (EUR first). On the same day a rate "
    "entered by hand wins over the ECB's, which wins over one learnt from a transfer.",
)


class StoredRate(RateOut):
    id = fields.Integer(required=True)


class RatePage(ma.Schema):
    items = fields.List(fields.Nested(StoredRate), required=True)
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    pages = fields.Integer(required=True)
    learnt = fields.List(
        fields.Nested(RateOut),
        required=True,
        metadata={"description": "the latest rates made by cross-currency transfers"},
    )


class RateQuery(ma.Schema):
    currency = fields.String(
        load_default=None, metadata={"description": "only pairs with this currency"}
    )
    page = fields.Integer(load_default=1, validate=validate.Range(1, 100_000))


class RateInput(ma.Schema):
    base = fields.String(required=True, metadata={"example": "EUR"})
    quote = fields.String(required=True, metadata={"example": "USD"})
    date = fields.Date(required=True)
    rate = Amount(
        required=True,
        metadata={"description": "1 base = rate quote; more than zero", "example": "1.0876"},
    )


class EcbUpload(ma.Schema):
    file = File(
        required=True,
        metadata={
            "description": "the ECB's eurofxref.csv (daily) or eurofxref-hist.csv (since "
            "1999), or their zip files"
        },
    )


class EcbResult(ma.Schema):
    rates = fields.Integer(required=True, metadata={"description": "rates written or replaced"})
    days = fields.Integer(required=True)
    currencies = fields.List(fields.String(), required=True)
    first_date = fields.Date(required=True, allow_none=True)
    last_date = fields.Date(required=True, allow_none=True)
    unknown_currencies = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "columns skipped: currencies this app does not know"},
    )


def present(row: ExchangeRate) -> dict:
    return {
        "id": row.id,
        **present_rate(Rate(row.base, row.quote, row.day, Decimal(row.rate), row.source)),
    }


@blp.route("")
class Rates(MethodView):
    @blp.arguments(RateQuery, location="query")
    @blp.response(200, RatePage)
    def get(self, query: dict) -> dict:
        """Rates entered and uploaded, newest day first, and the latest learnt from transfers"""
        with unit_of_work() as session:
            user_id = current_user_id()
            page = rates.list_stored(session, user_id, query["currency"], query["page"])
            return {
                "items": [present(row) for row in page.rows],
                "total": page.total,
                "page": page.page,
                "pages": page.pages,
                "learnt": [present_rate(rate) for rate in rates.learnt(session, user_id)],
            }

    @blp.arguments(RateInput)
    @blp.response(201, StoredRate)
    def post(self, body: dict) -> dict:
        """Enter a rate; the same pair and day again replaces it"""
        with unit_of_work() as session:
            data = rates.RateInput(body["base"], body["quote"], body["date"], body["rate"])
            return present(rates.add(session, current_user_id(), data))


@blp.route("/ecb")
class EcbRates(MethodView):
    @blp.arguments(EcbUpload, location="multipart")
    @blp.response(201, EcbResult)
    @accepts(MULTIPART, max_bytes=upload_limit("import_max_bytes"))
    def post(self, body: dict) -> dict:
        """Upload the ECB's reference rates (all of the file's rates, or none)"""
        data = body["file"].stream.read(ecb_rates.MAX_BYTES + 1)
        with unit_of_work() as session:
            result = rates.import_ecb(session, current_user_id(), data)
        return {
            "rates": result.rates,
            "days": result.days,
            "currencies": result.currencies,
            "first_date": result.first_day,
            "last_date": result.last_day,
            "unknown_currencies": result.unknown_currencies,
        }


@blp.route(f"/<{ID_PATH}:rate_id>")
class RateItem(MethodView):
    @blp.response(204)
    @blp.not_found()
    def delete(self, rate_id: int) -> None:
        """Delete a rate entered or uploaded"""
        with unit_of_work() as session:
            rates.delete_rate(session, current_user_id(), rate_id)
