"""From a parsed file to the rows an import writes: splits, transfers, rules, rounding and
import keys, for the statements and categories `import_targets` chose. The preview and the
commit both run a `Plan`, so what the preview counts is what the commit writes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import Decimal

from sqlalchemy.orm import Session

from finance_tracker.domain.ledger import LedgerError, check_date
from finance_tracker.domain.money import MoneyError, minor_digits, parse_amount, round_half_even
from finance_tracker.domain.text import Text, message_of
from finance_tracker.importers import (
    ParsedFile,
    ParsedRow,
    ParsedSplit,
    RowProblem,
    SkippedRecord,
)
from finance_tracker.importers.dedup import KeyMaker
from finance_tracker.services import budgets as budget_service
from finance_tracker.services.import_targets import (
    ImportOptions,
    NewAccount,
    StatementChoice,
    Target,
    Targets,
)
from finance_tracker.services.rules import RuleBook
from finance_tracker.store.bulk_import import ImportLine, ImportRow
from finance_tracker.store.models import Account

MAX_TAG = 40


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


def _tag(name: str) -> str:
    return " ".join(name.replace(",", " ").split()).lower()[:MAX_TAG]


class Plan:
    def __init__(
        self,
        session: Session,
        user_id: int,
        account: Account | None,
        parsed: ParsedFile,
        options: ImportOptions,
        streamed: bool = False,
        home_currency: str = "EUR",
    ) -> None:
        """`account`: the one a bank file was uploaded for (None: moving in from another
        tracker). `streamed`: the records are read once from the file as they go (a large CSV),
        so nothing may look at them ahead; such a file names no categories or transfers."""
        self.session, self.user_id, self.parsed, self.options = session, user_id, parsed, options
        self.targets = Targets(session, user_id, parsed, options, account, home_currency)
        if not streamed:
            self.targets.read_ahead()
        self.statements = self.targets.statements
        self.categories = self.targets.categories
        self.transfers = self.targets.transfers
        self.own_accounts = self.targets.own_accounts
        self.rule_book = RuleBook(session, user_id)
        self.keys: dict[int, KeyMaker] = {}
        self.needs_rounding = 0  # rows refused for want of the rounding choice

    def _account_keys(self) -> dict[int, tuple[int, str]]:
        # id and currency of each account, read once (an ORM attribute costs on every row)
        return {a.id: (a.id, a.currency) for a in self.own_accounts.values()}

    def prepare_commit(self) -> dict[str, int]:
        """At commit, before any row: the new accounts and categories; the tags the rows set.
        Returns the categories created, by the file's name for them."""
        self.targets.create_accounts()
        created = self.targets.create_categories()
        from finance_tracker.services import tags  # the rows' tags must exist to be linked

        tags.resolve(self.session, self.user_id, self.tag_names())
        return created

    def category_ids(self, created: dict[str, int] | None = None) -> dict[str, int]:
        return self.targets.category_ids(created)

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

    def write_budgets(self, category_ids: dict[str, int]) -> int:
        """The budgets the file sets (YNAB, Actual), for the categories it names; returns how
        many were set. Setting one again to the same amount changes nothing."""
        written = 0
        for budget in self.parsed.budgets:
            category_id = category_ids.get(budget.category)
            if category_id is None:
                continue
            currency = self.targets.home_currency
            amount, _ = self._minor(abs(budget.amount), currency)
            budget_service.set_budget(self.session, self.user_id, budget_service.BudgetInput(
                category_id, budget.month, str(Decimal(amount).scaleb(-minor_digits(currency))),
                currency))  # fmt: skip
            written += 1
        return written

    # ---- the rows -------------------------------------------------------------------------
    def outcomes(
        self, category_ids: dict[str, int]
    ) -> Iterator[tuple[StatementChoice | None, Outcome]]:
        """Every record of the file as one outcome, in file order, with its statement (None for
        a record of no account). A record that becomes several rows (a split with a transfer
        line) numbers them as its parts."""
        self.account_keys = self._account_keys()
        for unplaced in self.parsed.unplaced:
            yield None, unplaced
        for choice in self.statements:
            if choice.account is None:  # what is skipped anyway keeps its own reason
                reason = Text(
                    "%(statement)s is not imported: %(reason)s", statement=choice.statement.label,
                    reason=choice.why_not or Text("skipped"),
                )  # fmt: skip
                for unwanted in choice.statement.records:
                    if not isinstance(unwanted, SkippedRecord):
                        unwanted = SkippedRecord(unwanted.line, Text("statement"), reason)
                    yield choice, unwanted
                continue
            keys = self.keys.setdefault(choice.account.id, KeyMaker())
            for record in choice.statement.records:
                if not isinstance(record, ParsedRow):
                    yield choice, record
                elif record.opening:
                    yield choice, _opening(record, choice.account)
                else:
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
        self, record: ParsedRow, account: Target, keys: KeyMaker, category_ids: dict[str, int]
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
            received = self._received(total, record.transfer_amount, currency, other)
            if other is not None and received is not None:
                mine, theirs = keys.transfer_keys(
                    record.date, total, account_id, other.id, received
                )
                row = replace(
                    row, transfer_account_id=other.id, transfer_key=theirs,
                    transfer_amount_minor=received, also_known_as=(mine,),
                )  # fmt: skip
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

    def _received(
        self, sent: int, stated: Decimal | None, currency: str, other: Target | None
    ) -> int | None:
        """What a transfer of `sent` puts in `other`: the same in one currency; in another,
        what the file says arrived (None when it does not say: then it is no transfer here)."""
        if other is None:
            return None
        if other.currency == currency:
            return -sent
        if stated is None:
            return None
        received = abs(self._minor(stated, other.currency)[0])
        return received if sent < 0 else -received

    def _transfer_account(self, name: str, account: Target) -> Target | None:
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
        kept, moved = [], []
        for minor, split in lines:
            other = self._transfer_account(split.transfer, account)
            received = self._received(minor, split.transfer_amount, account.currency, other)
            if other is None or received is None:
                kept.append((minor, split))
            else:
                moved.append((minor, split, other, received))
        remaining = sum(minor for minor, _ in kept)
        if kept and remaining == 0:
            yield RowProblem(
                record.line, Text("the split's lines besides its transfers add up to zero")
            )
            return
        for minor, split, other, received in moved:
            mine, theirs = keys.transfer_keys(
                record.date, minor, row.account_id, other.id, received
            )
            transfer = replace(
                row, amount_minor=minor, memo=split.memo or row.memo, import_key=mine,
                transfer_account_id=other.id, transfer_key=theirs, transfer_amount_minor=received,
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


def _opening(record: ParsedRow, account: Target) -> SkippedRecord:
    """An opening balance is the account's, not a transaction: a new account opens with it."""
    if isinstance(account, NewAccount):
        reason = Text("the opening balance of the new account %(name)s", name=account.name)
    else:
        reason = Text("an opening balance: %(name)s keeps its own", name=account.name)
    return SkippedRecord(record.line, Text("opening balance"), reason)
