"""Income, expenses, transfers (both legs) and splits: create, edit, delete, search."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from sqlalchemy import Select, and_, case, exists, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from finance_tracker.domain.ledger import (
    Cleared,
    LedgerError,
    SplitLine,
    TransactionKind,
    check_date,
    check_splits,
    signed,
    split_line_amount,
    split_line_entry,
)
from finance_tracker.domain.money import (
    MAX_ABS_MINOR,
    MoneyError,
    format_plain,
    minor_digits,
    parse_amount,
)
from finance_tracker.domain.text import Text, message_of
from finance_tracker.services import accounts, categories, tags
from finance_tracker.services.errors import InvalidInput, NotFound
from finance_tracker.services.rules import RuleBook
from finance_tracker.store import summaries
from finance_tracker.store.models import Account, Category, Tag, Transaction, transaction_tags

MAX_PAYEE = 200
MAX_MEMO = 1000
MAX_PER_PAGE = 200
SORTS = {
    "date": Transaction.date,
    "amount": Transaction.amount_minor,
    "payee": Transaction.payee,
    "created": Transaction.created_at,
}

Amount = str | int | Decimal


@dataclass
class SplitInput:
    amount: Amount
    category_id: int | None = None
    memo: str = ""


@dataclass
class TransactionInput:
    kind: str
    account_id: int
    date: dt.date
    amount: Amount
    payee: str = ""
    memo: str = ""
    category_id: int | None = None
    tags: list[str] = field(default_factory=list)
    splits: list[SplitInput] = field(default_factory=list)
    to_account_id: int | None = None
    # Only for a transfer between accounts of different currencies: what arrived.
    to_amount: Amount | None = None
    cleared: str = Cleared.uncleared.value


@dataclass
class TransactionFilter:
    text: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    account_id: int | None = None
    category_id: int | None = None
    # Income and expenses without a category, and splits with a line without one: the
    # "Uncategorised" of the spending report, to be sorted out.
    uncategorised: bool = False
    tag: str = ""
    amount_min: Amount | None = None
    amount_max: Amount | None = None
    kind: str = ""


@dataclass
class Page:
    items: list[Transaction]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass
class _Checked:
    kind: TransactionKind
    account: Account
    date: dt.date
    amount_minor: int  # positive, as entered
    payee: str
    memo: str
    category_id: int | None
    tag_names: list[str]
    lines: list[SplitLine]
    to_account: Account | None
    to_amount_minor: int | None
    cleared: Cleared


def _own_account(session: Session, user_id: int, account_id: int | None, name: str) -> Account:
    if account_id is None:
        raise InvalidInput({name: Text("choose an account")})
    try:
        return accounts.get(session, user_id, account_id)
    except NotFound:
        raise InvalidInput({name: Text("unknown account")}) from None


def _own_category(session: Session, user_id: int, category_id: int | None, name: str) -> None:
    if category_id is None:
        return
    try:
        categories.get(session, user_id, category_id)
    except NotFound:
        raise InvalidInput({name: Text("unknown category")}) from None


def check(session: Session, user_id: int, data: TransactionInput) -> _Checked:  # noqa: C901
    """Validate without writing: every problem at once, as field -> message."""
    errors: dict[str, str] = {}

    def attempt(name: str, action):  # type: ignore[no-untyped-def]
        try:
            return action()
        except InvalidInput as error:
            errors.update(error.errors)
        except (MoneyError, LedgerError) as error:
            errors[getattr(error, "field", name)] = getattr(error, "message", None) or message_of(
                error
            )
        return None

    kind = TransactionKind(data.kind) if data.kind in TransactionKind.__members__ else None
    if kind is None:
        errors["kind"] = Text("choose income, expense or transfer")
    account = attempt(
        "account_id", lambda: _own_account(session, user_id, data.account_id, "account_id")
    )
    date = attempt("date", lambda: check_date(data.date))
    amount_minor = None
    if account is not None:
        amount_minor = attempt("amount", lambda: parse_amount(data.amount, account.currency))
        if amount_minor is not None and amount_minor <= 0:
            errors["amount"] = Text("amount must be greater than zero")
            amount_minor = None
    payee = (data.payee or "").strip()
    memo = (data.memo or "").strip()
    if len(payee) > MAX_PAYEE:
        errors["payee"] = Text("use at most %(count)s characters", count=MAX_PAYEE)
    if len(memo) > MAX_MEMO:
        errors["memo"] = Text("use at most %(count)s characters", count=MAX_MEMO)
    if data.cleared not in Cleared.__members__:
        errors["cleared"] = Text("choose uncleared, cleared or reconciled")
    tag_names = attempt(
        "tags", lambda: [tags.clean_name(t, "tags") for t in data.tags if t.strip()]
    )
    attempt("category_id", lambda: _own_category(session, user_id, data.category_id, "category_id"))

    lines: list[SplitLine] = []
    to_account = None
    to_amount_minor = None
    if kind is TransactionKind.transfer:
        if data.splits:
            errors["splits"] = Text("a transfer cannot be split")
        if data.category_id is not None:
            errors["category_id"] = Text("a transfer has no category")
        to_account = attempt(
            "to_account_id",
            lambda: _own_account(session, user_id, data.to_account_id, "to_account_id"),
        )
        if to_account is not None and account is not None:
            if to_account.id == account.id:
                errors["to_account_id"] = Text("choose a different account to transfer to")
            elif to_account.currency == account.currency:
                if data.to_amount not in (None, "") and amount_minor is not None:
                    same = attempt(
                        "to_amount", lambda: parse_amount(data.to_amount, account.currency)
                    )
                    if same is not None and same != amount_minor:
                        errors["to_amount"] = Text(
                            "same currency: the amount received equals the amount sent"
                        )
                to_amount_minor = amount_minor
            elif data.to_amount in (None, ""):
                errors["to_amount"] = Text(
                    "enter the amount received in %(currency)s", currency=to_account.currency
                )
            else:
                to_amount_minor = attempt(
                    "to_amount", lambda: parse_amount(data.to_amount, to_account.currency)
                )
                if to_amount_minor is not None and to_amount_minor <= 0:
                    errors["to_amount"] = Text("amount must be greater than zero")
    elif data.to_account_id is not None or data.to_amount not in (None, ""):
        errors["to_account_id"] = Text("only a transfer has an account to transfer to")
    if kind is not TransactionKind.transfer and data.splits and kind is not None:
        if data.category_id is not None:
            errors["category_id"] = Text("a split transaction takes its categories from its lines")
        parsed: list[SplitLine] = []
        for index, split in enumerate(data.splits):
            label = f"splits.{index}"
            minor = None
            if account is not None:
                minor = attempt(label, lambda s=split: parse_amount(s.amount, account.currency))
            attempt(
                label,
                lambda s=split, lbl=label: _own_category(session, user_id, s.category_id, lbl),
            )
            if len((split.memo or "").strip()) > MAX_MEMO:
                errors[label] = Text("memo: use at most %(count)s characters", count=MAX_MEMO)
            if minor is not None:
                parsed.append(SplitLine(split.category_id, minor, (split.memo or "").strip()))
        if amount_minor is not None and len(parsed) == len(data.splits):
            lines = attempt("splits", lambda: check_splits(amount_minor, parsed)) or []
    if errors:
        raise InvalidInput(errors)
    # With no errors, every required part was parsed.
    assert kind is not None and account is not None and date is not None
    assert amount_minor is not None
    return _Checked(
        kind, account, date, amount_minor, payee, memo,
        None if kind is TransactionKind.transfer or lines else data.category_id,
        tag_names or [], lines, to_account, to_amount_minor, Cleared(data.cleared),
    )  # fmt: skip


def _write(session: Session, user_id: int, row: Transaction, checked: _Checked) -> Transaction:
    """Fill `row` (new, or being edited and locked) and rebuild its lines and transfer leg.

    Relationships are set as objects (all in the session already, or fetched by id), so the row
    returned shows its account, category, tags and lines as they are now, with no reload."""
    before = _leaves(session, row)
    _remove_dependents(session, row)
    row.user_id = user_id
    row.kind = checked.kind.value
    row.account = checked.account
    row.date = checked.date
    row.payee = checked.payee
    row.memo = checked.memo
    row.category = _category(session, checked.category_id)
    row.is_split = bool(checked.lines)
    row.cleared = checked.cleared.value
    row.tags = tags.resolve(session, user_id, checked.tag_names)
    session.add(row)
    if checked.kind is TransactionKind.transfer:
        assert checked.to_account is not None and checked.to_amount_minor is not None
        row.amount_minor = -checked.amount_minor
        row.transfer_group = str(uuid.uuid4())
        leg = Transaction(
            user_id=user_id, kind=row.kind, account=checked.to_account, date=row.date,
            amount_minor=checked.to_amount_minor, payee=row.payee, memo=row.memo,
            transfer_group=row.transfer_group, is_split=False, tags=list(row.tags),
            cleared=row.cleared,
        )  # fmt: skip
        session.add(leg)
        after = [row, leg]
    else:
        row.amount_minor = signed(checked.kind, checked.amount_minor)
        row.transfer_group = None
        row.lines = [
            Transaction(
                user_id=user_id,
                kind=line_kind.value,
                account=checked.account,
                date=row.date,
                amount_minor=stored,
                payee=row.payee,
                memo=line.memo,
                category=_category(session, line.category_id),
                is_split=False,
                cleared=row.cleared,
            )  # fmt: skip
            for line in checked.lines
            for line_kind, stored in [split_line_entry(checked.kind, line.amount_minor)]
        ]
        after = list(row.lines) if checked.lines else [row]
    session.flush()
    summaries.add_changes(session, user_id, before, after)
    return row


def _category(session: Session, category_id: int | None) -> Category | None:
    """Checked already: from the session's identity map, without a query, most of the time."""
    return None if category_id is None else session.get(Category, category_id)


def _leaves(session: Session, row: Transaction) -> list[summaries.Leaf]:
    """What a stored transaction adds to the summary now: its lines or itself, and its leg."""
    if row.id is None:
        return []
    rows = list(row.lines) if row.is_split else [row]
    counterpart = transfer_counterpart(session, row)
    if counterpart is not None:
        rows.append(counterpart)
    return [summaries.Leaf.of(r) for r in rows]


def _remove_dependents(session: Session, row: Transaction) -> None:
    if row.id is None:
        return
    for line in list(row.lines):
        row.lines.remove(line)
    if row.transfer_group:
        for leg in session.scalars(
            select(Transaction).where(
                Transaction.transfer_group == row.transfer_group, Transaction.id != row.id
            )
        ):
            session.delete(leg)
    session.flush()


def create(
    session: Session, user_id: int, data: TransactionInput, *, rule_book: RuleBook | None = None
) -> Transaction:
    """Rules fill in what the user left open; pass a `rule_book` to share one across many."""
    checked = check(session, user_id, data)
    if checked.kind is not TransactionKind.transfer:
        _apply_rules(checked, rule_book or RuleBook(session, user_id))
    return _write(session, user_id, Transaction(), checked)


def _apply_rules(checked: _Checked, rule_book: RuleBook) -> None:
    rule = rule_book.first_match(
        checked.payee, checked.memo, checked.amount_minor, checked.account.id
    )
    if rule is None:
        return
    if checked.category_id is None and not checked.lines:
        checked.category_id = rule.outcome.category_id
    checked.tag_names = list(dict.fromkeys([*checked.tag_names, *rule.outcome.tag_names]))
    if rule.outcome.payee:
        checked.payee = rule.outcome.payee


def get(session: Session, user_id: int, transaction_id: int) -> Transaction:
    """A top-level transaction (never a split line) of this user."""
    row = session.get(Transaction, transaction_id)
    if row is None or row.user_id != user_id or row.parent_id is not None:
        raise NotFound("transaction")
    return row


def get_locked(session: Session, user_id: int, transaction_id: int) -> Transaction:
    """`get`, with the transaction (both legs of a transfer) locked until the unit of work ends
    and read as it is now: an edit or delete running at the same time waits its turn, so what
    this one replaces is what is really stored. Legs are locked in id order, whichever leg was
    asked for, so two edits of one transfer cannot deadlock."""
    mine = (Transaction.user_id == user_id, Transaction.parent_id.is_(None))
    for _attempt in range(3):
        found = session.execute(
            select(Transaction.transfer_group).where(Transaction.id == transaction_id, *mine)
        ).first()
        if found is None:
            raise NotFound("transaction")
        group = found[0]
        which = Transaction.transfer_group == group if group else Transaction.id == transaction_id
        locked = session.scalars(
            select(Transaction)
            .where(*mine, or_(Transaction.id == transaction_id, which))
            .order_by(Transaction.id)
            .with_for_update(of=Transaction)
            .execution_options(populate_existing=True)
        ).all()
        row = next((r for r in locked if r.id == transaction_id), None)
        if row is None:
            raise NotFound("transaction")
        if row.transfer_group == group:
            return row
    raise NotFound("transaction")  # kept changing between transfer and not: gone for our purpose


def transfer_counterpart(session: Session, row: Transaction) -> Transaction | None:
    if not row.transfer_group:
        return None
    return session.scalar(
        select(Transaction).where(
            Transaction.transfer_group == row.transfer_group, Transaction.id != row.id
        )
    )


def transfer_counterparts(
    session: Session, user_id: int, rows: list[Transaction]
) -> dict[int, Transaction]:
    """Row id -> the other leg, for every transfer in `rows`: one query for a whole page."""
    groups = {row.transfer_group for row in rows if row.transfer_group}
    if not groups:
        return {}
    legs = session.scalars(
        select(Transaction).where(
            Transaction.user_id == user_id, Transaction.transfer_group.in_(groups)
        )
    ).all()
    by_group: dict[str, list[Transaction]] = {}
    for leg in legs:
        by_group.setdefault(leg.transfer_group or "", []).append(leg)
    return {
        row.id: leg
        for row in rows
        if row.transfer_group
        for leg in by_group.get(row.transfer_group, [])
        if leg.id != row.id
    }


def as_input(session: Session, row: Transaction) -> TransactionInput:
    """The input that would recreate `row`, seen from its outgoing leg for transfers."""
    currency = row.account.currency
    data = TransactionInput(
        kind=row.kind, account_id=row.account_id, date=row.date,
        amount=format_plain(abs(row.amount_minor), currency), payee=row.payee, memo=row.memo,
        category_id=row.category_id, tags=[t.name for t in row.tags], cleared=row.cleared,
    )  # fmt: skip
    if row.kind == TransactionKind.transfer.value:
        other = transfer_counterpart(session, row)
        if other is not None:
            outgoing, incoming = (row, other) if row.amount_minor < 0 else (other, row)
            data.account_id, data.to_account_id = outgoing.account_id, incoming.account_id
            data.amount = format_plain(-outgoing.amount_minor, outgoing.account.currency)
            data.to_amount = format_plain(incoming.amount_minor, incoming.account.currency)
    data.splits = [
        SplitInput(
            format_plain(split_line_amount(row.kind, line.amount_minor), currency),
            line.category_id,
            line.memo,
        )
        for line in row.lines
    ]
    return data


def update(
    session: Session,
    user_id: int,
    transaction_id: int,
    data: TransactionInput,
    *,
    locked: Transaction | None = None,
) -> Transaction:
    """`locked`: the row from `get_locked` already, for a caller that read it first."""
    row = locked if locked is not None else get_locked(session, user_id, transaction_id)
    checked = check(session, user_id, data)
    if row.kind == TransactionKind.transfer.value and row.amount_minor > 0:
        # Edited from its incoming leg: keep the outgoing leg as the row that carries the id.
        other = transfer_counterpart(session, row)
        if other is not None and checked.kind is TransactionKind.transfer:
            row = other
    return _write(session, user_id, row, checked)


def delete(session: Session, user_id: int, transaction_id: int) -> None:
    """Deletes the whole thing: a split with its lines, a transfer with both legs."""
    row = get_locked(session, user_id, transaction_id)
    before = _leaves(session, row)
    _remove_dependents(session, row)
    session.delete(row)
    session.flush()
    summaries.add_changes(session, user_id, before, [])


MAX_CATEGORISE = 500


def set_category(
    session: Session, user_id: int, transaction_ids: list[int], category_id: int | None
) -> list[Transaction]:
    """Give many transactions one category (None: uncategorised) at once, or change nothing.

    All or nothing: an id that is not one of the person's own transactions (another person's,
    a split line's, one that never existed) refuses the whole request, and so do transfers,
    which have no category, and split transactions, whose lines carry the categories (they are
    edited one by one). Returns the transactions, in the order first asked for."""
    wanted = list(dict.fromkeys(transaction_ids))
    if not wanted:
        raise InvalidInput({"ids": Text("choose at least one transaction")})
    if len(wanted) > MAX_CATEGORISE:
        raise InvalidInput(
            {
                "ids": Text(
                    "choose at most %(count)s transactions at a time",
                    count=MAX_CATEGORISE,
                )
            }
        )
    _own_category(session, user_id, category_id, "category_id")
    found = {
        row.id: row
        for row in session.scalars(
            select(Transaction)
            .where(
                Transaction.user_id == user_id,
                Transaction.parent_id.is_(None),
                Transaction.id.in_(wanted),
            )
            # Locked in id order (as every bulk change locks), read as they are now.
            .order_by(Transaction.id)
            .with_for_update(of=Transaction)
            .execution_options(populate_existing=True)
        )
    }
    unknown = [str(i) for i in wanted if i not in found]
    if unknown:
        raise InvalidInput(
            {"ids": Text("no such transaction: %(ids)s", ids=", ".join(unknown[:10]))}
        )
    rows = [found[i] for i in wanted]
    transfers = [r for r in rows if r.kind == TransactionKind.transfer.value]
    splits = [r for r in rows if r.is_split]
    refused = []
    if transfers:
        refused.append(f"{_count(len(transfers), 'transfer')} (a transfer has no category)")
    if splits:
        refused.append(
            f"{_count(len(splits), 'split transaction')} (edit a split to change the "
            "categories of its lines)"
        )
    if refused:
        raise InvalidInput(
            {"ids": "nothing changed: unselect " + " and ".join(refused) + " and try again"}
        )
    before = [summaries.Leaf.of(row) for row in rows]
    for row in rows:
        row.category_id = category_id
    session.flush()
    summaries.add_changes(session, user_id, before, rows)
    for row in rows:
        session.expire(row, ["category"])  # loaded again as it is now, from the identity map
    return rows


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _filtered(session: Session, user_id: int, f: TransactionFilter) -> Select:
    errors: dict[str, str] = {}
    query = select(Transaction).where(
        Transaction.user_id == user_id, Transaction.parent_id.is_(None)
    )
    if f.text.strip():
        needle = f.text.strip().lower()  # `%` and `_` typed by a user are literal characters
        query = query.where(
            or_(
                func.lower(Transaction.payee).contains(needle, autoescape=True),
                func.lower(Transaction.memo).contains(needle, autoescape=True),
            )
        )
    if f.date_from:
        query = query.where(Transaction.date >= f.date_from)
    if f.date_to:
        query = query.where(Transaction.date <= f.date_to)
    if f.date_from and f.date_to and f.date_from > f.date_to:
        errors["date_to"] = Text("the end date is before the start date")
    if f.kind:
        if f.kind not in TransactionKind.__members__:
            errors["kind"] = Text("choose income, expense or transfer")
        query = query.where(Transaction.kind == f.kind)
    if f.account_id is not None:
        try:
            accounts.get(session, user_id, f.account_id)
        except NotFound:
            errors["account_id"] = Text("unknown account")
        query = query.where(Transaction.account_id == f.account_id)
    else:
        # Across all accounts a transfer is one movement: list its outgoing leg only.
        query = query.where(~((Transaction.kind == "transfer") & (Transaction.amount_minor > 0)))
    if f.category_id is not None:
        try:
            wanted = categories.with_children(session, user_id, f.category_id)
            line = aliased(Transaction)
            query = query.where(
                or_(
                    Transaction.category_id.in_(wanted),
                    exists().where(line.parent_id == Transaction.id, line.category_id.in_(wanted)),
                )
            )
        except NotFound:
            errors["category_id"] = Text("unknown category")
        if f.uncategorised:
            errors["category_id"] = Text("choose a category or uncategorised, not both")
    elif f.uncategorised:
        line = aliased(Transaction)
        has_lines = exists().where(line.parent_id == Transaction.id)
        query = query.where(
            Transaction.kind != TransactionKind.transfer.value,
            or_(
                and_(Transaction.category_id.is_(None), ~has_lines),
                has_lines.where(line.category_id.is_(None)),
            ),
        )
    if f.tag.strip():
        query = query.where(
            exists()
            .where(transaction_tags.c.transaction_id == Transaction.id)
            .where(transaction_tags.c.tag_id == Tag.id, Tag.name == f.tag.strip().lower())
        )
    bounds = {"amount_min": f.amount_min, "amount_max": f.amount_max}
    for bound, value in bounds.items():
        if value in (None, ""):
            continue
        try:
            number = Decimal(str(value).strip())
            if not number.is_finite() or number < 0:
                raise ValueError
        except (ArithmeticError, ValueError):
            errors[bound] = Text("enter a positive amount")
            continue
        # No stored amount reaches MAX_ABS_MINOR, so a larger bound selects the same rows;
        # clamping keeps a bound like 1e999999 from overflowing Decimal (a 500) or the column.
        number = min(number, Decimal(MAX_ABS_MINOR))
        # The bound applies to the size of the amount, in each account's own currency.
        size = func.abs(Transaction.amount_minor)
        limit = _minor_by_currency(session, user_id, number, rounding_up=bound == "amount_min")
        query = query.where(size >= limit if bound == "amount_min" else size <= limit)
    if errors:
        raise InvalidInput(errors)
    return query


def _minor_by_currency(session: Session, user_id: int, number: Decimal, *, rounding_up: bool):
    """A SQL expression: `number` in minor units of the row's account currency."""
    rounding = ROUND_CEILING if rounding_up else ROUND_FLOOR
    currencies = session.scalars(
        select(Account.currency).where(Account.user_id == user_id).distinct()
    ).all()
    by_currency = {
        c: min(
            int(number.scaleb(minor_digits(c)).quantize(Decimal(1), rounding=rounding)),
            MAX_ABS_MINOR,
        )
        for c in currencies
    }
    account_currency = (
        select(Account.currency).where(Account.id == Transaction.account_id).scalar_subquery()
    )
    if not by_currency:
        return literal(0)
    return case(by_currency, value=account_currency, else_=literal(0))


def newest_first_in_batches(
    session: Session,
    user_id: int,
    filters: TransactionFilter | None = None,
    *,
    batch_size: int = 1000,
) -> Iterator[list[Transaction]]:
    """Every matching top-level transaction, newest first, a batch at a time, for exports.

    Keyset paging (after the last date and id seen) instead of page numbers: the thousandth
    batch costs what the first does, with no OFFSET to skip and no total to count. Bad filters
    raise InvalidInput before the first batch."""
    query = _filtered(session, user_id, filters or TransactionFilter())
    order = (Transaction.date.desc(), Transaction.id.desc())
    after: tuple[dt.date, int] | None = None
    while True:
        batch_query = query
        if after is not None:
            last_date, last_id = after
            batch_query = query.where(
                or_(
                    Transaction.date < last_date,
                    and_(Transaction.date == last_date, Transaction.id < last_id),
                )
            )
        batch = list(session.scalars(batch_query.order_by(*order).limit(batch_size)).unique())
        if not batch:
            return
        yield batch
        after = (batch[-1].date, batch[-1].id)


def search(
    session: Session,
    user_id: int,
    filters: TransactionFilter | None = None,
    *,
    page: int = 1,
    per_page: int = 50,
    sort: str = "date",
    descending: bool = True,
    count: bool = True,
) -> Page:
    """A page of top-level transactions; `count=False` skips counting every match (the total
    is then only what this page holds), for lists that show no page numbers."""
    if sort not in SORTS:
        raise InvalidInput({"sort": Text("sort by one of: %(sorts)s", sorts=", ".join(SORTS))})
    if page < 1:
        raise InvalidInput({"page": Text("pages start at 1")})
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidInput({"per_page": Text("between 1 and %(count)s", count=MAX_PER_PAGE)})
    query = _filtered(session, user_id, filters or TransactionFilter())
    total = (
        (session.scalar(select(func.count()).select_from(query.subquery())) or 0) if count else 0
    )
    column = SORTS[sort]
    order = (
        (column.desc(), Transaction.id.desc())
        if descending
        else (column.asc(), Transaction.id.asc())
    )
    items = session.scalars(query.order_by(*order).limit(per_page).offset((page - 1) * per_page))
    rows = list(items.unique())
    return Page(rows, int(total) if count else len(rows), page, per_page)
