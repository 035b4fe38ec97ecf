"""Recurring transactions and bills: the list with their schedules in words, what is coming up,
new, edit, delete, and creating the due ones now."""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date, format_skeleton
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import Session

from finance_tracker.domain.money import MoneyError, parse_amount
from finance_tracker.domain.recurrence import LAST_DAY
from finance_tracker.services import accounts, categories, recurring
from finance_tracker.services.errors import InvalidInput
from finance_tracker.web import choices, i18n
from finance_tracker.web.forms import KIND_CHOICES
from finance_tracker.web.helpers import apply_errors, private_blueprint, unit_of_work, user_id
from finance_tracker.web.planning_forms import RecurringForm

blueprint = private_blueprint("recurring", __name__, "/recurring")

UPCOMING_DAYS = 30


def in_words(row) -> str:  # type: ignore[no-untyped-def]
    """'every 2 weeks on Monday', 'monthly on the last day', 'yearly on 29 February', in the
    reader's language: each a whole sentence for the translators, never words glued together."""
    start: dt.date = row.start_date
    locale = i18n.number_locale()
    n = row.interval
    if row.frequency == "weekly":
        weekday = format_date(start, "EEEE", locale=locale)
        text = ngettext("weekly on %(weekday)s", "every %(num)s weeks on %(weekday)s", n,
                        weekday=weekday)  # fmt: skip
    elif row.frequency == "monthly":
        day = row.day_of_month or start.day
        if day == LAST_DAY:
            text = ngettext("monthly on the last day", "every %(num)s months on the last day", n)
        else:
            text = ngettext("monthly on day %(day)s", "every %(num)s months on day %(day)s", n,
                            day=day)  # fmt: skip
    elif row.frequency == "yearly":
        date = format_skeleton("MMMMd", start, locale=locale)
        text = ngettext("yearly on %(date)s", "every %(num)s years on %(date)s", n, date=date)
    else:
        text = ngettext("daily", "every %(num)s days", n)
    if row.end_date is not None:
        text = _("%(schedule)s, until %(date)s", schedule=text, date=i18n.day(row.end_date))
    if row.max_count is not None:
        text = ngettext("%(schedule)s, %(num)s time in all", "%(schedule)s, %(num)s times in all",
                        row.max_count, schedule=text)  # fmt: skip
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
        form.to_account_id.choices = choices.account_choices(session, user_id(), _("Choose…"))
        form.category_id.choices = choices.category_choices(session, user_id(), _("Uncategorised"))
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
            saved = _("Recurring transaction saved.")
            flash(saved if row_id else _("Recurring transaction added."), "success")
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
    flash(_("Recurring transaction deleted; the transactions it created stay."), "success")
    return redirect(url_for(".index"))


@blueprint.post("/run")
def run_now():  # type: ignore[no-untyped-def]
    """Create this person's due transactions now, instead of waiting for the scheduled run."""
    with unit_of_work() as session:
        report = recurring.run_due(session, dt.date.today(), user_id=user_id())
    if report.created:
        flash(ngettext("Created %(num)s due transaction.", "Created %(num)s due transactions.",
                       report.created), "success")  # fmt: skip
    elif not report.failed:
        flash(_("Nothing is due: every transaction up to today exists already."), "info")
    if report.failed:
        flash(
            ngettext(
                "%(num)s could not be created: edit the recurring transactions whose account or "
                "category changed.",
                "%(num)s could not be created: edit the recurring transactions whose account or "
                "category changed.",
                report.failed,
            ),
            "error",
        )
    return redirect(url_for(".index"))
