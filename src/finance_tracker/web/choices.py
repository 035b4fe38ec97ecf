"""Options for the selects: the signed-in user's own accounts, categories and tags."""

from __future__ import annotations

from sqlalchemy.orm import Session

from finance_tracker.services import accounts, categories, tags

Choices = list[tuple[object, str]] | dict[str, list]


def account_choices(session: Session, user_id: int, blank: str | None = None) -> Choices:
    """Open accounts first; archived ones in their own group (old transactions still use them).
    Each option carries its currency so the form script can tell when a transfer needs the
    amount received."""
    rows = accounts.list_with_balances(session, user_id)

    def option(account):  # type: ignore[no-untyped-def]
        label = f"{account.name} ({account.currency})"
        return (account.id, label, {"data-currency": account.currency})

    open_ = [option(r.account) for r in rows if not r.account.archived]
    archived = [option(r.account) for r in rows if r.account.archived]
    if blank is not None:
        open_.insert(0, ("", blank, {}))
    return {"Accounts": open_, "Archived": archived} if archived else open_


def category_choices(session: Session, user_id: int, blank: str) -> list[tuple[object, str]]:
    return [("", blank)] + [(c.id, c.full_name) for c in categories.list_all(session, user_id)]


def parent_choices(session: Session, user_id: int, exclude: int | None = None) -> list:
    tops = [c for c in categories.list_all(session, user_id) if c.parent_id is None]
    return [("", "— none (top level)")] + [(c.id, c.name) for c in tops if c.id != exclude]


def tag_choices(session: Session, user_id: int) -> list[tuple[str, str]]:
    return [("", "Any tag")] + [(t.name, t.name) for t in tags.list_all(session, user_id)]
