"""Two-level categories (Food › Groceries)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from finance_tracker.catalogs import translations
from finance_tracker.domain.categories import DEFAULT_CATEGORIES, MAX_NAME_LENGTH
from finance_tracker.domain.text import Text
from finance_tracker.services.errors import InvalidInput, NotFound
from finance_tracker.store import summaries
from finance_tracker.store.models import Category
from finance_tracker.store.sqlfunctions import added, flushed

NAME_TAKEN = Text("a category with this name already exists here")


def create_defaults(session: Session, user_id: int, language: str = "en") -> None:
    """The default categories, named in `language` (a name the catalog lacks stays English)."""
    names = translations(language)
    for parent_name, children in DEFAULT_CATEGORIES.items():
        parent = Category(user_id=user_id, name=names.pgettext("default category", parent_name))
        session.add(parent)
        session.flush()
        session.add_all(
            Category(user_id=user_id, parent_id=parent.id,
                     name=names.pgettext("default category", c))
            for c in children
        )  # fmt: skip
    session.flush()


def list_all(session: Session, user_id: int) -> list[Category]:
    """Parents first, each followed by its children, alphabetically."""
    rows = session.scalars(select(Category).where(Category.user_id == user_id)).all()
    parents = sorted((c for c in rows if c.parent_id is None), key=lambda c: c.name.lower())
    children: dict[int, list[Category]] = {}
    for category in rows:
        if category.parent_id is not None:
            children.setdefault(category.parent_id, []).append(category)
    ordered: list[Category] = []
    for parent in parents:
        ordered.append(parent)
        ordered.extend(sorted(children.get(parent.id, []), key=lambda c: c.name.lower()))
    return ordered


def get(session: Session, user_id: int, category_id: int) -> Category:
    category = session.get(Category, category_id)
    if category is None or category.user_id != user_id:
        raise NotFound("category")
    return category


def with_children(session: Session, user_id: int, category_id: int) -> list[int]:
    get(session, user_id, category_id)
    child_ids = session.scalars(
        select(Category.id).where(Category.user_id == user_id, Category.parent_id == category_id)
    ).all()
    return [category_id, *child_ids]


def _check(session: Session, user_id: int, name: str, parent_id: int | None, own_id: int | None):
    name = (name or "").strip()
    if not name:
        raise InvalidInput({"name": Text("enter a name")})
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInput(
            {"name": Text("use at most %(count)s characters", count=MAX_NAME_LENGTH)}
        )
    if parent_id is not None:
        try:
            parent = get(session, user_id, parent_id)
        except NotFound:
            raise InvalidInput({"parent_id": Text("unknown parent category")}) from None
        if parent.parent_id is not None:
            raise InvalidInput(
                {"parent_id": Text("categories have two levels: pick a top-level parent")}
            )
        if own_id is not None and parent.id == own_id:
            raise InvalidInput({"parent_id": Text("a category cannot be its own parent")})
    clash = session.scalar(
        select(Category.id).where(
            Category.user_id == user_id,
            Category.name == name,
            Category.parent_id.is_(None) if parent_id is None else Category.parent_id == parent_id,
        )
    )
    if clash is not None and clash != own_id:
        raise InvalidInput({"name": NAME_TAKEN})
    return name


def create(session: Session, user_id: int, name: str, parent_id: int | None = None) -> Category:
    name = _check(session, user_id, name, parent_id, None)
    category = Category(user_id=user_id, name=name, parent_id=parent_id)
    if not added(session, category):  # the same name, saved a moment ago by another request
        raise InvalidInput({"name": NAME_TAKEN})
    return category


def find_or_create(session: Session, user_id: int, name: str, parent_id: int | None) -> Category:
    """The category of that name under that parent (case aside), created if there is none: for
    an import that names its categories. A name too long is cut to fit."""
    name = " ".join(name.split())[:MAX_NAME_LENGTH] or "Unnamed"
    query = select(Category).where(
        Category.user_id == user_id,
        Category.parent_id.is_(None) if parent_id is None else Category.parent_id == parent_id,
        func.lower(Category.name) == name.lower(),
    )
    found = session.scalars(query).first()
    if found is not None:
        return found
    category = Category(user_id=user_id, name=name, parent_id=parent_id)
    if not added(session, category):  # the same name, saved a moment ago by another request
        found = session.scalars(query).first()
        assert found is not None
        return found
    return category


def update(
    session: Session, user_id: int, category_id: int, name: str, parent_id: int | None
) -> Category:
    category = get(session, user_id, category_id)
    if parent_id is not None:
        has_children = session.scalar(
            select(Category.id).where(Category.parent_id == category_id).limit(1)
        )
        if has_children:
            raise InvalidInput(
                {"parent_id": Text("a category with subcategories must stay top-level")}
            )
    category.name = _check(session, user_id, name, parent_id, category_id)
    category.parent_id = parent_id
    if not flushed(session):
        raise InvalidInput({"name": NAME_TAKEN})
    session.refresh(category)
    return category


def delete(session: Session, user_id: int, category_id: int) -> None:
    """Subcategories go too; their transactions become uncategorised (never deleted)."""
    going = with_children(session, user_id, category_id)
    session.delete(get(session, user_id, category_id))
    session.flush()
    summaries.refresh_categories(session, user_id, going)
