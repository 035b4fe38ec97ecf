"""Accounts: the list with balances, new, edit (and archive), delete, and one account's page."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from finance_tracker.domain.money import Money, format_plain, totals_by_currency
from finance_tracker.services import accounts
from finance_tracker.services.accounts import AccountInput
from finance_tracker.services.errors import Conflict, InvalidInput
from finance_tracker.services.transactions import TransactionFilter
from finance_tracker.web import transactions as transaction_pages
from finance_tracker.web.forms import AccountForm
from finance_tracker.web.helpers import (
    apply_errors,
    message_of,
    private_blueprint,
    unit_of_work,
    user_id,
)
from finance_tracker.web.signup import currency_choices

blueprint = private_blueprint("accounts", __name__, "/accounts")


@blueprint.get("/")
def index():  # type: ignore[no-untyped-def]
    with unit_of_work() as session:
        rows = accounts.list_with_balances(session, user_id())
        open_rows = [r for r in rows if not r.account.archived]
        totals = totals_by_currency([Money(r.balance_minor, r.account.currency) for r in open_rows])
        return render_template(
            "accounts/index.html",
            open_rows=open_rows,
            archived_rows=[r for r in rows if r.account.archived],
            totals=sorted(totals.values(), key=lambda m: m.currency),
        )


def _form() -> AccountForm:
    form = AccountForm()
    form.currency.choices = currency_choices()
    return form


def _input(form: AccountForm, archived: bool) -> AccountInput:
    return AccountInput(
        name=form.name.data or "",
        type=form.type.data or "",
        currency=form.currency.data or "",
        opening_balance=(form.opening_balance.data or "0").strip() or "0",
        archived=archived,
    )


@blueprint.route("/new", methods=["GET", "POST"])
def new():  # type: ignore[no-untyped-def]
    form = _form()
    if request.method == "GET":
        form.currency.data = current_user.default_currency
    if form.validate_on_submit():
        try:
            with unit_of_work() as session:
                account = accounts.create(session, user_id(), _input(form, archived=False))
                account_id = account.id
        except InvalidInput as error:
            apply_errors(form, error)
        else:
            flash(_("Account “%(name)s” created.", name=form.name.data.strip()), "success")
            return redirect(url_for(".detail", account_id=account_id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("accounts/form.html", form=form, account=None), status


@blueprint.route("/<int:account_id>/edit", methods=["GET", "POST"])
def edit(account_id: int):  # type: ignore[no-untyped-def]
    with unit_of_work() as session:
        account = accounts.get(session, user_id(), account_id)  # someone else's: 404
    form = _form()
    if request.method == "GET":
        form.name.data, form.type.data = account.name, account.type
        form.currency.data, form.archived.data = account.currency, account.archived
        form.opening_balance.data = format_plain(account.opening_balance_minor, account.currency)
    if form.validate_on_submit():
        try:
            with unit_of_work() as session:
                accounts.update(session, user_id(), account_id, _input(form, form.archived.data))
        except InvalidInput as error:
            apply_errors(form, error)
        else:
            flash(_("Account saved."), "success")
            return redirect(url_for(".detail", account_id=account_id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("accounts/form.html", form=form, account=account), status


@blueprint.post("/<int:account_id>/delete")
def delete(account_id: int):  # type: ignore[no-untyped-def]
    try:
        with unit_of_work() as session:
            accounts.delete(session, user_id(), account_id)
    except Conflict as error:
        flash(_("Not deleted: %(reason)s.", reason=message_of(error)), "error")
        return redirect(url_for(".edit", account_id=account_id))
    flash(_("Account deleted."), "success")
    return redirect(url_for(".index"))


@blueprint.get("/<int:account_id>")
def detail(account_id: int):  # type: ignore[no-untyped-def]
    with unit_of_work() as session:
        account = accounts.get(session, user_id(), account_id)
        balance = accounts.balance(session, user_id(), account_id)
        page, counterparts, status = transaction_pages.search(
            session, TransactionFilter(account_id=account_id)
        )
        sort, direction = transaction_pages.sorting()
        # A running balance only means something in the order the money moved.
        running = (
            accounts.running_balances(
                session, user_id(), account_id, page.items, newest_first=direction == "desc"
            )
            if sort == "date"
            else None
        )
        html = render_template(
            "accounts/detail.html", account=account, balance=balance, page=page,
            counterparts=counterparts, sort=(sort, direction), running=running,
        )  # fmt: skip
    return html, status
