"""Recurring transactions and bills: the list with their schedules in words, what is coming up,
new, edit, delete, and creating the due ones now."""

from __future__ import annotations

import datetime as dt

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy.orm import Session

from finance_tracker.domain.money import MoneyError, parse_amount
from finance_tracker.domain.recurrence import LAST_DAY
from finance_tracker.services import accounts, categories, recurring
from finance_tracker.services.errors import InvalidInput
from finance_tracker.web import choices
from finance_tracker.web.forms import KIND_CHOICES
from finance_tracker.web.helpers import apply_errors, private_blueprint, unit_of_work, user_id
from finance_tracker.web.planning_forms import RecurringForm, ordinal

blueprint = private_blueprint("recurring", __name__, "/recurring")

UPCOMING_DAYS = 30
UNITS = {"daily": "day", "weekly": "week", "monthly": "month", "yearly": "year"}


def in_words(row) -> str:  # type: ignore[no-untyped-def]
    """'every 2 weeks on Monday', 'monthly on the last day', 'yearly on 29 February'."""
    start: dt.date = row.start_date
    unit = UNITS.get(row.frequency, row.frequency)
    every = row.frequency if row.interval == 1 else f"every {row.interval} {unit}s"
    if row.frequency == "weekly":
        text = f"{every} on {start.strftime('%A')}"
    elif row.frequency == "monthly":
        day = row.day_of_month or start.day
        text = f"{every} on the {'last day' if day == LAST_DAY else ordinal(day)}"
    elif row.frequency == "yearly":
        text = f"{every} on {start.day} {start.strftime('%B')}"
    else:
        text = every
    if row.end_date is not None:
        text += f", until {row.end_date.strftime('%d %b %Y').lstrip('0')}"
    if row.max_count is not None:
        text += f", {row.max_count} time{'' if row.max_count == 1 else 's'} in all"
    return text


def signed_amount(row) -> int | None:  # type: ignore[no-untyped-def]
    """The template's amount in minor units, signed as the transactions it creates will be."""
    try:
        minor = parse_amount(row.amount, row.account.currency)
    except MoneyError:
        return None
    return minor if row.kind == "income" else -minor


def _names(session: Session) -> tuple[dict[int, str], dict[int, str]]:
    account_names = {
        a.account.id: a.account.name for a in accounts.list_with_balances(session, user_id())
    }
    category_names = {c.id: c.full_name for c in categories.list_all(session, user_id())}
    return account_names, category_names


@blueprint.get("/")
def index():  # type: ignore[no-untyped-def]
    today = dt.date.today()
    with unit_of_work() as session:
        rows = recurring.list_all(session, user_id())
        coming = recurring.upcoming(session, user_id(), today, UPCOMING_DAYS)
        account_names, category_names = _names(session)
        return render_template(
            "recurring/index.html",
            rows=rows,
            upcoming=coming,
            due_now=sum(1 for item in coming if item.date <= today),
            next_dates={r.id: recurring.next_date(r, today) for r in rows if r.active},
            account_names=account_names,
            category_names=category_names,
            in_words=in_words,
            signed_amount=signed_amount,
            today=today,
            days=UPCOMING_DAYS,
        )


def _render_form(form: RecurringForm, row_id: int | None, status: int):  # type: ignore[no-untyped-def]
    with unit_of_work() as session:
        form.account_id.choices = choices.account_choices(session, user_id())
        form.to_account_id.choices = choices.account_choices(session, user_id(), "Choose…")
        form.category_id.choices = choices.category_choices(session, user_id(), "Uncategorised")
        has_accounts = bool(form.account_id.choices)
        html = render_template(
            "recurring/form.html", form=form, row_id=row_id, has_accounts=has_accounts
        )
    return html, status


def _submit(form: RecurringForm, row_id: int | None):  # type: ignore[no-untyped-def]
    if form.validate_on_submit():
        try:
            data = form.to_input()
            with unit_of_work() as session:
                if row_id is None:
                    recurring.create(session, user_id(), data)
                else:
                    recurring.update(session, user_id(), row_id, data)
        except InvalidInput as error:
            apply_errors(form, error)
        else:
            flash("Recurring transaction saved." if row_id else "Recurring transaction added.",
                  "success")  # fmt: skip
            return redirect(url_for(".index"))
    return _render_form(form, row_id, 422)


@blueprint.route("/new", methods=["GET", "POST"])
def new():  # type: ignore[no-untyped-def]
    form = RecurringForm()
    if request.method == "POST":
        return _submit(form, None)
    form.start_date.data = dt.date.today()
    if request.args.get("kind") in {c.value for c in KIND_CHOICES}:
        form.kind.data = request.args["kind"]
    return _render_form(form, None, 200)


@blueprint.route("/<int:recurring_id>/edit", methods=["GET", "POST"])
def edit(recurring_id: int):  # type: ignore[no-untyped-def]
    with unit_of_work() as session:
        row = recurring.get(session, user_id(), recurring_id)  # someone else's: 404
        form = RecurringForm()
        if request.method == "GET":
            form.fill_from(row)
    if request.method == "POST":
        return _submit(form, recurring_id)
    return _render_form(form, recurring_id, 200)


@blueprint.post("/<int:recurring_id>/delete")
def delete(recurring_id: int):  # type: ignore[no-untyped-def]
    with unit_of_work() as session:
        recurring.delete(session, user_id(), recurring_id)
    flash("Recurring transaction deleted; the transactions it created stay.", "success")
    return redirect(url_for(".index"))


@blueprint.post("/run")
def run_now():  # type: ignore[no-untyped-def]
    """Create this person's due transactions now, instead of waiting for the scheduled run."""
    with unit_of_work() as session:
        report = recurring.run_due(session, dt.date.today(), user_id=user_id())
    if report.created:
        plural = "" if report.created == 1 else "s"
        flash(f"Created {report.created} due transaction{plural}.", "success")
    elif not report.failed:
        flash("Nothing is due: every transaction up to today exists already.", "info")
    if report.failed:
        flash(
            f"{report.failed} could not be created: edit the recurring transactions whose "
            "account or category changed.",
            "error",
        )
    return redirect(url_for(".index"))
