"""Double-entry journals (beancount, hledger, ledger) -> one statement per own account.

A journal transaction is postings that balance. Postings to `Assets` and `Liabilities` are
the person's accounts; `Expenses` and `Income` are categories (`Expenses:Food:Groceries` is
Food › Groceries, `Income:Salary` is Income › Salary); `Equity` opens balances. A transaction
goes into the statement of its first own account: with one category it is an income or an
expense, with one other own account a transfer (in another currency: what arrived, as the
journal says), with more postings a split whose lines are categories or transfers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal

from finance_tracker.domain.ledger import Cleared
from finance_tracker.domain.money import known_currencies
from finance_tracker.domain.text import Text
from finance_tracker.importers import (
    ImportFileError,
    ParsedFile,
    ParsedRow,
    ParsedSplit,
    Record,
    RowProblem,
    SkippedRecord,
    Statement,
)

OWN = ("assets", "liabilities")
CATEGORIES = {"expenses": "", "expense": "", "income": "Income", "revenue": "Income",
              "revenues": "Income"}  # fmt: skip
EQUITY = "equity"


@dataclass(frozen=True)
class Posting:
    line: int
    account: str  # "Assets:Bank:Checking"
    amount: Decimal
    commodity: str  # "EUR", or "AAPL"
    cost: tuple[Decimal, str] | None = None  # its value in another commodity (@@, or @ × units)

    @property
    def root(self) -> str:
        return self.account.split(":", 1)[0].casefold()


@dataclass(frozen=True)
class Entry:
    line: int
    date: dt.date
    payee: str
    narration: str
    cleared: Cleared
    postings: tuple[Posting, ...]
    tags: tuple[str, ...] = ()


@dataclass
class _Account:
    name: str
    currency: str | None
    records: list[Record] = field(default_factory=list)


def display_name(account: str) -> str:
    """ "Assets:Bank:Checking" -> "Bank:Checking": the root says only that it is an account."""
    return account.split(":", 1)[1] if ":" in account else account


def category_path(account: str) -> str:
    """ "Expenses:Food:Groceries" -> "Food:Groceries"; "Income:Salary" -> "Income:Salary"."""
    root, _, rest = account.partition(":")
    prefix = CATEGORIES.get(root.casefold(), root)
    return ":".join(p for p in (prefix, rest) if p) or root


def _is_money(commodity: str) -> bool:
    return commodity.upper() in known_currencies()


def statements_from(
    entries: list[Entry], currencies: dict[str, str] | None = None, source: str | None = None
) -> ParsedFile:
    """`currencies`: each account's currency where the journal declares one (open directives)."""
    accounts: dict[str, _Account] = {}
    loose: list[SkippedRecord] = []

    def account(name: str) -> _Account:
        if name not in accounts:
            declared = (currencies or {}).get(name)
            accounts[name] = _Account(name, declared if declared and _is_money(declared) else None)
        return accounts[name]

    for entry in entries:
        own = [p for p in entry.postings if p.root in OWN]
        if not own:
            loose.append(SkippedRecord(
                entry.line, Text("no account"),
                Text("moves money between categories or equity only, not in or out of an "
                     "account"),
            ))  # fmt: skip
            continue
        for posting in own:  # an account only ever transferred to is an account too
            if _is_money(posting.commodity) and account(posting.account).currency is None:
                account(posting.account).currency = posting.commodity
        if any(not _is_money(p.commodity) for p in own) and all(
            p.cost for p in own if not _is_money(p.commodity)
        ):
            holding = next(p for p in own if not _is_money(p.commodity))
            account(holding.account).records.append(SkippedRecord(
                entry.line, Text("holding"),
                Text("%(amount)s %(commodity)s: this tracker records cash, not holdings",
                     amount=holding.amount, commodity=holding.commodity),
            ))  # fmt: skip
            continue
        rest = [p for p in entry.postings if p.root not in OWN]
        if rest and all(p.root == EQUITY for p in rest) and len(own) > 1:
            for posting in own:  # opening balances of several accounts at once
                account(posting.account).records.append(_record(
                    Entry(entry.line, entry.date, entry.payee, entry.narration, entry.cleared,
                          (posting, *rest), entry.tags),
                    posting, account(posting.account).currency or posting.commodity,
                ))  # fmt: skip
            continue
        main = _main(own)
        home = account(main.account)
        strange = next((p for p in entry.postings if not _is_money(p.commodity)), None)
        if strange is not None:  # no cost, so no holding: a currency this tracker does not know
            home.records.append(RowProblem(
                strange.line, Text("%(commodity)r is not a currency (an ISO 4217 code like EUR, "
                                   "or $, €, £)", commodity=strange.commodity),
            ))  # fmt: skip
            continue
        if home.currency is None:
            home.currency = main.commodity
        home.records.append(_record(entry, main, home.currency))
    statements = [
        Statement("account", display_name(a.name), a.currency, a.records,
                  account_type=_account_type(a.name))
        for a in accounts.values()
    ]  # fmt: skip
    if not statements:
        raise ImportFileError(
            Text("the %(source)s has no transactions in or out of an account",
                 source=source or Text("journal"))
        )  # fmt: skip
    return ParsedFile(statements, unplaced=loose)


def _main(own: list[Posting]) -> Posting:
    """The posting whose account the transaction is recorded in: where the money left (the
    largest outgoing amount), else where the most arrived."""
    leaving = [p for p in own if p.amount < 0]
    return max(leaving or own, key=lambda p: abs(p.amount))


def _account_type(name: str) -> str | None:
    return "credit_card" if name.casefold().startswith("liabilities") and any(
        w in name.casefold() for w in ("card", "visa", "mastercard", "amex")
    ) else None  # fmt: skip


def _record(entry: Entry, main: Posting, currency: str) -> Record:
    if main.commodity != currency:
        return RowProblem(
            main.line,
            Text("%(account)s holds %(currency)s, and this posting is in %(commodity)s: an "
                 "account here has one currency", account=display_name(main.account),
                 currency=currency, commodity=main.commodity),
        )  # fmt: skip
    others = [p for p in entry.postings if p is not main]
    payee = entry.payee or entry.narration
    memo = entry.narration if entry.payee else ""

    base = ParsedRow(
        entry.line, entry.date, main.amount, payee[:200], memo[:1000], None, entry.cleared,
        tags=entry.tags,
    )  # fmt: skip

    if all(p.root == EQUITY for p in others):
        return replace(base, opening=True)
    if len(others) == 1:
        other = others[0]
        if other.root in OWN:
            received = other.amount if other.commodity != main.commodity else None
            return replace(base, transfer=display_name(other.account), transfer_amount=received)
        return replace(base, category=category_path(other.account))
    lines = []
    for other in others:
        share = _in_currency(other, main.commodity)
        if share is None:
            return RowProblem(
                other.line,
                Text("%(amount)s %(commodity)s has no price in %(currency)s: a transaction in "
                     "several currencies needs one (@ or @@)", amount=other.amount,
                     commodity=other.commodity, currency=main.commodity),
            )  # fmt: skip
        if other.root in OWN:
            received = other.amount if other.commodity != main.commodity else None
            lines.append(ParsedSplit(-share, transfer=display_name(other.account),
                                     transfer_amount=received))  # fmt: skip
        else:
            lines.append(ParsedSplit(-share, category=category_path(other.account)))
    return replace(base, splits=tuple(lines))


def _in_currency(posting: Posting, currency: str) -> Decimal | None:
    """A posting's amount in the transaction's currency: itself, or its cost there."""
    if posting.commodity == currency:
        return posting.amount
    if posting.cost is not None and posting.cost[1] == currency:
        return posting.cost[0] if posting.amount >= 0 else -abs(posting.cost[0])
    return None
