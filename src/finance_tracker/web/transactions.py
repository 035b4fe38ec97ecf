"""The transactions list with search, sorting, pages and a CSV export; new, edit and delete;
receipts attached to a transaction."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from pathlib import Path
from typing import Any

from flask import (
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.orm import Session
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.utils import secure_filename

from finance_tracker.domain.text import Text
from finance_tracker.ops import metrics
from finance_tracker.routing import MAX_ID
from finance_tracker.services import exports, receipts, transactions
from finance_tracker.services.errors import InvalidInput, NotFound
from finance_tracker.services.transactions import Page, TransactionFilter
from finance_tracker.store.models import Receipt
from finance_tracker.web import choices, downloads
from finance_tracker.web import rules as rule_pages
from finance_tracker.web.forms import (
    KIND_CHOICES,
    UNCATEGORISED,
    BulkCategoryForm,
    FilterForm,
    ReceiptForm,
    TransactionForm,
)
from finance_tracker.web.helpers import (
    accept_uploads,
    apply_errors,
    file_size,
    localize,
    private_blueprint,
    unit_of_work,
    upload_limit,
    user_id,
)

blueprint = private_blueprint("transactions", __name__, "/transactions")
accept_uploads(blueprint, {"transactions.upload_receipt": "receipt_max_bytes"})

PER_PAGE = 25
ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
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
    return _list_page(BulkCategoryForm(formdata=None))


def _list_page(bulk: BulkCategoryForm, status: int = 200, selected: frozenset[int] = frozenset()):  # type: ignore[no-untyped-def]
    """The list as the query string asks for it; `bulk` is the "Set category" form, with its
    errors after a refused attempt (`status` 422, the boxes that were ticked still ticked)."""
    form = FilterForm(request.args)
    with unit_of_work() as session:
        form.account_id.choices = choices.account_choices(session, user_id(), _("Any account"))
        form.category_id.choices = choices.category_filter_choices(session, user_id())
        form.tag.choices = choices.tag_choices(session, user_id())
        bulk.category_id.choices = choices.bulk_category_choices(session, user_id())
        if form.validate():
            page, counterparts, list_status = search(session, form.to_filter(), form)
        else:
            page, counterparts, list_status = Page([], 0, 1, PER_PAGE), {}, 422
        html = render_template(
            "transactions/index.html", form=form, page=page, counterparts=counterparts,
            sort=sorting(), csv_example=downloads.example(), export_urls={
                "machine": url_for(".export_csv", **_filter_args(form)),
                "locale": url_for(".export_csv", **_filter_args(form), dialect="locale"),
            },
            bulk=bulk, bulk_action=url_for(".categorise", **_list_args()), selected=selected,
        )  # fmt: skip
    return html, max(status, list_status)


def _filter_args(form: FilterForm) -> dict[str, Any]:
    """The filters of this request, to carry over to another URL (not sort or page)."""
    return {f.name: request.args[f.name] for f in form if request.args.get(f.name, "") != ""}


def _list_args() -> dict[str, Any]:
    """The list's filters, sort and page from the query string: to come back to the same list."""
    order = {k: request.args[k] for k in ("sort", "dir", "page") if request.args.get(k, "") != ""}
    return {**_filter_args(FilterForm()), **order}


@blueprint.post("/categorise")
def categorise():  # type: ignore[no-untyped-def]
    """Give the ticked transactions one category (or none), then back to the same list."""
    bulk = BulkCategoryForm()
    sent = request.form.getlist("ids")
    ids = [int(v) for v in sent if v.isdigit() and 0 < int(v) <= MAX_ID]
    chosen = bulk.category_id.data
    try:
        if chosen is None:
            raise InvalidInput(
                {"category_id": Text("choose a category, or Uncategorised to remove it")}
            )
        if len(ids) != len(sent):
            raise InvalidInput({"ids": Text("no such transaction")})
        category_id = None if chosen == UNCATEGORISED else int(chosen)
        with unit_of_work() as session:
            rows = transactions.set_category(session, user_id(), ids, category_id)
            name = rows[0].category.full_name if rows[0].category else None
    except InvalidInput as error:
        apply_errors(bulk, error)
        return _list_page(bulk, 422, frozenset(ids))
    if name is None:
        flash(
            ngettext(
                "%(num)s transaction is now uncategorised.",
                "%(num)s transactions are now uncategorised.",
                len(rows),
            ),
            "success",
        )
    else:
        flash(ngettext("%(num)s transaction moved to %(category)s.",
                       "%(num)s transactions moved to %(category)s.", len(rows), category=name),
              "success")  # fmt: skip
    return redirect(url_for(".index", **_list_args()))


@blueprint.get("/export.csv")
def export_csv():  # type: ignore[no-untyped-def]
    """What the list shows with the same filters, every page of it, as a CSV download.

    Streamed while it is read from the database: the first chunk is made here, so that a
    filter the services refuse sends the person back to the list with its error instead."""
    form = FilterForm(request.args)
    with unit_of_work() as session:
        form.account_id.choices = choices.account_choices(session, user_id(), _("Any account"))
        form.category_id.choices = choices.category_filter_choices(session, user_id())
        form.tag.choices = choices.tag_choices(session, user_id())
        valid = form.validate()
    back = redirect(url_for(".index", **_filter_args(form)))
    if not valid:
        return back
    try:
        chunks = exports.transactions_csv(
            unit_of_work, user_id(), form.to_filter(), ip=request.remote_addr,
            style=downloads.chosen_style(),
        )  # fmt: skip
    except InvalidInput:
        return back
    response = Response(stream_with_context(chunks), mimetype="text/csv")
    name = f"transactions-{dt.date.today().isoformat()}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _fill_choices(form: TransactionForm, session: Session) -> None:
    form.account_id.choices = choices.account_choices(session, user_id())
    form.to_account_id.choices = choices.account_choices(session, user_id(), _("Choose…"))
    cats = choices.category_choices(session, user_id(), _("Uncategorised"))
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
            form.splits.entries[filled[int(index)]].form.amount.errors = [localize(message)]
        elif head == "splits":
            form.split_errors.append(localize(message))
        else:
            general[name] = message
    apply_errors(form, InvalidInput(general))


def _render_form(  # type: ignore[no-untyped-def]
    form: TransactionForm, row_id: int | None, status: int, receipt_form: ReceiptForm | None = None,
    splits_open: bool = False,
):  # fmt: skip
    with unit_of_work() as session:
        _fill_choices(form, session)
        has_accounts = bool(form.account_id.choices)
        attached = receipts.list_for(session, user_id(), row_id) if row_id else []
        html = render_template(
            "transactions/form.html", form=form, row_id=row_id, has_accounts=has_accounts,
            splits_open=splits_open, receipts=attached,
            receipt_form=receipt_form or ReceiptForm(formdata=None),
            receipt_limit=upload_limit("receipt_max_bytes"), receipt_types=receipts.ALLOWED_TYPES,
        )  # fmt: skip
    return html, status


def _submit(form: TransactionForm, row_id: int | None):  # type: ignore[no-untyped-def]
    """Save a posted form, or re-render it: with one more split row, or with its errors."""
    if "add_split_line" in request.form:  # the no-JavaScript way to get another split row
        form.add_blank_split_rows(1)
        return _render_form(form, row_id, 200, splits_open=True)
    if form.validate_on_submit():
        rule_note = None
        try:
            with unit_of_work() as session:
                if row_id is None:
                    entered = form.to_input()
                    row = transactions.create(session, user_id(), entered)
                    metrics.TRANSACTIONS_CREATED.labels(source="web", kind=row.kind).inc()
                    rule_note = rule_pages.what_rules_changed(entered, row)
                else:
                    transactions.update(session, user_id(), row_id, form.to_input())
        except InvalidInput as error:
            _show_errors(form, error)
        else:
            flash(_("Transaction saved.") if row_id else _("Transaction added."), "success")
            if rule_note:
                flash(rule_note, "info")
            if "save_and_add" in request.form:  # the next one likely shares its day and account
                day = form.date.data.isoformat() if form.date.data else None
                return redirect(url_for(".new", account_id=form.account_id.data, date=day))
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
    day = request.args.get("date", "")
    if ISO_DAY.fullmatch(day):  # from "Add and start another": keep the day being entered
        with contextlib.suppress(ValueError):
            form.date.data = dt.date.fromisoformat(day)
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
    flash(_("Transaction deleted."), "success")
    return redirect(url_for(".index"))


# Receipts: a photo or PDF kept with a transaction, served only to its owner.
INLINE_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/gif": "gif"}
EXTENSIONS = {**INLINE_TYPES, "image/heic": "heic", "application/pdf": "pdf"}


def _uploads() -> Path:
    return current_app.extensions["finance_tracker"].settings.uploads


def _edit_page(transaction_id: int, status: int, receipt_form: ReceiptForm):  # type: ignore[no-untyped-def]
    """The edit page as it is saved, e.g. to show a receipt's error under the receipts."""
    with unit_of_work() as session:
        row = transactions.get(session, user_id(), transaction_id)
        current = transactions.as_input(session, row)
    form = TransactionForm(formdata=None)
    form.fill_from(current)
    return _render_form(form, transaction_id, status, receipt_form)


@blueprint.post("/<int:transaction_id>/receipts")
def upload_receipt(transaction_id: int):  # type: ignore[no-untyped-def]
    form = ReceiptForm()
    try:
        with unit_of_work() as session:
            transactions.get(session, user_id(), transaction_id)  # someone else's: 404
            if form.file.data is None:
                raise InvalidInput({"file": Text("choose a photo or a PDF of the receipt")})
            receipts.attach(
                session, user_id(), transaction_id, _uploads(), form.file.data.stream,
                form.file.data.filename, upload_limit("receipt_max_bytes"),
            )  # fmt: skip
    except InvalidInput as error:
        apply_errors(form, error)
        return _edit_page(transaction_id, 422, form)
    flash(_("Receipt attached."), "success")
    return redirect(url_for(".edit", transaction_id=transaction_id, _anchor="receipts"))


@blueprint.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge):  # type: ignore[no-untyped-def]
    """Raised while the form is read, before any view or login check: say it on the form."""
    transaction_id = int((request.view_args or {}).get("transaction_id", 0))
    if request.endpoint == "transactions.upload_receipt" and current_user.is_authenticated:
        form = ReceiptForm(formdata=None)
        limit = file_size(upload_limit("receipt_max_bytes"))
        form.file.errors = [
            _("the file is larger than %(limit)s, the most a receipt may be", limit=limit)
        ]
        try:
            return _edit_page(transaction_id, 413, form)
        except NotFound:
            pass
    return render_template("errors/error.html", error=error), 413


def _download_name(receipt: Receipt) -> str:
    """The name it was uploaded with, reduced to safe characters, with the extension of what
    it really is: never a path, never a name that makes a browser treat it as something else."""
    stem = secure_filename(Path(receipt.filename).stem)[:80] or "receipt"
    return f"{stem}.{EXTENSIONS.get(receipt.content_type, 'bin')}"


@blueprint.get("/<int:transaction_id>/receipts/<int:receipt_id>")
def receipt(transaction_id: int, receipt_id: int):  # type: ignore[no-untyped-def]
    """The file, to its owner only, as the type its content was recognised as. Images open in
    the browser; anything else (a PDF) downloads."""
    with unit_of_work() as session:
        found, path = receipts.get(session, user_id(), receipt_id, _uploads())
        if found.transaction_id != transaction_id:
            raise NotFound("receipt")
        content_type, name = found.content_type, _download_name(found)
    response = send_file(
        path, mimetype=content_type, as_attachment=content_type not in INLINE_TYPES,
        download_name=name, conditional=True, max_age=0,
    )  # fmt: skip
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    )
    return response


@blueprint.post("/<int:transaction_id>/receipts/<int:receipt_id>/delete")
def delete_receipt(transaction_id: int, receipt_id: int):  # type: ignore[no-untyped-def]
    with unit_of_work() as session:
        attached = receipts.list_for(session, user_id(), transaction_id)  # someone else's: 404
        if receipt_id not in {r.id for r in attached}:
            raise NotFound("receipt")
        receipts.delete(session, user_id(), receipt_id, _uploads())
    flash(_("Receipt deleted."), "success")
    return redirect(url_for(".edit", transaction_id=transaction_id, _anchor="receipts"))
