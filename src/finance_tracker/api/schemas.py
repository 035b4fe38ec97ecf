"""Fields and schemas every resource shares: ids, money, pages, problems."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import marshmallow as ma
from flask_smorest.fields import Upload
from marshmallow import fields, validate
from werkzeug.datastructures import FileStorage
from werkzeug.routing import BaseConverter

from finance_tracker.domain.ledger import EARLIEST_DATE, LATEST_DATE
from finance_tracker.domain.money import format_plain
from finance_tracker.routing import MAX_ID  # ids are 32-bit columns
from finance_tracker.services.errors import InvalidInput

ID_PATH = f"int(min=1, max={MAX_ID})"
MAX_PAGE = 1_000_000
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200
MAX_AMOUNT_TEXT = 40


def Id(*, strict: bool = True, **kwargs: Any) -> fields.Integer:  # noqa: N802 - reads like a field
    """An id: a whole JSON number in a body (strict), digits in a query string."""
    return fields.Integer(strict=strict, validate=validate.Range(1, MAX_ID), **kwargs)


class Text(fields.String):
    """A string both databases can store: PostgreSQL refuses NUL characters (a 500 otherwise)
    and neither can encode a lone UTF-16 surrogate, which JSON's \\ud800 escapes can produce."""

    default_error_messages = {"unstorable": "contains a NUL character or a lone surrogate"}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in text:
            raise self.make_error("unstorable")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise self.make_error("unstorable") from None
        return text


class Amount(fields.Field):
    """Money in: a decimal string ("12.30") or a JSON number parsed exactly, never a float.

    Only the type is checked here; the services know the currency and so the allowed decimals.
    """

    default_error_messages = {"invalid": 'give the amount as a decimal string, like "12.30"'}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
            raise self.make_error("invalid")
        if isinstance(value, str) and len(value) > MAX_AMOUNT_TEXT:
            raise self.make_error("invalid")
        return value


def in_ledger(day: dt.date) -> None:
    """A validator: a date the ledger can hold (and compute months around without overflow)."""
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ma.ValidationError(f"date must be between {EARLIEST_DATE} and {LATEST_DATE}")


MONTH_PATTERN = r"^[0-9]{4}-[0-9]{2}$"
MONTH_FORMAT = 'a month as YYYY-MM, like "2026-01"'


def parse_month(text: object) -> dt.date:
    """ "2026-01" -> 2026-01-01, within the ledger's dates; ValueError says what is wrong."""
    if not isinstance(text, str) or not re.fullmatch(MONTH_PATTERN, text):
        raise ValueError(f"give {MONTH_FORMAT}")
    year, month = int(text[:4]), int(text[5:])
    if not 1 <= month <= 12:
        raise ValueError("months run from 01 to 12")
    if not EARLIEST_DATE.year <= year <= LATEST_DATE.year:
        raise ValueError(f"give a month between {EARLIEST_DATE:%Y-%m} and {LATEST_DATE:%Y-%m}")
    return dt.date(year, month, 1)


class Month(fields.Field):
    """A calendar month, "2026-01"; in Python the first day of it."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"pattern": MONTH_PATTERN, "example": "2026-01", **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dt.date:
        try:
            return parse_month(value)
        except ValueError as error:
            raise ma.ValidationError(str(error)) from None

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else f"{value:%Y-%m}"


class File(Upload):
    """A file part of a multipart upload (a plain form field of the same name is not a file)."""

    default_error_messages = {"invalid": "send a file, as a part of a multipart upload"}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, FileStorage):
            raise self.make_error("invalid")
        return value


class UtcDateTime(fields.DateTime):
    """Always with its offset: SQLite hands back the stored UTC times without one."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if isinstance(value, dt.datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return super()._serialize(value, attr, obj, **kwargs)


def money(name: str, minor: int | None, currency: str) -> dict[str, object]:
    """`name` as a decimal string plus `name_minor` as whole minor units: 12.30 EUR and 1230.
    A converted figure whose rate is missing is None: both null."""
    if minor is None:
        return {name: None, f"{name}_minor": None}
    return {name: format_plain(minor, currency), f"{name}_minor": minor}


def MoneyOut(description: str) -> fields.String:  # noqa: N802 - reads like a field
    return fields.String(
        required=True,
        metadata={"description": description + " (decimal string)", "example": "12.30"},
    )


def MinorOut(description: str) -> fields.Integer:  # noqa: N802 - reads like a field
    return fields.Integer(
        required=True,
        metadata={"description": description + " in minor units (cents)", "example": 1230},
    )


class PageQuery(ma.Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(1, MAX_PAGE))
    per_page = fields.Integer(
        load_default=DEFAULT_PER_PAGE, validate=validate.Range(1, MAX_PER_PAGE)
    )


class Pagination(ma.Schema):
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True, metadata={"description": "items over all pages"})
    pages = fields.Integer(required=True)


def page_schema(item: type[ma.Schema], name: str) -> type[ma.Schema]:
    """The envelope every list answers with: one page of items plus where it sits."""
    return ma.Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item), required=True),
            "pagination": fields.Nested(Pagination, required=True),
        },
        name=name,
    )


def page_of(items: list[Any], page: int, per_page: int, total: int | None = None) -> dict:
    """Slice an in-memory list (when `total` is None) or wrap an already-fetched page."""
    if total is None:
        total = len(items)
        items = items[(page - 1) * per_page : page * per_page]
    pages = max(1, -(-total // per_page))
    return {
        "items": items,
        "pagination": {"page": page, "per_page": per_page, "total": total, "pages": pages},
    }


def patch_schema(schema: type[ma.Schema], name: str) -> ma.Schema:
    """The same fields with none required: the body of a PATCH changes only what it names.

    Only top-level fields become optional, so a split line still needs its amount.
    """
    return type(name, (schema,), {})(partial=tuple(schema._declared_fields))


class Problem(ma.Schema):
    """RFC 9457 problem details: the body of every error."""

    type = fields.String(required=True, metadata={"example": "about:blank"})
    title = fields.String(required=True, metadata={"example": "Unprocessable Content"})
    status = fields.Integer(required=True, metadata={"example": 422})
    detail = fields.String(required=True)
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        metadata={"description": "field -> message, for invalid input"},
    )


class MonthConverter(BaseConverter):
    """A month in a URL (/budgets/2026-01): any one segment, so that the view can answer a
    malformed month with a 422 that says why instead of a bare 404."""

    part_isolating = True


def month_parameter(_converter: BaseConverter) -> dict[str, str]:
    return {"type": "string", "pattern": MONTH_PATTERN, "example": "2026-01"}


def path_month(text: str, field: str = "month") -> dt.date:
    """A month from the URL, or a 422 naming the path parameter."""
    try:
        return parse_month(text)
    except ValueError as error:
        raise InvalidInput({field: str(error)}) from None
