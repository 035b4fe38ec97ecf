"""What every page needs: the signed-in user, a unit of work, money formatting, form errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Flask, current_app, g
from flask_login import UserMixin, current_user
from sqlalchemy.orm import Session
from wtforms import Form

from finance_tracker.domain.money import format_display, format_plain
from finance_tracker.services import users
from finance_tracker.services.errors import InvalidInput


@dataclass
class SignedInUser(UserMixin):
    """A plain copy of the user row, safe to keep after the database session closes."""

    id: int
    email: str
    default_currency: str


def load_user(user_id: str) -> SignedInUser | None:
    if not user_id.isdigit():
        return None
    with unit_of_work() as session:
        user = users.get(session, int(user_id))
        if user is None:
            return None
        g.user_id = user.id
        return SignedInUser(user.id, user.email, user.default_currency)


@contextmanager
def unit_of_work() -> Iterator[Session]:
    with current_app.extensions["finance_tracker"].database.session() as session:
        yield session


def user_id() -> int:
    return int(current_user.id)


def apply_errors(form: Form, error: InvalidInput) -> None:
    """Show service errors beside the form fields they belong to (or at the top)."""
    for field_name, message in error.errors.items():
        field = getattr(form, field_name.split(".")[0], None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors or []), message]
        else:
            form.form_errors.append(message)


def install(app: Flask) -> None:
    app.jinja_env.filters["money"] = lambda minor, currency: format_display(minor, currency)
    app.jinja_env.filters["plain_money"] = format_plain
    app.jinja_env.globals["app_name"] = "Finance Tracker"
