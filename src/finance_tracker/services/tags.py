"""Free-form tags on transactions."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from finance_tracker.domain.categories import DEFAULT_TAGS
from finance_tracker.services.errors import InvalidInput, NotFound
from finance_tracker.store.models import Tag

MAX_TAG_LENGTH = 40


def create_defaults(session: Session, user_id: int) -> None:
    session.add_all(Tag(user_id=user_id, name=name) for name in DEFAULT_TAGS)
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
        raise InvalidInput({field: "enter a tag name"})
    if len(name) > MAX_TAG_LENGTH or "," in name:
        raise InvalidInput({field: f"tags have at most {MAX_TAG_LENGTH} characters and no commas"})
    return name


def create(session: Session, user_id: int, name: str) -> Tag:
    name = clean_name(name)
    if session.scalar(select(Tag.id).where(Tag.user_id == user_id, Tag.name == name)):
        raise InvalidInput({"name": "this tag already exists"})
    tag = Tag(user_id=user_id, name=name)
    session.add(tag)
    session.flush()
    return tag


def rename(session: Session, user_id: int, tag_id: int, name: str) -> Tag:
    tag = get(session, user_id, tag_id)
    name = clean_name(name)
    clash = session.scalar(select(Tag.id).where(Tag.user_id == user_id, Tag.name == name))
    if clash is not None and clash != tag_id:
        raise InvalidInput({"name": "this tag already exists"})
    tag.name = name
    session.flush()
    return tag


def delete(session: Session, user_id: int, tag_id: int) -> None:
    session.delete(get(session, user_id, tag_id))
    session.flush()


def resolve(session: Session, user_id: int, names: list[str]) -> list[Tag]:
    """Tags by name, creating the ones the user has not used before."""
    wanted = list(dict.fromkeys(clean_name(n, "tags") for n in names if n and n.strip()))
    if not wanted:
        return []
    existing = {
        t.name: t
        for t in session.scalars(select(Tag).where(Tag.user_id == user_id, Tag.name.in_(wanted)))
    }
    for name in wanted:
        if name not in existing:
            existing[name] = Tag(user_id=user_id, name=name)
            session.add(existing[name])
    session.flush()
    return [existing[name] for name in wanted]
