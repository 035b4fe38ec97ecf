"""Bank imports: upload a file, match a CSV's columns, preview, then commit as a job and watch it.

What a file holds is decided by `services.imports`; these pages only carry it. The commit runs
as a job (`jobs.imports`): on the worker, or in a thread of this process when there is no Redis.
An import not yet committed can be discarded from each of its pages; one left unfinished expires.
"""

from __future__ import annotations

import json
from contextlib import closing
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Literal

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import RequestEntityTooLarge

from finance_tracker.domain.money import MoneyError, parse_amount
from finance_tracker.domain.text import Text
from finance_tracker.importers import (
    SOURCE_NAMES,
    FileFormat,
    ImportFileError,
    RowProblem,
    csv_format,
)
from finance_tracker.importers.csv_format import CsvSettings
from finance_tracker.jobs.imports import submit_import
from finance_tracker.jobs.progress import store_for
from finance_tracker.routing import MAX_ID
from finance_tracker.services import categories, imports
from finance_tracker.services.errors import Conflict, InvalidInput
from finance_tracker.services.import_targets import NEW, ImportOptions, NewAccount
from finance_tracker.store.models import Account, ImportBatch
from finance_tracker.web import choices
from finance_tracker.web.forms import CsvMappingForm, ImportUploadForm
from finance_tracker.web.helpers import (
    accept_uploads,
    apply_errors,
    file_size,
    localize,
    message_of,
    private_blueprint,
    unit_of_work,
    upload_limit,
    user_id,
)

blueprint = private_blueprint("imports", __name__, "/imports")
KEEP = "keep"  # a transfer's choice: no transfer, income or expense as it is
accept_uploads(blueprint, {"imports.index": "import_max_bytes"})

SAMPLE_ROWS = 10  # the live preview on the mapping screen
PREVIEW_ROWS = 25  # the sample on the preview page
COMMITTED = ("queued", "running", "done")
FINISHED = ("done", "failed", "expired")
# What the list of recent imports says about each, and the page that carries on from there.
STATUSES = {
    "mapping": (_l("Columns to check"), ".mapping"),
    "uploaded": (_l("Ready to preview"), ".preview"),
    "previewed": (_l("Previewed"), ".preview"),
    "queued": (_l("Waiting to start"), ".detail"),
    "running": (_l("Importing…"), ".detail"),
    "done": (_l("Done"), ".detail"),
    "failed": (_l("Failed"), ".detail"),
    "expired": (_l("Expired"), ".detail"),
}
# Where an import's own page is, once its file is gone: the status page says why.
GONE = ("expired",)


def _root() -> Path:
    return current_app.extensions["finance_tracker"].settings.uploads


def _index_page(form: ImportUploadForm, status: int = 200):  # type: ignore[no-untyped-def]
    with unit_of_work() as session:
        form.account_id.choices = choices.account_choices(
            session, user_id(), _("None: the file brings its own accounts")
        )
        if form.account_id.data is None and len(form.account_id.choices) == 2:
            form.account_id.data = int(form.account_id.choices[1].value)  # the only account
        html = render_template(
            "imports/index.html", form=form, batches=imports.list_recent(session, user_id()),
            statuses=STATUSES, max_bytes=upload_limit("import_max_bytes"),
        )  # fmt: skip
    return html, status


@blueprint.route("/", methods=["GET", "POST"])
def index():  # type: ignore[no-untyped-def]
    form = ImportUploadForm()
    if request.method == "GET":
        account = request.args.get("account_id", "")
        if account.isdigit():
            form.account_id.data = int(account)
        return _index_page(form)
    if form.validate_on_submit():
        try:
            batch_id, needs_mapping = _upload(form)
        except InvalidInput as error:
            apply_errors(form, error)
        else:
            page = ".mapping" if needs_mapping else ".preview"
            return redirect(url_for(page, batch_id=batch_id))
    return _index_page(form, 422)


def _upload(form: ImportUploadForm) -> tuple[int, bool]:
    """Store the file and register it; returns the import's id and whether it is a CSV."""
    upload = form.file.data
    if upload is None:
        raise InvalidInput(
            {"file": Text("choose the file your bank gave you (CSV, OFX or QIF), or the export "
                          "of the app you move in from")}
        )  # fmt: skip
    root = _root()
    stored_name, size = imports.save_upload(
        root, "imports", upload.stream, upload_limit("import_max_bytes")
    )
    try:
        with unit_of_work() as session:
            batch = imports.start(
                session, user_id(), form.account_id.data, root, stored_name, size, upload.filename
            )
            is_csv = batch.status == "mapping"
            if not is_csv:
                # Everything but a CSV goes straight to the preview: read it now, so that a
                # broken file is refused on this form, with the reason.
                imports.preview(session, user_id(), batch.id, root, limit=0)
            return batch.id, is_csv
    except InvalidInput:
        (root / "imports" / stored_name).unlink(missing_ok=True)
        raise


@blueprint.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge):  # type: ignore[no-untyped-def]
    """Raised while the form is read, before any view or login check: say it on the form."""
    if request.endpoint != "imports.index" or not current_user.is_authenticated:
        return render_template("errors/error.html", error=error), 413
    form = ImportUploadForm(formdata=None)
    limit = file_size(upload_limit("import_max_bytes"))
    form.file.errors = [
        _("the file is larger than %(limit)s, the most a bank file may be", limit=limit)
    ]
    return _index_page(form, 413)


def _bank_account(batch: ImportBatch) -> Account:
    """The account a bank statement (here: a CSV's) was uploaded for."""
    assert batch.account is not None, "a bank statement always has its account"
    return batch.account


@dataclass
class SampleRow:
    line: int
    date: object = None
    payee: str = ""
    memo: str = ""
    amount_minor: int | None = None
    problem: str = ""  # a Text, shown translated


@dataclass
class Sample:
    rows: list[SampleRow]
    problems: list[str]  # settings that must be chosen before any row can be read
    error: str = ""  # the file cannot be read this way (a Text)


def _sample(batch: ImportBatch, form: CsvMappingForm) -> Sample:
    """The first rows of the file read with the settings on the form (not yet saved)."""
    try:
        settings = CsvSettings.from_dict(form.to_settings())
    except TypeError as error:
        return Sample([], [str(error)])
    if problems := settings.problems():
        return Sample([], [
            _("%(field)s: %(problem)s", field=getattr(form, k).label.text, problem=localize(m))
            for k, m in problems.items()
        ])  # fmt: skip
    currency = _bank_account(batch).currency
    rows = []
    try:
        path = imports.stored_path(_root(), batch)
        with closing(csv_format.parse(path, settings)) as parsed:  # type: ignore[type-var]
            for item in islice(parsed, SAMPLE_ROWS):
                if isinstance(item, RowProblem):
                    rows.append(SampleRow(item.line, problem=item.message))
                    continue
                row = SampleRow(item.line, item.date, item.payee, item.memo)
                try:
                    row.amount_minor = parse_amount(item.amount, currency)
                except MoneyError as error:
                    row.problem = error.args[0]
                rows.append(row)
    except ImportFileError as error:
        return Sample([], [], error.args[0])
    return Sample(rows, [])


@blueprint.route("/<int:batch_id>/mapping", methods=["GET", "POST"])
def mapping(batch_id: int):  # type: ignore[no-untyped-def]
    """The columns and format of a CSV as guessed (or as last used for the account), to check
    with a live preview of the first rows; "Update preview" is the way without JavaScript."""
    with unit_of_work() as session:
        batch = imports.get(session, user_id(), batch_id)  # someone else's: 404
        if batch.status in (*COMMITTED, *GONE):
            return redirect(url_for(".detail", batch_id=batch_id))
        if batch.file_format != FileFormat.csv.value:
            return redirect(url_for(".preview", batch_id=batch_id))
        try:
            view = imports.csv_view(session, user_id(), batch_id, _root())
        except InvalidInput as error:
            reason = localize(error.errors.get("file") or "; ".join(error.errors.values()))
            flash(_("“%(file)s” cannot be read: %(reason)s", file=batch.filename, reason=reason),
                  "error")  # fmt: skip
            return redirect(url_for(".index"))
    form = CsvMappingForm()
    status = 200
    if request.method == "GET":
        form.fill_from(view.settings)
    elif "update_preview" in request.form:
        status = 200 if form.validate() else 422
    elif not form.validate_on_submit():
        status = 422
    else:
        try:
            with unit_of_work() as session:
                imports.set_csv_settings(session, user_id(), batch_id, form.to_settings())
        except InvalidInput as error:
            apply_errors(form, error)
            status = 422
        else:
            return redirect(url_for(".preview", batch_id=batch_id))
    form.set_columns(view.header)
    with unit_of_work() as session:
        batch = imports.get(session, user_id(), batch_id)
        html = render_template(
            "imports/mapping.html", batch=batch, form=form, view=view,
            sample=_sample(batch, form), currency=_bank_account(batch).currency,
        )  # fmt: skip
    return html, status


@blueprint.get("/<int:batch_id>/sample")
def sample(batch_id: int):  # type: ignore[no-untyped-def]
    """The live preview of the mapping screen: the rows read with the settings in the query."""
    form = CsvMappingForm(formdata=request.args)
    form.validate()
    with unit_of_work() as session:
        batch = imports.get(session, user_id(), batch_id)
        if batch.file_format != FileFormat.csv.value:
            raise Conflict(Text("only CSV files have a column mapping"))
        imports.refuse_expired(batch)  # its file is gone
        return render_template(
            "imports/_sample.html", sample=_sample(batch, form),
            currency=_bank_account(batch).currency,
        )  # fmt: skip


@blueprint.get("/<int:batch_id>/preview")
def preview(batch_id: int):  # type: ignore[no-untyped-def]
    with unit_of_work() as session:
        batch = imports.get(session, user_id(), batch_id)
        if batch.status == "mapping":
            return redirect(url_for(".mapping", batch_id=batch_id))
        if batch.status in (*COMMITTED, *GONE):
            return redirect(url_for(".detail", batch_id=batch_id))
        error = ""
        try:
            result = imports.preview(session, user_id(), batch_id, _root(), PREVIEW_ROWS)
        except InvalidInput as refused:
            result = None
            error = "; ".join(localize(message) for message in refused.errors.values())
        names = {c.id: c.full_name for c in categories.list_all(session, user_id())}
        own = list(result.plan.own_accounts.values()) if result and result.plan else []
        html = render_template(
            "imports/preview.html", batch=batch, result=result, error=error,
            category_names=names, is_csv=batch.file_format == FileFormat.csv.value,
            accounts=sorted(
                (a for a in own if not a.archived and not isinstance(a, NewAccount)),
                key=lambda a: a.name.casefold(),
            ),
            account_names={a.id: a.name for a in own},
            currencies={a.id: a.currency for a in own},
            source=SOURCE_NAMES[FileFormat(batch.file_format)],
            moves_in=FileFormat(batch.file_format).moves_in, NEW=NEW, KEEP=KEEP,
        )  # fmt: skip
    return html, 422 if error else 200


def _chosen_account(value: str, what: str) -> int | None:
    """An account id from a select of the preview's choices; "" is "none"."""
    if value == "":
        return None
    if not value.isdigit() or not 0 < int(value) <= MAX_ID:
        raise InvalidInput({"options": Text("%(what)s: choose one of your accounts", what=what)})
    return int(value)


def _chosen_target(value: str, what: str) -> int | Literal["new"] | None:
    """A statement's account: one of the person's, "new" (one made for it), or none."""
    return NEW if value == NEW else _chosen_account(value, what)


def _options_from(form: MultiDict) -> ImportOptions:
    """The preview's choices form: a select per statement and per transfer, and switches."""
    statements = {
        int(key.removeprefix("statement-")): _chosen_target(
            value, Text("statement %(number)s", number=key[10:])
        )
        for key, value in form.items()
        if key.startswith("statement-") and key[10:].isdigit()
    }
    names = form.getlist("transfer_name")
    targets = form.getlist("transfer_account")
    if len(names) != len(targets):
        raise InvalidInput({"options": Text("choose an account (or none) for every transfer")})
    transfers = {  # "": as matched (an account this import creates); KEEP: no transfer
        name: None if target == KEEP else _chosen_account(target, name)
        for name, target in zip(names, targets, strict=True)
        if target != ""
    }
    return ImportOptions(
        accounts=statements or None,
        transfers=transfers or None,
        round_amounts="round_amounts" in form,
        skip_invalid="skip_invalid" in form,
        rules_override="rules_override" in form,
        create_categories="create_categories" in form,
    )


@blueprint.post("/<int:batch_id>/options")
def options(batch_id: int):  # type: ignore[no-untyped-def]
    """The preview's choices: the account of each statement and each transfer, rounding,
    skipping invalid rows, rules over the file's categories, creating missing categories."""
    with unit_of_work() as session:
        batch = imports.get(session, user_id(), batch_id)  # someone else's: 404
        if batch.status in (*COMMITTED, *GONE):
            return redirect(url_for(".detail", batch_id=batch_id))
    try:
        chosen = _options_from(request.form)
        with unit_of_work() as session:
            imports.set_options(session, user_id(), batch_id, _root(), chosen)
    except InvalidInput as refused:
        reasons = "; ".join(localize(message) for message in refused.errors.values())
        flash(_("Not changed: %(reasons)s.", reasons=reasons), "error")
    except Conflict as refused:
        flash(_("Not changed: %(reasons)s.", reasons=message_of(refused)), "error")
    else:
        flash(_("Your choices are applied: the preview below shows what will be imported."),
              "success")  # fmt: skip
    return redirect(url_for(".preview", batch_id=batch_id))


@blueprint.post("/<int:batch_id>/commit")
def commit(batch_id: int):  # type: ignore[no-untyped-def]
    with unit_of_work() as session:
        batch = imports.get(session, user_id(), batch_id)
        status, invalid, error = batch.status, batch.invalid_rows, batch.error
        skip_invalid = ImportOptions.from_json(batch.options_json).skip_invalid
    if status in COMMITTED:
        return redirect(url_for(".detail", batch_id=batch_id))
    if status in GONE:
        flash(_("Nothing imported: %(reason)s.", reason=localize(error)), "error")
        return redirect(url_for(".detail", batch_id=batch_id))
    if status != "previewed":
        flash(_("Check the preview first, then import."), "info")
        return redirect(url_for(".preview", batch_id=batch_id))
    if invalid and not skip_invalid:
        flash(
            ngettext(
                "Nothing imported: %(num)s row is invalid. "
                "An import adds every row or none: fix them, or choose to skip them.",
                "Nothing imported: %(num)s rows are invalid. "
                "An import adds every row or none: fix them, or choose to skip them.",
                invalid,
            ),
            "error",
        )
        return redirect(url_for(".preview", batch_id=batch_id))
    submit_import(current_app.extensions["finance_tracker"], batch_id)
    return redirect(url_for(".detail", batch_id=batch_id))


def _progress(batch: ImportBatch) -> dict[str, object]:
    done = store_for(current_app.extensions["finance_tracker"].redis).get(f"import:{batch.id}")
    total = batch.total_rows
    done = total if batch.status == "done" else min(done or 0, total)
    return {
        "status": batch.status,
        "finished": batch.status in FINISHED,
        "done": done,
        "total": total,
        "new": batch.new_rows,
        "duplicates": batch.duplicate_rows,
        "error": localize(batch.error) if batch.error else None,
        "transactions_url": (
            url_for("transactions.index", account_id=batch.account_id)
            if batch.status == "done" and batch.account_id
            else url_for("transactions.index")
            if batch.status == "done"
            else None
        ),
    }


@blueprint.get("/<int:batch_id>")
def detail(batch_id: int):  # type: ignore[no-untyped-def]
    """The progress of a committed import, and its outcome."""
    with unit_of_work() as session:
        batch = imports.get(session, user_id(), batch_id)
        if batch.status not in (*COMMITTED, "failed", *GONE):
            return redirect(url_for(STATUSES[batch.status][1], batch_id=batch_id))
        return render_template(
            "imports/status.html", batch=batch, progress=_progress(batch),
            report=json.loads(batch.report_json) if batch.status == "done" else None,
        )  # fmt: skip


@blueprint.post("/<int:batch_id>/discard")
def discard(batch_id: int):  # type: ignore[no-untyped-def]
    """Forget an import that was not committed, and its file: a wrong file, or one to upload
    again. A running import finishes first; a done one stays (its transactions are in)."""
    try:
        with unit_of_work() as session:
            filename = imports.get(session, user_id(), batch_id).filename  # someone else's: 404
            imports.discard(session, user_id(), batch_id, _root())
    except Conflict as refused:
        flash(_("Not discarded: %(reason)s.", reason=message_of(refused)), "error")
        return redirect(url_for(".detail", batch_id=batch_id))
    flash(_("“%(file)s” discarded: nothing was imported from it.", file=filename), "success")
    return redirect(url_for(".index"))


@blueprint.get("/<int:batch_id>/status")
def status(batch_id: int):  # type: ignore[no-untyped-def]
    """What the progress page polls: rows done of the total, and the outcome once finished."""
    with unit_of_work() as session:
        return jsonify(_progress(imports.get(session, user_id(), batch_id)))
