"""What the transaction form asks while a person types (static/transaction-form.js): payees from
their history ("Li" offers "Lidl"), then the category that payee would likely get. JSON routes on
the transactions blueprint; the form works without them."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _

from finance_tracker.domain.locales import LocaleInputError, parse_decimal_input, plain_decimal
from finance_tracker.domain.money import MoneyError, parse_amount
from finance_tracker.services import accounts, suggestions
from finance_tracker.services.errors import InvalidInput, NotFound
from finance_tracker.web import i18n
from finance_tracker.web.helpers import localize, unit_of_work, user_id
from finance_tracker.web.transactions import blueprint

SHOWN = 10


@blueprint.get("/payees")
def payee_suggestions():  # type: ignore[no-untyped-def]
    """?q=Li -> the person's payees starting so, the most used first."""
    try:
        with unit_of_work(readonly=True) as session:
            found = suggestions.payees(session, user_id(), request.args.get("q", ""), SHOWN)
    except InvalidInput as error:
        return jsonify(errors={k: localize(v) for k, v in error.errors.items()}), 422
    return jsonify(payees=[
        {"payee": s.payee, "transactions": s.transactions, "last_date": s.last_date.isoformat()}
        for s in found
    ])  # fmt: skip


@blueprint.get("/category-for-payee")
def category_suggestion():  # type: ignore[no-untyped-def]
    """?payee=Lidl[&account_id=3&amount=12,50] -> the category the form may fill in, and why.
    The amount is as typed (the person's format); one that cannot be read is left out."""
    account_text = request.args.get("account_id", "")
    account_id = int(account_text) if account_text.isdigit() and len(account_text) < 10 else None
    try:
        with unit_of_work(readonly=True) as session:
            amount_minor = None
            if account_id is not None:
                try:
                    currency = accounts.get(session, user_id(), account_id).currency
                except NotFound:
                    account_id = None
                else:
                    amount_minor = _amount(request.args.get("amount", ""), currency)
            found = suggestions.category_for(
                session, user_id(), request.args.get("payee", ""),
                account_id=account_id, amount_minor=amount_minor,
            )  # fmt: skip
    except InvalidInput as error:
        return jsonify(errors={k: localize(v) for k, v in error.errors.items()}), 422
    if found is None:
        return jsonify(category_id=None)
    if found.source == "rule":
        note = _("Category from your rule “%(rule)s”.", rule=found.rule or "")
    else:
        assert found.last_date is not None
        note = _("Category as last time, on %(date)s.", date=i18n.day(found.last_date))
    return jsonify(
        category_id=found.category_id, category=found.category, source=found.source, note=note
    )


def _amount(text: str, currency: str) -> int | None:
    if not text.strip():
        return None
    try:
        return abs(parse_amount(plain_decimal(parse_decimal_input(text, i18n.number_locale())),
                                currency))  # fmt: skip
    except (LocaleInputError, MoneyError):
        return None
