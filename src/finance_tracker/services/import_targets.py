"""Where an import's rows go: the account of each statement (one of the person's, a new one when
moving in from another tracker, or none), the file's categories and the accounts its transfers
name. The person's choices are `ImportOptions`, kept on the import; what they leave open gets
the default a person would pick.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from finance_tracker.domain.ledger import AccountType
from finance_tracker.domain.money import (
    MoneyError,
    minor_digits,
    normalise_currency,
    parse_amount,
    round_half_even,
)
from finance_tracker.domain.text import Plural, Text, TextList, message_of
from finance_tracker.importers import ParsedFile, ParsedRow, RowProblem, Statement
from finance_tracker.services import accounts as account_service
from finance_tracker.services import categories as category_service
from finance_tracker.services.errors import InvalidInput
from finance_tracker.store.models import Account, Category

NEW: Literal["new"] = "new"  # a statement's choice: an account created for it
# Account types a statement of each kind belongs in, best first.
SUITS = {"card": ("credit_card",), "investment": ("investment",)}
MAX_ACCOUNT_NAME = 80


@dataclass
class ImportOptions:
    """The choices a person makes in the preview. None: not chosen yet (the default applies)."""

    # statement number -> an account's id, "new" (an account made for it), or None (skip it)
    accounts: dict[int, int | Literal["new"] | None] | None = None
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
class NewAccount:
    """An account this import creates at commit; until then its id is a stand-in below zero.
    Shared by reference, so that once created every choice pointing at it has the real id."""

    id: int
    name: str
    currency: str
    type: str
    opening: Decimal = Decimal(0)
    archived: bool = False
    created: bool = False


Target = Account | NewAccount


@dataclass
class StatementChoice:
    number: int
    statement: Statement
    account: Target | None
    why_not: str = ""  # why a statement has no account


@dataclass
class CategoryChoice:
    path: str  # as the file names it
    category: Category | None  # None: missing
    create: bool  # missing, and will be created


@dataclass
class TransferChoice:
    name: str  # as the file names it
    account: Target | None  # None: kept as income or expense
    note: str = ""  # why it is kept as income or expense, or how it was matched


def category_key(name: str) -> tuple[str, str]:
    """'Food:Groceries' -> ('food', 'groceries'); deeper paths keep the rest in the child's
    name (categories here have two levels)."""
    parts = [p.strip() for p in name.split(":") if p.strip()]
    if not parts:
        return "", ""
    return parts[0].casefold(), ":".join(parts[1:]).casefold()


def account_type_for(statement: Statement) -> str:
    """The kind of account a statement asks for: what the file says, else what its name says."""
    if statement.account_type and statement.account_type in AccountType.__members__:
        return statement.account_type
    name = statement.account.casefold()
    for words, kind in (
        (("credit card", "creditcard", "visa", "mastercard", "amex", "card"), "credit_card"),
        (("saving", "deposit", "tagesgeld", "reserve"), "savings"),
        (("cash", "wallet", "petty"), "cash"),
        (("loan", "mortgage", "debt", "kredit"), "loan"),
        (("invest", "broker", "pension", "401k", "ira", "stock", "etf"), "investment"),
    ):
        if any(word in name for word in words):
            return kind
    return "credit_card" if statement.kind == "card" else "checking"


@dataclass
class Targets:
    """The statements' accounts, the categories and the transfers of one file."""

    session: Session
    user_id: int
    parsed: ParsedFile
    options: ImportOptions
    first: Account | None  # the account a bank file was uploaded for; None when moving in
    home_currency: str
    statements: list[StatementChoice] = field(default_factory=list)
    categories: dict[str, CategoryChoice] = field(default_factory=dict)
    transfers: dict[str, TransferChoice] = field(default_factory=dict)

    def __post_init__(self) -> None:
        own = self.session.scalars(select(Account).where(Account.user_id == self.user_id))
        self.own_accounts: dict[int, Target] = {a.id: a for a in own}
        self.by_name = {a.name.casefold(): a for a in self.own_accounts.values() if not a.archived}
        self.new_accounts: list[NewAccount] = []
        self._transfer_names: set[str] | None = None
        self.statements = self._statements()

    # ---- statements -----------------------------------------------------------------------
    def _statements(self) -> list[StatementChoice]:
        chosen = self.options.accounts or {}
        count = len(self.parsed.statements)
        if any(not 1 <= number <= count for number in chosen):
            raise InvalidInput(
                {"accounts": Plural(
                    "the file has %(count)s statement: number them from 1 to %(count)s",
                    "the file has %(count)s statements: number them from 1 to %(count)s",
                    count,
                )}
            )  # fmt: skip
        taken = {a for a in chosen.values() if isinstance(a, int)}
        choices = []
        for number, statement in enumerate(self.parsed.statements, start=1):
            if number not in chosen:
                choices.append(self._default(number, statement, taken))
            elif chosen[number] == NEW:
                choices.append(StatementChoice(number, statement, self._new_account(statement)))
            elif chosen[number] is None:
                choices.append(
                    StatementChoice(number, statement, None, Text("you chose to skip it"))
                )
            else:
                account = self.own_accounts.get(chosen[number])  # type: ignore[arg-type]
                if account is None:
                    raise InvalidInput(
                        {"accounts": Text("statement %(number)s: unknown account", number=number)}
                    )
                if not _fits(statement, account):
                    raise InvalidInput({"accounts": _misfit(statement, account)})
                choices.append(StatementChoice(number, statement, account))
        return choices

    def _default(self, number: int, statement: Statement, taken: set[int]) -> StatementChoice:
        """A bank file's one statement goes to the account it was uploaded for; of several, an
        account of the person's named like the file's account takes its own, and the uploaded
        account the first that fits it (its currency, a card statement for a card). Moving in,
        each account of the source goes to the person's account of that name, or a new one."""
        named = self._named(statement) if statement.named else None
        if named is not None and named.id not in taken and _fits(statement, named):
            taken.add(named.id)
            return StatementChoice(number, statement, named)
        first = self.first
        if first is None:  # moving in
            if not self._worth_an_account(statement):
                return StatementChoice(number, statement, None, Text("nothing in it to import"))
            return StatementChoice(number, statement, self._new_account(statement))
        if len(self.parsed.statements) == 1:
            if not _fits(statement, first):
                raise InvalidInput({"file": _misfit(statement, first)})
            return StatementChoice(number, statement, first)
        suited = SUITS.get(statement.kind)
        if (
            first.id not in taken
            and _fits(statement, first)
            and (suited is None or first.type in suited)
        ):
            taken.add(first.id)
            return StatementChoice(number, statement, first)
        return StatementChoice(number, statement, None, Text("choose an account for it"))

    def _worth_an_account(self, statement: Statement) -> bool:
        """A new account for a statement with something to import, or that a transfer names
        (money moved to it); not for one of holdings only."""
        if not isinstance(statement.records, list):
            return True
        if any(isinstance(r, ParsedRow | RowProblem) for r in statement.records):
            return True
        if self._transfer_names is None:
            self._transfer_names = {
                name.casefold()
                for s in self.parsed.statements
                if isinstance(s.records, list)
                for r in s.records
                if isinstance(r, ParsedRow)
                for name in [r.transfer, *(split.transfer for split in r.splits)]
                if name
            }
        return statement.account.casefold() in self._transfer_names

    def _named(self, statement: Statement) -> Target | None:
        """The person's account named as the source names it, or as its last part
        (Assets:Bank:Checking is "Checking" here)."""
        name = statement.account.casefold()
        return self.by_name.get(name) or self.by_name.get(name.rsplit(":", 1)[-1])

    def _new_account(self, statement: Statement) -> NewAccount:
        try:
            currency = normalise_currency(statement.currency or self.home_currency)
        except MoneyError as error:
            raise InvalidInput(
                {"file": Text("%(statement)s: %(message)s", statement=statement.label,
                              message=message_of(error))}
            ) from None  # fmt: skip
        name = (statement.account or "Imported account")[:MAX_ACCOUNT_NAME]
        if name.casefold() in self.by_name:  # taken by an account in another currency
            name = f"{name[: MAX_ACCOUNT_NAME - 6]} ({currency})"
        account = NewAccount(
            -len(self.new_accounts) - 1, name, currency, account_type_for(statement)
        )
        if isinstance(statement.records, list):  # what the file says it opened with
            for record in statement.records:
                if isinstance(record, ParsedRow) and record.opening:
                    account.opening += record.amount
        self.new_accounts.append(account)
        self.own_accounts[account.id] = account
        self.by_name.setdefault(name.casefold(), account)
        return account

    def create_accounts(self) -> None:
        """At commit: create the new accounts; every choice pointing at one sees its real id."""
        for account in self.new_accounts:
            if not any(c.account is account for c in self.statements):
                continue
            try:
                parse_amount(account.opening, account.currency)
                opening = account.opening
            except MoneyError:  # finer than the currency: the one rounding, said in its name
                minor = round_half_even(account.opening, account.currency)
                opening = Decimal(minor).scaleb(-minor_digits(account.currency))
            try:
                created = account_service.create(
                    self.session, self.user_id,
                    account_service.AccountInput(account.name, account.type, account.currency,
                                                 opening),
                )  # fmt: skip
            except InvalidInput as refused:  # its name taken since the preview: say so
                raise InvalidInput(
                    {"accounts": Text(
                        "the new account %(name)s: %(problems)s", name=account.name,
                        problems=TextList(list(refused.errors.values()), "; "),
                    )}
                ) from None  # fmt: skip
            del self.own_accounts[account.id]
            account.id, account.created = created.id, True
            self.own_accounts[account.id] = account

    # ---- what the file names ----------------------------------------------------------------
    def read_ahead(self) -> None:
        """The categories and transfers the file names, with what each will become."""
        own = category_service.list_all(self.session, self.user_id)
        by_path = {category_key(c.full_name.replace(" › ", ":")): c for c in own}
        # A name of one level the person has as a subcategory, and only once ("Salary" is
        # Income › Salary): trackers with flat categories mean that one.
        leaves: dict[str, list[Category]] = {}
        for category in own:
            if category.parent is not None:
                leaves.setdefault(category.name.casefold(), []).append(category)
        for name, found in leaves.items():
            if len(found) == 1:
                by_path.setdefault((name, ""), found[0])
        statement_accounts = {
            c.statement.account.casefold(): c.account
            for c in self.statements
            if c.statement.named and c.statement.account and c.account is not None
        }
        paths = [b.category for b in self.parsed.budgets]
        for choice in self.statements:
            if choice.account is None:
                continue
            for record in choice.statement.records:
                if not isinstance(record, ParsedRow) or record.opening:
                    continue
                paths += [record.category, *(s.category for s in record.splits)]
                for name in filter(None, [record.transfer, *(s.transfer for s in record.splits)]):
                    if name not in self.transfers:
                        self.transfers[name] = self._transfer(name, statement_accounts)
        for path in filter(None, paths):
            if path not in self.categories:
                match = by_path.get(category_key(path))
                create = match is None and self.options.create_categories
                self.categories[path] = CategoryChoice(path, match, create)

    def _transfer(self, name: str, statement_accounts: dict) -> TransferChoice:
        chosen = self.options.transfers or {}
        if name in chosen:
            wanted = chosen[name]
            picked = self.own_accounts.get(wanted) if wanted is not None else None
            if wanted is not None and picked is None:
                raise InvalidInput({"transfers": Text("%(name)s: unknown account", name=name)})
            return TransferChoice(name, picked, "" if picked else Text("kept as income or expense"))
        match = statement_accounts.get(name.casefold()) or self.by_name.get(name.casefold())
        if match is None:
            return TransferChoice(name, None, Text("no account of yours has this name"))
        if isinstance(match, NewAccount) and match.id < 0:
            return TransferChoice(name, match, Text("an account this import creates"))
        return TransferChoice(name, match, Text("matched by name"))

    def create_categories(self) -> dict[str, int]:
        """Create the missing categories the person chose to create (at commit)."""
        created: dict[str, int] = {}
        for path, choice in sorted(self.categories.items()):
            if choice.category is None and choice.create:
                created[path] = _ensure_category(self.session, self.user_id, path)
        return created

    def category_ids(self, created: dict[str, int] | None = None) -> dict[str, int]:
        """The category of each path the file names: existing ones, and those created."""
        ids = {p: c.category.id for p, c in self.categories.items() if c.category is not None}
        ids.update(created or {})
        return ids


def _fits(statement: Statement, account: Target) -> bool:
    return statement.currency is None or statement.currency == account.currency


def _misfit(statement: Statement, account: Target) -> Text:
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
