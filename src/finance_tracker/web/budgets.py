"""Budgets: a month's budget against what was spent, per category; set, edit, delete, copy."""

from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from finance_tracker.domain.money import format_plain
from finance_tracker.domain.text import Text
from finance_tracker.services import accounts, budgets
from finance_tracker.services.budgets import BudgetInput
from finance_tracker.services.errors import InvalidInput
from finance_tracker.web import choices, i18n, periods
from finance_tracker.web.helpers import (
    apply_errors,
    localize,
    private_blueprint,
    unit_of_work,
    user_id,
)
from finance_tracker.web.planning_forms import BudgetForm

blueprint = private_blueprint("budgets", __name__, "/budgets")

# Past this share of the money available a bar turns amber: most of the month's budget is gone.
NEARLY_SPENT_PERCENT = 85


def _month(text: str | None) -> tuple[dt.date, str | None]:
    """The month asked for (this month when none): and an error for one that is no month."""
    today = dt.date.today().replace(day=1)
    if not text:
        return today, None
    month = periods.parse_month(text)
    return (month, None) if month else (today, periods.BAD_MONTH)


def progress(line) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """How a budget line's bar is drawn: a <progress> element and a class, no inline style."""
    available, spent = line.available_minor, line.spent_minor
    if line.over_budget:
        state = "over"
    elif available > 0 and spent * 100 >= available * NEARLY_SPENT_PERCENT:
        state = "nearly"
    else:
        state = "ok"
    if available <= 0:  # nothing to spend: the bar is empty, or full when something was spent
        return {"value": 1 if spent > 0 else 0, "max": 1, "state": state}
    return {"value": min(max(spent, 0), available), "max": available, "state": state}


def _currencies(session) -> list[str]:  # type: ignore[no-untyped-def]
    """A budget counts spending in one currency: those of the user's accounts, main one first."""
    found = {row.account.currency for row in accounts.list_with_balances(session, user_id())}
    main = current_user.default_currency
    return sorted(found, key=lambda c: (c != main, c))


def _page(
    month: dt.date,
    form: BudgetForm,
    status: int = 200,
    month_error: object = None,
    editing: int | None = None,
):  # type: ignore[no-untyped-def]
    with unit_of_work() as session:
        view = budgets.month_view(session, user_id(), month)
        currencies = _currencies(session)
        form.category_id.choices = choices.category_choices(session, user_id(), _("Choose…"))
        form.currency.choices = currencies
        form.month.data = periods.month_key(month)
        edited = None
        if editing is not None:
            edited = next((row for row in view.rows if row.budget_id == editing), None)
            if edited is None:
                abort(404)  # not a budget of this month, or not this user's
            if request.method == "GET":
                form.category_id.data, form.currency.data = edited.category_id, edited.currency
                form.amount.data = format_plain(edited.line.budgeted_minor, edited.currency)
                form.rollover.data = edited.rollover
        if not form.currency.data and currencies:
            form.currency.data = currencies[0]
        html = render_template(
            "budgets/index.html",
            month=month,
            view=view,
            totals=sorted(view.totals().items()),
            form=form,
            edited=edited,
            has_accounts=bool(currencies),
            month_error=localize(month_error) if month_error else None,
            progress=progress,
            periods=periods,
            today=dt.date.today(),
        )
    return html, status


@blueprint.get("/")
def index():  # type: ignore[no-untyped-def]
    month, error = _month(request.args.get("month"))
    editing = request.args.get("edit", "")
    return _page(
        month,
        BudgetForm(formdata=None),
        422 if error else 200,
        month_error=error,
        editing=int(editing) if editing.isdigit() else None,
    )


@blueprint.post("/")
def save():  # type: ignore[no-untyped-def]
    form = BudgetForm()
    month, error = _month(form.month.data)
    if error:
        form.form_errors.append(_("Month: %(problem)s", problem=localize(error)))
    elif form.validate_on_submit():
        try:
            if form.category_id.data is None:
                raise InvalidInput({"category_id": Text("choose a category")})
            with unit_of_work() as session:
                budget = budgets.set_budget(
                    session,
                    user_id(),
                    BudgetInput(
                        category_id=form.category_id.data,
                        month=month,
                        amount=(form.amount.data or "").strip(),
                        currency=form.currency.data or "",
                        rollover=bool(form.rollover.data),
                    ),
                )
                name = budget.category.full_name
                amount = i18n.money(budget.amount_minor, budget.currency)
        except InvalidInput as problem:
            apply_errors(form, problem)
        else:
            flash(_("Budget for %(category)s set to %(amount)s in %(month)s.", category=name,
                    amount=amount, month=periods.month_name(month)), "success")  # fmt: skip
            return redirect(url_for(".index", month=periods.month_key(month)))
    return _page(month, form, 422)


@blueprint.post("/<int:budget_id>/delete")
def delete(budget_id: int):  # type: ignore[no-untyped-def]
    with unit_of_work() as session:
        budgets.delete(session, user_id(), budget_id)  # someone else's: 404
    month, _error = _month(request.form.get("month"))
    flash(_("Budget deleted."), "success")
    return redirect(url_for(".index", month=periods.month_key(month)))


@blueprint.post("/copy")
def copy_previous():  # type: ignore[no-untyped-def]
    month, _error = _month(request.form.get("month"))
    with unit_of_work() as session:
        copied = budgets.copy_previous(session, user_id(), month)
    previous = periods.month_name(periods.shift(month, -1))
    if copied:
        flash(ngettext("Copied %(num)s budget from %(month)s.",
                       "Copied %(num)s budgets from %(month)s.", copied, month=previous),
              "success")  # fmt: skip
    else:
        flash(_("Nothing copied: %(month)s has no budgets that this month lacks.", month=previous),
              "info")  # fmt: skip
    return redirect(url_for(".index", month=periods.month_key(month)))
