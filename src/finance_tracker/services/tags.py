"""Free-form tags on transactions."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from finance_tracker.catalogs import translations
from finance_tracker.domain.categories import DEFAULT_TAGS
from finance_tracker.domain.text import Text
from finance_tracker.services.errors import InvalidInput, NotFound
from finance_tracker.store.models import Tag
from finance_tracker.store.sqlfunctions import added, flushed, insert_for

NAME_TAKEN = Text("this tag already exists")

MAX_TAG_LENGTH = 40


def create_defaults(session: Session, user_id: int, language: str = "en") -> None:
    names = translations(language)
    session.add_all(
        Tag(user_id=user_id, name=names.pgettext("default tag", name)) for name in DEFAULT_TAGS
    )
    session.flush()


def list_all(session: Session, user_id: int) -> list[Tag]:
    return list(session.scalars(select(Tag).where(Tag.user_id == user_id).order_by(Tag.name)))


def get(session: Session, user_id: int, tag_id: int) -> Tag:
    tag = session.get(Tag, tag_id)
    if tag is None or tag.user_id != user_id:
        raise NotFound("tag")
    return tag


def clean_name(name: str, field: str = "name") -> str:
    name = (name or "").strip().lower()
    if not name:
        raise InvalidInput({field: Text("enter a tag name")})
    if len(name) > MAX_TAG_LENGTH or "," in name:
        raise InvalidInput(
            {
                field: Text(
                    "tags have at most %(count)s characters and no commas",
                    count=MAX_TAG_LENGTH,
                )
            }
        )
    return name


def create(session: Session, user_id: int, name: str) -> Tag:
    name = clean_name(name)
    if session.scalar(select(Tag.id).where(Tag.user_id == user_id, Tag.name == name)):
        raise InvalidInput({"name": NAME_TAKEN})
    tag = Tag(user_id=user_id, name=name)
    if not added(session, tag):  # the same name, saved a moment ago by another request
        raise InvalidInput({"name": NAME_TAKEN})
    return tag


def rename(session: Session, user_id: int, tag_id: int, name: str) -> Tag:
    tag = get(session, user_id, tag_id)
    name = clean_name(name)
    clash = session.scalar(select(Tag.id).where(Tag.user_id == user_id, Tag.name == name))
    if clash is not None and clash != tag_id:
        raise InvalidInput({"name": NAME_TAKEN})
    tag.name = name
    if not flushed(session):
        raise InvalidInput({"name": NAME_TAKEN})
    return tag


def delete(session: Session, user_id: int, tag_id: int) -> None:
    session.delete(get(session, user_id, tag_id))
    session.flush()


def resolve(session: Session, user_id: int, names: list[str]) -> list[Tag]:
    """Tags by name, creating the ones the user has not used before.

    Two requests using a new tag at once both end with the one tag: the insert skips a name
    another request has just added (waiting for it to commit), and the rows are read after. New
    names go in sorted order, so two requests adding the same new tags cannot deadlock."""
    wanted = list(dict.fromkeys(clean_name(n, "tags") for n in names if n and n.strip()))
    if not wanted:
        return []
    mine = select(Tag).where(Tag.user_id == user_id, Tag.name.in_(wanted))
    existing = {t.name: t for t in session.scalars(mine)}
    missing = sorted(set(wanted) - set(existing))
    if missing:
        session.flush()
        session.execute(
            insert_for(session, Tag)
            .values([{"user_id": user_id, "name": name} for name in missing])
            .on_conflict_do_nothing(index_elements=["user_id", "name"])
        )
        existing = {t.name: t for t in session.scalars(mine)}
    return [existing[name] for name in wanted]
