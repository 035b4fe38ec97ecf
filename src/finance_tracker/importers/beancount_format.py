"""A beancount ledger, read by the beancount package's own loader (its parser, booking and
plugins: `pad` becomes the padding transactions beancount itself makes), then turned into
statements by `journals`. A ledger beancount finds errors in is refused with beancount's own
messages and their lines: one that does not balance, an account used before it is opened."""

from __future__ import annotations

from pathlib import Path

from finance_tracker.domain.ledger import Cleared
from finance_tracker.domain.text import Text, TextList
from finance_tracker.importers import ImportFileError, ParsedFile
from finance_tracker.importers.journals import Entry, Posting, display_name, statements_from

MAX_ERRORS_SHOWN = 3


def parse(path: Path) -> ParsedFile:
    from beancount import loader  # heavy: only when a beancount file arrives
    from beancount.core import data

    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    if "\ninclude " in f"\n{text}":
        raise ImportFileError(
            Text("the ledger includes other files: upload one file that holds it all")
        )
    entries, errors, _options = loader.load_string(text)
    if errors:
        # beancount's own messages are English: they are quoted as they are.
        shown = TextList([
            Text("line %(line)s: %(message)s", line=e.source.get("lineno", "?"),
                 message=" ".join(str(e.message).split())[:160])
            for e in errors[:MAX_ERRORS_SHOWN]
        ], "; ")  # fmt: skip
        if len(errors) > MAX_ERRORS_SHOWN:
            raise ImportFileError(
                Text("beancount finds errors in the ledger: %(problems)s (and %(more)s more)",
                     problems=shown, more=len(errors) - MAX_ERRORS_SHOWN)
            )  # fmt: skip
        raise ImportFileError(
            Text("beancount finds errors in the ledger: %(problems)s", problems=shown)
        )
    currencies = {
        e.account: e.currencies[0]
        for e in entries
        if isinstance(e, data.Open) and e.currencies and len(e.currencies) == 1
    }
    journal = []
    others: dict[str, int] = {}
    for entry in entries:
        if isinstance(entry, data.Transaction):
            journal.append(_entry(entry))
        elif not isinstance(entry, data.Open | data.Close | data.Commodity):
            kind = type(entry).__name__.lower()
            others[kind] = others.get(kind, 0) + 1
    parsed = statements_from(journal, currencies, Text("beancount ledger"))
    if others:  # beancount's names for its directives: balance, price, note, …
        listed = ", ".join(f"{count} {kind}" for kind, count in sorted(others.items()))
        parsed.notes.append(
            Text("Directives that are not transactions are not carried over (%(listed)s): "
                 "balance assertions, prices, notes, documents and events.", listed=listed)
        )  # fmt: skip
    closed = sorted(display_name(e.account) for e in entries if isinstance(e, data.Close))
    if closed:
        parsed.notes.append(
            Text("Closed in the ledger, open here: %(accounts)s.", accounts=", ".join(closed))
        )
    return parsed


def _entry(entry) -> Entry:  # type: ignore[no-untyped-def]
    postings = []
    for posting in entry.postings:
        cost = None
        if posting.price is not None:  # @ per unit
            cost = (abs(posting.units.number) * posting.price.number, posting.price.currency)
        elif posting.cost is not None and posting.cost.number is not None:  # {…} per unit
            cost = (abs(posting.units.number) * posting.cost.number, posting.cost.currency)
        postings.append(Posting(
            posting.meta.get("lineno", entry.meta["lineno"]), posting.account,
            posting.units.number, posting.units.currency, cost,
        ))  # fmt: skip
    flag = Cleared.cleared if entry.flag == "*" else Cleared.uncleared
    return Entry(
        entry.meta["lineno"], entry.date, entry.payee or "", entry.narration or "", flag,
        tuple(postings), tuple(sorted(entry.tags or ())),
    )  # fmt: skip
