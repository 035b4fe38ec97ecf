"""The transactions list with search, sorting and pages; new, edit and delete."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy.orm import Session

from finance_tracker.ops import metrics
from finance_tracker.services import transactions
from finance_tracker.services.errors import InvalidInput
from finance_tracker.services.transactions import Page, TransactionFilter
from finance_tracker.web import choices
from finance_tracker.web.forms import KIND_CHOICES, FilterForm, TransactionForm
from finance_tracker.web.helpers import apply_errors, private_blueprint, unit_of_work, user_id

blueprint = private_blueprint("transactions", __name__, "/transactions")

PER_PAGE = 25
# Column -> the direction a first click sorts in: newest, largest, A to Z.
SORTABLE = {"date": "desc", "amount": "desc", "payee": "asc"}


def sorting() -> tuple[str, str]:
    sort = request.args.get("sort", "date")
    if sort not in SORTABLE:
        sort = "date"
    direction = request.args.get("dir", SORTABLE[sort])
    return sort, direction if direction in ("asc", "desc") else SORTABLE[sort]


def page_number() -> int:
    value = request.args.get("page", "1")
    return int(value) if value.isdigit() and 0 < int(value) < 1_000_000 else 1


def search(session: Session, filters: TransactionFilter, form=None):  # type: ignore[no-untyped-def]
    """One page of matching transactions and the other leg of each transfer on it.

    Returns (page, counterparts, status): a filter the services refuse shows its error on
    `form` and an empty page with 422."""
    sort, direction = sorting()
    try:
        page = transactions.search(
            session, user_id(), filters, page=page_number(), per_page=PER_PAGE,
            sort=sort, descending=direction == "desc",
        )  # fmt: skip
    except InvalidInput as error:
        if form is not None:
            apply_errors(form, error)
        return Page([], 0, 1, PER_PAGE), {}, 422
    return page, transactions.transfer_counterparts(session, user_id(), page.items), 200


@blueprint.get("/")
def index():  # type: ignore[no-untyped-def]
    form = FilterForm(request.args)
    with unit_of_work() as session:
        form.account_id.choices = choices.account_choices(session, user_id(), "Any account")
        form.category_id.choices = choices.category_choices(session, user_id(), "Any category")
        form.tag.choices = choices.tag_choices(session, user_id())
        if form.validate():
            page, counterparts, status = search(session, form.to_filter(), form)
        else:
            page, counterparts, status = Page([], 0, 1, PER_PAGE), {}, 422
        html = render_template(
            "transactions/index.html", form=form, page=page, counterparts=counterparts,
            sort=sorting(),
        )  # fmt: skip
    return html, status


def _fill_choices(form: TransactionForm, session: Session) -> None:
    form.account_id.choices = choices.account_choices(session, user_id())
    form.to_account_id.choices = choices.account_choices(session, user_id(), "Choose…")
    cats = choices.category_choices(session, user_id(), "Uncategorised")
    form.category_id.choices = cats
    for entry in form.splits.entries:
        entry.form.category_id.choices = cats


def _show_errors(form: TransactionForm, error: InvalidInput) -> None:
    """Service errors beside their fields; `splits.N` counts only the rows that were filled."""
    filled = form.filled_split_rows()
    general = {}
    for name, message in error.errors.items():
        head, _, index = name.partition(".")
        if head == "splits" and index.isdigit() and int(index) < len(filled):
            form.splits.entries[filled[int(index)]].form.amount.errors = [message]
        elif head == "splits":
            form.split_errors.append(message)
        else:
            general[name] = message
    apply_errors(form, InvalidInput(general))


def _render_form(form: TransactionForm, row_id: int | None, status: int):  # type: ignore[no-untyped-def]
    with unit_of_work() as session:
        _fill_choices(form, session)
        has_accounts = bool(form.account_id.choices)
        html = render_template(
            "transactions/form.html", form=form, row_id=row_id, has_accounts=has_accounts
        )
    return html, status


def _submit(form: TransactionForm, row_id: int | None):  # type: ignore[no-untyped-def]
    """Save a posted form, or re-render it: with one more split row, or with its errors."""
    if "add_split_line" in request.form:  # the no-JavaScript way to get another split row
        form.add_blank_split_rows(1)
        return _render_form(form, row_id, 200)
    if form.validate_on_submit():
        try:
            with unit_of_work() as session:
                if row_id is None:
                    row = transactions.create(session, user_id(), form.to_input())
                    metrics.TRANSACTIONS_CREATED.labels(source="web", kind=row.kind).inc()
                else:
                    transactions.update(session, user_id(), row_id, form.to_input())
        except InvalidInput as error:
            _show_errors(form, error)
        else:
            flash("Transaction saved." if row_id else "Transaction added.", "success")
            if "save_and_add" in request.form:
                return redirect(url_for(".new", account_id=form.account_id.data))
            return redirect(url_for(".index"))
    return _render_form(form, row_id, 422)


@blueprint.route("/new", methods=["GET", "POST"])
def new():  # type: ignore[no-untyped-def]
    form = TransactionForm()
    if request.method == "POST":
        return _submit(form, None)
    account = request.args.get("account_id", "")
    if account.isdigit():
        form.account_id.data = int(account)
    if request.args.get("kind") in {c.value for c in KIND_CHOICES}:
        form.kind.data = request.args["kind"]
    return _render_form(form, None, 200)


@blueprint.route("/<int:transaction_id>/edit", methods=["GET", "POST"])
def edit(transaction_id: int):  # type: ignore[no-untyped-def]
    with unit_of_work() as session:
        row = transactions.get(session, user_id(), transaction_id)  # someone else's: 404
        current = transactions.as_input(session, row)
    form = TransactionForm()
    if request.method == "POST":
        return _submit(form, transaction_id)
    form.fill_from(current)
    return _render_form(form, transaction_id, 200)


@blueprint.post("/<int:transaction_id>/delete")
def delete(transaction_id: int):  # type: ignore[no-untyped-def]
    with unit_of_work() as session:
        transactions.delete(session, user_id(), transaction_id)
    flash("Transaction deleted.", "success")
    return redirect(url_for(".index"))
