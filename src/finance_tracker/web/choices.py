"""Options for the selects: the signed-in user's own accounts, categories and tags."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy.orm import Session
from wtforms.fields.choices import SelectChoice

from finance_tracker.services import accounts, categories, tags
from finance_tracker.web.forms import UNCATEGORISED


def account_choices(session: Session, user_id: int, blank: str | None = None) -> list:
    """Open accounts first; archived ones in their own group (old transactions still use them).
    Each option carries its currency so the form script can tell when a transfer needs the
    amount received."""
    rows = accounts.list_with_balances(session, user_id)
    options = [SelectChoice("", blank)] if blank is not None else []
    for archived in (False, True):
        options += [
            SelectChoice(
                str(row.account.id),
                f"{row.account.name} ({row.account.currency})",
                {"data-currency": row.account.currency},
                _("Archived") if archived else None,
            )
            for row in rows
            if row.account.archived is archived
        ]
    return options


def category_choices(session: Session, user_id: int, blank: str) -> list[SelectChoice]:
    rows = categories.list_all(session, user_id)
    return [SelectChoice("", blank)] + [SelectChoice(str(c.id), c.full_name) for c in rows]


def category_filter_choices(session: Session, user_id: int) -> list[SelectChoice]:
    """Any category, none of them, or one (with its subcategories)."""
    any_, *rest = category_choices(session, user_id, _("Any category"))
    return [any_, SelectChoice(UNCATEGORISED, _("Uncategorised")), *rest]


def bulk_category_choices(session: Session, user_id: int) -> list[SelectChoice]:
    """A category to give the selected transactions, or none (to sort out later)."""
    blank, *rest = category_choices(session, user_id, _("Category…"))
    return [blank, *rest, SelectChoice(UNCATEGORISED, _("Uncategorised (remove the category)"))]


def parent_choices(session: Session, user_id: int, exclude: int | None = None) -> list:
    tops = [c for c in categories.list_all(session, user_id) if c.parent_id is None]
    return [SelectChoice("", _("— none (top level)"))] + [
        SelectChoice(str(c.id), c.name) for c in tops if c.id != exclude
    ]


def tag_choices(session: Session, user_id: int) -> list[SelectChoice]:
    return [SelectChoice("", _("Any tag"))] + [
        SelectChoice(t.name) for t in tags.list_all(session, user_id)
    ]
