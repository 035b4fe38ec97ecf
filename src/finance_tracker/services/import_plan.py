"""From a parsed bank file to the rows an import writes.

Which of the person's accounts each statement goes to, the file's categories matched by name
(or created), its transfers matched to accounts, splits, rules, rounding and import keys. The
preview and the commit both run a `Plan`, so what the preview counts is what the commit writes.
The person's choices are `ImportOptions`, kept on the import; what they leave open has a
default that a person would pick.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from finance_tracker.domain.ledger import LedgerError, check_date
from finance_tracker.domain.money import MoneyError, minor_digits, parse_amount, round_half_even
from finance_tracker.domain.text import Plural, Text, message_of
from finance_tracker.importers import (
    ParsedFile,
    ParsedRow,
    ParsedSplit,
    RowProblem,
    SkippedRecord,
    Statement,
)
from finance_tracker.importers.dedup import KeyMaker
from finance_tracker.services import categories as category_service
from finance_tracker.services.errors import InvalidInput
from finance_tracker.services.rules import RuleBook
from finance_tracker.store.bulk_import import ImportLine, ImportRow
from finance_tracker.store.models import Account, Category

MAX_TAG = 40
# Account types a statement of each kind belongs in, best first.
SUITS = {"card": ("credit_card",), "investment": ("investment",)}


@dataclass
class ImportOptions:
    """The choices a person makes in the preview. None: not chosen yet (the default applies)."""

    accounts: dict[int, int | None] | None = None  # statement number -> account (None: skip)
    transfers: dict[str, int | None] | None = None  # the file's account name -> account
    round_amounts: bool = False  # round amounts finer than the currency, half to even
    skip_invalid: bool = False  # import the valid rows, skip the invalid ones (listed)
    rules_override: bool = False  # rules may replace a category the file states
    create_categories: bool = True  # create the file's categories the person lacks

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> ImportOptions:
        data = json.loads(text or "{}")
        options = cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})
        if options.accounts is not None:  # JSON keys are strings
            options.accounts = {int(k): v for k, v in options.accounts.items()}
        return options


@dataclass
class StatementChoice:
    number: int
    statement: Statement
    account: Account | None
    why_not: str = ""  # why a statement has no account by default


@dataclass
class CategoryChoice:
    path: str  # as the file names it
    category: Category | None  # None: missing
    create: bool  # missing, and will be created


@dataclass
class TransferChoice:
    name: str  # as the file names it
    account: Account | None  # None: kept as income or expense
    note: str = ""  # why it is kept as income or expense, or how it was matched


@dataclass
class Planned:
    line: int
    row: ImportRow
    rule_matched: bool = False
    rounded_from: Decimal | None = None
    category_path: str = ""  # the file's category, for the preview
    transfer_name: str = ""
    line_paths: tuple[str, ...] = ()  # the file's category of each split line


Outcome = Planned | RowProblem | SkippedRecord


def _path(name: str) -> tuple[str, str]:
    """'Food:Groceries' -> ('food', 'groceries'); deeper paths keep the rest in the child's
    name (categories here have two levels)."""
    parts = [p.strip() for p in name.split(":") if p.strip()]
    if not parts:
        return "", ""
    return parts[0].casefold(), ":".join(parts[1:]).casefold()


def _tag(name: str) -> str:
    return " ".join(name.replace(",", " ").split()).lower()[:MAX_TAG]


class Plan:
    def __init__(
        self,
        session: Session,
        user_id: int,
        account: Account,
        parsed: ParsedFile,
        options: ImportOptions,
        streamed: bool = False,
    ) -> None:
        """`streamed`: the records are read once from the file as they go (a large CSV), so
        nothing may look at them ahead; such a file names no categories or transfers."""
        self.session, self.user_id, self.parsed, self.options = session, user_id, parsed, options
        own = session.scalars(select(Account).where(Account.user_id == user_id))
        self.own_accounts = {a.id: a for a in own}
        self.by_name = {a.name.casefold(): a for a in self.own_accounts.values() if not a.archived}
        self.statements = self._statements(account)
        self.categories: dict[str, CategoryChoice] = {}
        self.transfers: dict[str, TransferChoice] = {}
        if not streamed:
            self._read_ahead()
        self.rule_book = RuleBook(session, user_id)
        self.keys: dict[int, KeyMaker] = {}
        # id and currency of each account, read once (an ORM attribute costs on every row)
        self.account_keys = {a.id: (a.id, a.currency) for a in self.own_accounts.values()}
        self.needs_rounding = 0  # rows refused for want of the rounding choice

    # ---- defaults and choices ----------------------------------------------------------------
    def _statements(self, first: Account) -> list[StatementChoice]:
        chosen = self.options.accounts or {}
        count = len(self.parsed.statements)
        if any(not 1 <= number <= count for number in chosen):
            raise InvalidInput(
                {
                    "accounts": Plural(
                        "the file has %(count)s statement: number them from 1 to %(count)s",
                        "the file has %(count)s statements: number them from 1 to %(count)s",
                        count,
                    )
                }
            )
        taken = {account_id for account_id in chosen.values() if account_id is not None}
        choices = []
        for number, statement in enumerate(self.parsed.statements, start=1):
            if number not in chosen:
                choices.append(self._default(number, statement, first, taken))
                continue
            account_id = chosen[number]
            account = self.own_accounts.get(account_id) if account_id is not None else None
            if account_id is not None and account is None:
                raise InvalidInput(
                    {"accounts": Text("statement %(number)s: unknown account", number=number)}
                )
            if account is not None and not _fits(statement, account):
                raise InvalidInput({"accounts": _misfit(number, statement, account)})
            choices.append(
                StatementChoice(number, statement, account, Text("you chose to skip it"))
            )
        return choices

    def _default(
        self, number: int, statement: Statement, first: Account, taken: set[int]
    ) -> StatementChoice:
        """One statement goes to the account the file was uploaded for; of several, that account
        takes the first that fits it (its currency, a card statement for a card), and an account
        of the person's named like the file's account takes its own."""
        if len(self.parsed.statements) == 1:
            if not _fits(statement, first):
                raise InvalidInput({"file": _misfit(number, statement, first)})
            return StatementChoice(number, statement, first)
        named = self.by_name.get(statement.account.casefold()) if statement.kind == "qif" else None
        if named is not None and named.id not in taken and _fits(statement, named):
            taken.add(named.id)
            return StatementChoice(number, statement, named)
        suited = SUITS.get(statement.kind)
        if (
            first.id not in taken
            and _fits(statement, first)
            and (suited is None or first.type in suited)
        ):
            taken.add(first.id)
            return StatementChoice(number, statement, first)
        return StatementChoice(number, statement, None, Text("choose an account for it"))

    def _read_ahead(self) -> None:
        """The categories and transfers the file names, with what each will become."""
        own = category_service.list_all(self.session, self.user_id)
        by_path = {_path(c.full_name.replace(" › ", ":")): c for c in own}
        statement_accounts = {
            c.statement.account.casefold(): c.account
            for c in self.statements
            if c.statement.kind == "qif" and c.statement.account and c.account is not None
        }
        chosen = self.options.transfers or {}
        for choice in self.statements:
            if choice.account is None:
                continue
            for record in choice.statement.records:
                if not isinstance(record, ParsedRow):
                    continue
                paths = [record.category, *(s.category for s in record.splits)]
                for path in filter(None, paths):
                    if path not in self.categories:
                        found = by_path.get(_path(path))
                        create = found is None and self.options.create_categories
                        self.categories[path] = CategoryChoice(path, found, create)
                names = [record.transfer, *(s.transfer for s in record.splits)]
                for name in filter(None, names):
                    if name not in self.transfers:
                        self.transfers[name] = self._transfer(
                            name, choice.account, chosen, statement_accounts
                        )

    def _transfer(
        self, name: str, account: Account, chosen: dict, statement_accounts: dict
    ) -> TransferChoice:
        if name in chosen:
            picked = self.own_accounts.get(chosen[name]) if chosen[name] is not None else None
            if chosen[name] is not None and picked is None:
                raise InvalidInput({"transfers": Text("%(name)s: unknown account", name=name)})
            if picked is not None and picked.currency != account.currency:
                raise InvalidInput(
                    {
                        "transfers": Text(
                            "%(transfer)s: %(account)s is in %(currency)s, the statement in "
                            "%(statement_currency)s",
                            transfer=name,
                            account=picked.name,
                            currency=picked.currency,
                            statement_currency=account.currency,
                        )
                    }
                )
            return TransferChoice(name, picked, "" if picked else Text("kept as income or expense"))
        match = statement_accounts.get(name.casefold()) or self.by_name.get(name.casefold())
        if match is None:
            return TransferChoice(name, None, Text("no account of yours has this name"))
        if match.currency != account.currency:
            return TransferChoice(name, None, f"{match.name} is in {match.currency}")
        return TransferChoice(name, match, Text("matched by name"))

    def category_ids(self, created: dict[str, int] | None = None) -> dict[str, int]:
        """The category of each path the file names: existing ones, and those created."""
        ids = {p: c.category.id for p, c in self.categories.items() if c.category is not None}
        ids.update(created or {})
        return ids

    def create_categories(self) -> dict[str, int]:
        """Create the missing categories the person chose to create (at commit)."""
        created: dict[str, int] = {}
        for path, choice in sorted(self.categories.items()):
            if choice.category is None and choice.create:
                created[path] = _ensure_category(self.session, self.user_id, path)
        return created

    def tag_names(self) -> list[str]:
        """Tags the import may set: the file's classes and the rules'; created at commit."""
        names = {n for r in self.rule_book.rules for n in r.outcome.tag_names}
        for choice in self.statements:
            if choice.account is None or not isinstance(choice.statement.records, list):
                continue
            for record in choice.statement.records:
                if isinstance(record, ParsedRow):
                    names.update(_tag(t) for t in record.tags if _tag(t))
        return sorted(names)

    # ---- the rows -------------------------------------------------------------------------
    def outcomes(self, category_ids: dict[str, int]) -> Iterator[tuple[StatementChoice, Outcome]]:
        """Every record of the file as one outcome, in file order, with its statement. A record
        that becomes several rows (a split with a transfer line) numbers them as its parts."""
        for choice in self.statements:
            if choice.account is None:
                reason = f"{choice.statement.label} is not imported: {choice.why_not or 'skipped'}"
                for record in choice.statement.records:
                    yield choice, SkippedRecord(record.line, "statement", reason)
                continue
            keys = self.keys.setdefault(choice.account.id, KeyMaker())
            for record in choice.statement.records:
                if not isinstance(record, ParsedRow):
                    yield choice, record
                    continue
                for part, outcome in enumerate(
                    self._planned(record, choice.account, keys, category_ids)
                ):
                    if part and isinstance(outcome, Planned):
                        outcome.row = replace(outcome.row, part=part)
                    yield choice, outcome

    def _minor(self, amount: Decimal, currency: str) -> tuple[int, Decimal | None]:
        """Minor units, and the file's amount when it had to be rounded (only if chosen)."""
        try:
            return parse_amount(amount, currency), None
        except MoneyError:
            scaled = amount.scaleb(minor_digits(currency))
            if scaled == scaled.to_integral_value():
                raise  # not a matter of decimals: too large, say
        if not self.options.round_amounts:
            self.needs_rounding += 1
            raise MoneyError(
                Text(
                    "%(amount)s has more decimals than %(currency)s amounts (%(digits)s): "
                    "choose to round such amounts to the cent in the preview",
                    amount=amount,
                    currency=currency,
                    digits=minor_digits(currency),
                )
            )
        rounded = round_half_even(amount, currency)
        parse_amount(Decimal(rounded).scaleb(-minor_digits(currency)), currency)  # its size
        return rounded, amount

    def _planned(
        self, record: ParsedRow, account: Account, keys: KeyMaker, category_ids: dict[str, int]
    ) -> Iterator[Outcome]:
        """The row(s) a record becomes. A plain row is built once, without copies: a million
        of them go through here on a large CSV."""
        account_id, currency = self.account_keys[account.id]
        try:
            check_date(record.date)
            total, rounded_from = self._minor(record.amount, currency)
            lines = [(self._minor(s.amount, currency)[0], s) for s in record.splits]
        except (MoneyError, LedgerError) as error:
            yield RowProblem(record.line, message_of(error))
            return
        if total == 0:
            yield RowProblem(record.line, Text("the amount is zero"))
            return
        memo = record.memo
        if rounded_from is not None:
            memo = " · ".join(p for p in (memo, f"rounded from {rounded_from}") if p)
        tags = sorted({_tag(t) for t in record.tags if _tag(t)}) if record.tags else []
        key = keys.key(record.date, total, record.payee, record.fitid)
        kind = "income" if total > 0 else "expense"
        if lines or record.transfer:
            row = ImportRow(
                account_id, record.date, total, kind, record.payee[:200], memo[:1000], None, key,
                ",".join(tags), record.cleared.value,
            )  # fmt: skip
            if lines:
                yield from self._split(record, row, keys, lines, category_ids)
                return
            other = self._transfer_account(record.transfer, account)
            if other is not None:
                mine, theirs = keys.transfer_keys(record.date, total, account_id, other.id)
                row = replace(
                    row, transfer_account_id=other.id, transfer_key=theirs, also_known_as=(mine,)
                )
                yield Planned(record.line, row, False, rounded_from, "", record.transfer)
                return
        category_id = category_ids.get(record.category) if record.category else None
        payee = record.payee
        rule = self.rule_book.first_match(payee, record.memo, total, account_id)
        if rule is not None:
            stated = category_id is not None or (
                record.category in self.categories and self.categories[record.category].create
            )  # a category the file names wins over a rule's, even one created at commit
            if rule.outcome.category_id and (not stated or self.options.rules_override):
                category_id = rule.outcome.category_id
            payee = rule.outcome.payee or payee
            if rule.outcome.tag_names:
                tags = sorted({*tags, *rule.outcome.tag_names})
        row = ImportRow(
            account_id, record.date, total, kind, payee[:200], memo[:1000], category_id, key,
            ",".join(tags), record.cleared.value,
        )  # fmt: skip
        yield Planned(record.line, row, rule is not None, rounded_from, record.category,
                      record.transfer)  # fmt: skip

    def _transfer_account(self, name: str, account: Account) -> Account | None:
        """The account a transfer goes to, if the person has (or chose) one, other than this."""
        choice = self.transfers.get(name) if name else None
        if choice is None or choice.account is None or choice.account.id == account.id:
            return None
        return choice.account

    def _split(
        self,
        record: ParsedRow,
        row: ImportRow,
        keys: KeyMaker,
        lines: list[tuple[int, ParsedSplit]],
        category_ids: dict[str, int],
    ) -> Iterator[Outcome]:
        """A split's lines that move money to another account become transfers of their own
        beside it (a split line here has a category, not an account): the money is the same.
        Lines may go against the split's direction (a payslip's tax): they count as such."""
        if any(minor == 0 for minor, _ in lines):
            yield RowProblem(record.line, Text("a split line has no amount"))
            return
        if sum(minor for minor, _ in lines) != row.amount_minor:
            yield RowProblem(record.line, Text("after rounding, the split lines no longer add up"))
            return
        account = self.own_accounts[row.account_id]
        moved = [
            (m, s, other)
            for m, s in lines
            if (other := self._transfer_account(s.transfer, account))
        ]
        kept = [(m, s) for m, s in lines if self._transfer_account(s.transfer, account) is None]
        remaining = sum(minor for minor, _ in kept)
        if kept and remaining == 0:
            yield RowProblem(
                record.line, Text("the split's lines besides its transfers add up to zero")
            )
            return
        for minor, split, other in moved:
            mine, theirs = keys.transfer_keys(record.date, minor, row.account_id, other.id)
            transfer = replace(
                row, amount_minor=minor, memo=split.memo or row.memo, import_key=mine,
                transfer_account_id=other.id, transfer_key=theirs,
            )  # fmt: skip
            yield Planned(record.line, transfer, transfer_name=split.transfer)
        kind = "income" if remaining > 0 else "expense"
        if len(kept) == 1:
            minor, split = kept[0]
            row = replace(
                row, amount_minor=minor, kind=kind, memo=split.memo or row.memo,
                category_id=category_ids.get(split.category),
            )  # fmt: skip
            yield Planned(record.line, row, category_path=split.category)
        elif kept:
            split_lines = tuple(
                ImportLine(minor, category_ids.get(split.category), split.memo[:1000])
                for minor, split in kept
            )
            yield Planned(
                record.line,
                replace(row, amount_minor=remaining, kind=kind, lines=split_lines),
                line_paths=tuple(split.category for _, split in kept),
            )


def _fits(statement: Statement, account: Account) -> bool:
    return statement.currency is None or statement.currency == account.currency


def _misfit(number: int, statement: Statement, account: Account) -> Text:
    return Text(
        "%(statement)s is in %(currency)s, but %(account)s is in %(account_currency)s: "
        "import it into a %(currency)s account",
        statement=statement.label,
        currency=statement.currency,
        account=account.name,
        account_currency=account.currency,
    )


def _ensure_category(session: Session, user_id: int, path: str) -> int:
    parent_name, child_name = (p.strip() for p in (path.split(":", 1) + [""])[:2])
    parent = category_service.find_or_create(session, user_id, parent_name, None)
    if not child_name:
        return parent.id
    return category_service.find_or_create(session, user_id, child_name, parent.id).id
