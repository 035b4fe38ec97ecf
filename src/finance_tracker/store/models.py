"""Tables. Every row that belongs to a person carries `user_id`, so every query can be scoped."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UtcDateTime(TypeDecorator[dt.datetime]):
    """Timestamps are UTC. SQLite hands them back without a zone: put UTC back on."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    default_currency: Mapped[str] = mapped_column(String(3), default="EUR")
    # How amounts and dates are written (domain/locales.py), and the pages' language when it is
    # not the locale's own (None: follow the locale).
    locale: Mapped[str] = mapped_column(String(16), default="en_US", server_default="en_US")
    language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    # Optional TOTP two-factor auth: the base32 secret, set once confirmed; recovery codes are
    # argon2 hashes, one a line, each removed when used.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    recovery_codes: Mapped[str | None] = mapped_column(Text)
    # The newest password-reset link's random id, bound into its signed token: asking again
    # replaces it (earlier links stop working), a reset clears it. Not a secret on its own.
    reset_link_id: Mapped[str | None] = mapped_column(String(32))
    # A new random value with every write of the person's exchange rates (services.rates): a
    # process keeps the rates it read while this stays the same (rate_queries.stored_rates).
    # Random from the start too, so that a process never takes one database's user for another's.
    rates_version: Mapped[int] = mapped_column(
        Integer, default=lambda: secrets.randbelow(2**29), server_default="0"
    )
    # The scheduled jobs bring the ECB's reference rates in for this person (where the server
    # fetches them: ECB_RATES_FETCH).
    fetch_ecb_rates: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class AuditEvent(Base):
    """A security event: login, failed login, token created or revoked, 2FA changed, export."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    event: Mapped[str] = mapped_column(String(40))
    ip: Mapped[str | None] = mapped_column(String(45))
    detail: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    # "read" (GET/HEAD/OPTIONS only) or "read-write".
    scope: Mapped[str] = mapped_column(
        String(10), default="read-write", server_default="read-write"
    )
    expires_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class Account(Base):
    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    type: Mapped[str] = mapped_column(String(20))
    currency: Mapped[str] = mapped_column(String(3))
    opening_balance_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Category(Base):
    __tablename__ = "categories"
    __table_args__ = (UniqueConstraint("user_id", "parent_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("categories.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(80))

    parent: Mapped[Category | None] = relationship(remote_side=[id], lazy="joined")

    @property
    def full_name(self) -> str:
        return f"{self.parent.name} › {self.name}" if self.parent else self.name


class Tag(Base):
    __tablename__ = "tags"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(40))


transaction_tags = Table(
    "transaction_tags",
    Base.metadata,
    Column(
        "transaction_id",
        ForeignKey("transactions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Transaction(Base):
    """One entry in one account. A split is a parent (`is_split`) plus child lines; a transfer is
    two entries sharing `transfer_group`. Sums run over rows where `is_split` is false."""

    __tablename__ = "transactions"
    __table_args__ = (
        Index("ix_transactions_user_date", "user_id", "date"),
        # Covering on PostgreSQL: a conversion sums an account in another currency per day
        # from the index alone (10,000 rows in 6 ms instead of 38 ms of scattered heap reads).
        Index(
            "ix_transactions_account_date",
            "account_id",
            "date",
            postgresql_include=["kind", "amount_minor", "is_split", "category_id", "user_id"],
        ),
        Index("ix_transactions_user_category_date", "user_id", "category_id", "date"),
        # An account's transfer legs by date: the rates its cross-currency transfers made
        # (store/rate_queries.transfer_rates) without reading its other rows or all transfers.
        Index(
            "ix_transactions_transfer_legs",
            "account_id",
            "date",
            postgresql_where=sql_text("transfer_group IS NOT NULL"),
            sqlite_where=sql_text("transfer_group IS NOT NULL"),
        ),
        Index("uq_transactions_account_import_key", "account_id", "import_key", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    date: Mapped[dt.date] = mapped_column(Date)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(10))
    payee: Mapped[str] = mapped_column(String(200), default="")
    memo: Mapped[str] = mapped_column(Text, default="")
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("categories.id", ondelete="SET NULL")
    )
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("transactions.id", ondelete="CASCADE"), index=True
    )
    is_split: Mapped[bool] = mapped_column(Boolean, default=False)
    transfer_group: Mapped[str | None] = mapped_column(String(36), index=True)
    # Set on imported rows: the bank's id or a stable hash; unique per account, so the same
    # statement imported twice adds nothing.
    import_key: Mapped[str | None] = mapped_column(String(64))
    import_batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batches.id", ondelete="SET NULL"), index=True
    )
    # uncleared, cleared (the bank has it) or reconciled (matched to a statement)
    cleared: Mapped[str] = mapped_column(
        String(10), default="uncleared", server_default="uncleared"
    )
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)

    account: Mapped[Account] = relationship(lazy="joined")
    category: Mapped[Category | None] = relationship(lazy="joined")
    tags: Mapped[list[Tag]] = relationship(secondary=transaction_tags, lazy="selectin")
    # join_depth: eager loaders stop at a relationship back to the same class unless told how
    # deep to go, and the split lines were then loaded with one query per transaction.
    lines: Mapped[list[Transaction]] = relationship(
        lazy="selectin", order_by="Transaction.id", cascade="all, delete-orphan", join_depth=1
    )


class MonthTotal(Base):
    """Per user, month, account, category and kind: the sum of leaf rows. Reports read this
    instead of scanning years of transactions; services refresh the months they touch."""

    __tablename__ = "month_totals"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    # 0 = uncategorised, so that the key has no NULL in it.
    category_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    total_minor: Mapped[int] = mapped_column(BigInteger)
    count: Mapped[int] = mapped_column(Integer)


class MonthTotalDelta(Base):
    """What a write added to a month total and nobody has folded into `month_totals` yet
    (PostgreSQL only: appending here waits on no other write; store/summaries.py)."""

    __tablename__ = "month_total_deltas"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    month: Mapped[dt.date] = mapped_column(Date)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    category_id: Mapped[int] = mapped_column(Integer)  # 0 = uncategorised
    kind: Mapped[str] = mapped_column(String(10))
    total_minor: Mapped[int] = mapped_column(BigInteger)
    count: Mapped[int] = mapped_column(Integer)


class AccountActivity(Base):
    """A version of an account's rows: a new random value once a write of them is in the month
    totals (store/summaries.py), so that a process can keep the day totals it read of the
    account while it stays the same (store/rate_queries.day_totals). Apart from `accounts`, so
    that keeping it never locks an account's row; no row: nothing written yet."""

    __tablename__ = "account_activity"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer)


class Budget(Base):
    __tablename__ = "budgets"
    __table_args__ = (
        UniqueConstraint("user_id", "category_id", "month"),
        Index("ix_budgets_user_month", "user_id", "month"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id", ondelete="CASCADE"))
    month: Mapped[dt.date] = mapped_column(Date)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    rollover: Mapped[bool] = mapped_column(Boolean, default=False)

    category: Mapped[Category] = relationship()


class ExchangeRate(Base):
    """A rate a person entered or uploaded (ECB reference rates): 1 `base` = `rate` `quote` on
    `day`. Rates learnt from cross-currency transfers are not stored: they are read from the
    transfers themselves (store/rate_queries.py), so editing or deleting a transfer moves them."""

    __tablename__ = "exchange_rates"
    __table_args__ = (
        UniqueConstraint("user_id", "base", "quote", "day", "source"),
        Index("ix_exchange_rates_user_pair_day", "user_id", "base", "quote", "day"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    base: Mapped[str] = mapped_column(String(3))
    quote: Mapped[str] = mapped_column(String(3))
    day: Mapped[dt.date] = mapped_column(Date)
    # The exact decimal as text: SQLite has no exact numeric type, and a rate must not drift.
    rate: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(10))  # manual or ecb (domain/rates.py)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)


class RecurringTransaction(Base):
    """A template and its schedule; occurrences become ordinary transactions."""

    __tablename__ = "recurring_transactions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(10))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    to_account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    amount: Mapped[str] = mapped_column(String(32))  # as entered: validated again when used
    to_amount: Mapped[str | None] = mapped_column(String(32))
    payee: Mapped[str] = mapped_column(String(200), default="")
    memo: Mapped[str] = mapped_column(Text, default="")
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("categories.id", ondelete="SET NULL")
    )
    tags: Mapped[str] = mapped_column(String(400), default="")
    frequency: Mapped[str] = mapped_column(String(10))
    interval: Mapped[int] = mapped_column(Integer, default=1)
    day_of_month: Mapped[int | None] = mapped_column(Integer)
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    max_count: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)

    account: Mapped[Account] = relationship(foreign_keys=[account_id], lazy="joined")


class RecurringOccurrence(Base):
    """One scheduled date turned into a transaction. The primary key is what makes generation
    idempotent: a second run, or two runs at once, cannot insert the same date twice."""

    __tablename__ = "recurring_occurrences"

    recurring_id: Mapped[int] = mapped_column(
        ForeignKey("recurring_transactions.id", ondelete="CASCADE"), primary_key=True
    )
    date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    transaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("transactions.id", ondelete="SET NULL")
    )


class Rule(Base):
    __tablename__ = "rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    match_field: Mapped[str] = mapped_column(String(10), default="payee")
    match_type: Mapped[str] = mapped_column(String(10), default="contains")
    pattern: Mapped[str] = mapped_column(String(200))
    amount_min_minor: Mapped[int | None] = mapped_column(BigInteger)
    amount_max_minor: Mapped[int | None] = mapped_column(BigInteger)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    set_category_id: Mapped[int | None] = mapped_column(
        ForeignKey("categories.id", ondelete="SET NULL")
    )
    set_tags: Mapped[str] = mapped_column(String(400), default="")
    set_payee: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ImportBatch(Base):
    """One uploaded bank file on its way in: uploaded, mapped, previewed, then committed."""

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The account a bank statement was uploaded for; None when moving in from another tracker
    # (its file holds every account).
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(200))  # for display only, never a path
    stored_name: Mapped[str] = mapped_column(String(64))  # a random name under UPLOAD_DIR
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    file_format: Mapped[str] = mapped_column(String(12))
    settings_json: Mapped[str] = mapped_column(Text, default="{}")
    status: Mapped[str] = mapped_column(String(12), default="uploaded")
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    new_rows: Mapped[int] = mapped_column(Integer, default=0)
    duplicate_rows: Mapped[int] = mapped_column(Integer, default=0)
    invalid_rows: Mapped[int] = mapped_column(Integer, default=0)
    skipped_rows: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The choices made in the preview (services.imports.ImportOptions), and what the import
    # left out with the reasons, kept after the file is gone.
    options_json: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")
    report_json: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    finished_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())

    account: Mapped[Account | None] = relationship(lazy="joined")


class CsvMapping(Base):
    """The CSV settings last used for an account, offered again next time."""

    __tablename__ = "csv_mappings"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    settings_json: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class Receipt(Base):
    __tablename__ = "receipts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    transaction_id: Mapped[int] = mapped_column(
        ForeignKey("transactions.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(200))  # for display only, never a path
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
