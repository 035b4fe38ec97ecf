"""Registration, login and passwords."""

from __future__ import annotations

import hashlib
import re
from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from finance_tracker.domain.locales import (
    DEFAULT_LOCALE,
    LANGUAGES,
    LocaleInputError,
    language_of,
    normalise_locale,
)
from finance_tracker.domain.money import MoneyError, normalise_currency
from finance_tracker.domain.text import Text, message_of
from finance_tracker.services import categories, tags
from finance_tracker.services.errors import InvalidInput
from finance_tracker.store.models import User
from finance_tracker.store.sqlfunctions import added

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the email is unknown, so login takes as long either way. Made on
    first use: hashing at import would slow every process start by half a second."""
    return _hasher.hash("not a real password, only here to spend the same time")


@cache
def _common_passwords() -> frozenset[str]:
    text = resources.files(__package__).joinpath("common-passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip().casefold() for line in text.splitlines() if line.strip() and line[0] != "#"
    )


def password_problem(password: str, email: str = "") -> str | None:
    """Why a new password is not acceptable, or None: length, a common or breached password,
    one character repeated, or the email address itself."""
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        return Text("use at least %(count)s characters", count=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        return Text("use at most %(count)s characters", count=MAX_PASSWORD_LENGTH)
    folded = password.casefold()
    if folded in _common_passwords() or folded.strip() in _common_passwords():
        return Text("this password is too common; choose another")
    if len(set(folded)) < 4:
        return Text("use more different characters")
    email = normalise_email(email)
    if email and (folded == email or folded == email.split("@")[0]):
        return Text("do not use your email address as a password")
    return None


EMAIL_TAKEN = Text("this email cannot be registered; try logging in instead")


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def register(
    session: Session,
    email: str,
    password: str,
    default_currency: str = "EUR",
    locale: str = DEFAULT_LOCALE,
) -> User:
    """A new person, with the default categories and tags named in their locale's language."""
    email = normalise_email(email)
    errors: dict[str, str] = {}
    if not EMAIL.match(email) or len(email) > 254:
        errors["email"] = Text("enter a valid email address")
    if problem := password_problem(password, email):
        errors["password"] = problem
    try:
        default_currency = normalise_currency(default_currency)
    except MoneyError as error:
        errors["default_currency"] = error.args[0]
    try:
        locale = normalise_locale(locale)
    except LocaleInputError as error:
        errors["locale"] = error.args[0]
    if not errors and session.scalar(select(func.count()).where(User.email == email)):
        errors["email"] = EMAIL_TAKEN
    if errors:
        raise InvalidInput(errors)
    user = User(
        email=email, password_hash=_hasher.hash(password), default_currency=default_currency,
        locale=locale,
    )  # fmt: skip
    if not added(session, user):  # the same address, registered a moment ago
        raise InvalidInput({"email": EMAIL_TAKEN})
    categories.create_defaults(session, user.id, language_of(locale))
    tags.create_defaults(session, user.id, language_of(locale))
    return user


def set_locale(session: Session, user: User, locale: str, language: str | None) -> None:
    """The locale of amounts and dates, and the pages' language (None or "": the locale's)."""
    errors: dict[str, str] = {}
    try:
        locale = normalise_locale(locale)
    except LocaleInputError as error:
        errors["locale"] = error.args[0]
    language = (language or "").strip().lower() or None
    if language is not None and language not in LANGUAGES:
        errors["language"] = Text(
            "choose one of the languages: %(languages)s", languages=", ".join(LANGUAGES)
        )
    if errors:
        raise InvalidInput(errors)
    user.locale, user.language = locale, language


def set_home_currency(session: Session, user: User, currency: str) -> None:
    """The currency net worth, reports and budgets are converted into (and new accounts get)."""
    try:
        user.default_currency = normalise_currency(currency)
    except MoneyError as error:
        raise InvalidInput({"home_currency": message_of(error)}) from None


def language_for(user: User) -> str:
    """The language the person reads the app in."""
    return user.language or language_of(user.locale)


def authenticate(session: Session, email: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    try:
        _hasher.verify(user.password_hash if user else _dummy_hash(), password or "")
    except (VerificationError, InvalidHashError):
        return None
    if user is None:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


def find_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def change_password(session: Session, user: User, current: str, new: str) -> None:
    errors: dict[str, str] = {}
    try:
        _hasher.verify(user.password_hash, current or "")
    except (VerificationError, InvalidHashError):
        errors["current_password"] = Text("this is not your current password")  # noqa: S105
    if problem := password_problem(new, user.email):
        errors["new_password"] = problem
    if errors:
        raise InvalidInput(errors)
    user.password_hash = _hasher.hash(new)


def set_password(session: Session, user: User, new: str) -> None:
    """A new password without the current one: a reset link, or the administrator."""
    if problem := password_problem(new, user.email):
        raise InvalidInput({"password": problem})
    user.password_hash = _hasher.hash(new)


def credentials_fingerprint(user: User) -> str:
    """Changes whenever the password does: a session remembers it at login, and a session whose
    fingerprint no longer matches (the password was changed or reset since) is signed out."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:20]


def has_any(session: Session) -> bool:
    return session.scalar(select(User.id).limit(1)) is not None


def get(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def home_currency(session: Session, user_id: int) -> str:
    """What figures are added up in, and what new accounts and rules' bounds default to (EUR
    for a person deleted a moment ago). The identity map answers repeated calls."""
    user = get(session, user_id)
    return user.default_currency if user else "EUR"
