"""The shape every converted figure shares: the home currency, the rates used, the rates missing.

A converted amount is null when a rate it needed is missing (never a zero): `missing_rates`
names the pair and the first day without one."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

from finance_tracker.domain.rates import MissingRate, Rate, RateUse
from finance_tracker.services.converted import Notes


def ConvertedOut(description: str) -> fields.String:  # noqa: N802 - reads like a field
    return fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": description + " in the home currency (decimal string); null when "
            "a rate is missing (see missing_rates)",
            "example": "12.30",
        },
    )


def ConvertedMinorOut(description: str) -> fields.Integer:  # noqa: N802 - reads like a field
    return fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": description + " in minor units; null when a rate is missing"},
    )


def IsoDate(description: str = "") -> fields.String:  # noqa: N802 - reads like a field
    """A date given as an ISO string already (these figures are answered without a schema
    pass in the reports; the same strings pass through one unchanged elsewhere)."""
    return fields.String(
        required=True, metadata={"format": "date", "description": description or "ISO 8601"}
    )


class RateOut(ma.Schema):
    base = fields.String(required=True, metadata={"example": "EUR"})
    quote = fields.String(required=True, metadata={"example": "USD"})
    date = IsoDate()
    rate = fields.String(
        required=True, metadata={"description": "1 base = rate quote, exact", "example": "1.0876"}
    )
    source = fields.String(
        required=True, metadata={"description": "manual, ecb or transfer", "example": "ecb"}
    )


class RateUseOut(ma.Schema):
    currency = fields.String(required=True, metadata={"description": "converted from"})
    conversions = fields.Integer(required=True)
    first_rate = fields.Nested(RateOut, required=True, metadata={"description": "the oldest"})
    last_rate = fields.Nested(RateOut, required=True, metadata={"description": "the newest"})
    earlier_days = fields.Integer(
        required=True,
        metadata={"description": "amounts converted at an earlier day's rate than their own"},
    )


class MissingRateOut(ma.Schema):
    currency = fields.String(required=True, metadata={"description": "converted from"})
    to = fields.String(required=True)
    first_date = IsoDate("the first day lacking a rate")
    days = fields.Integer(required=True, metadata={"description": "days lacking a rate"})


class ConversionOut(ma.Schema):
    currency = fields.String(required=True, metadata={"description": "the home currency"})
    rates_used = fields.List(fields.Nested(RateUseOut), required=True)
    missing_rates = fields.List(fields.Nested(MissingRateOut), required=True)


def present_rate(rate: Rate) -> dict[str, object]:
    return {
        "base": rate.base,
        "quote": rate.quote,
        "date": rate.day.isoformat(),
        "rate": str(rate.value),
        "source": rate.source,
    }


def present_use(use: RateUse) -> dict[str, object]:
    return {
        "currency": use.source,
        "conversions": use.conversions,
        "first_rate": present_rate(use.first),
        "last_rate": present_rate(use.last),
        "earlier_days": use.earlier_days,
    }


def present_missing(gap: MissingRate) -> dict[str, object]:
    return {
        "currency": gap.source,
        "to": gap.target,
        "first_date": gap.first_day.isoformat(),
        "days": gap.days,
    }


def present_notes(notes: Notes) -> dict[str, object]:
    return {
        "currency": notes.currency,
        "rates_used": [present_use(use) for use in notes.used],
        "missing_rates": [present_missing(gap) for gap in notes.missing],
    }
