"""The floors the write-path benchmark compares us with, served by the same gunicorn settings.

- `hello`: bare Flask returning a small JSON object (the HTTP floor);
- `insert`: bare Flask + SQLAlchemy inserting one row and committing (the write floor), into a
  table of its own in the benchmark database (`FLOOR_DATABASE_URL`).
"""

from __future__ import annotations

import datetime as dt
import os

from flask import Flask, jsonify, request
from sqlalchemy import Date, Integer, String, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


class Base(DeclarativeBase):
    pass


class FloorRow(Base):
    __tablename__ = "floor_rows"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    date: Mapped[dt.date] = mapped_column(Date)
    amount_minor: Mapped[int] = mapped_column(Integer)
    payee: Mapped[str] = mapped_column(String(200))


hello = Flask("hello")


@hello.get("/hello")
def say_hello():  # type: ignore[no-untyped-def]
    return jsonify({"hello": "world", "n": 1})


insert = Flask("insert")
_engine = None


def _database():  # type: ignore[no-untyped-def]
    global _engine
    if _engine is None:
        _engine = create_engine(floor_url(), pool_size=5, max_overflow=5)
    return _engine


def floor_url() -> str:
    return os.environ["FLOOR_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://")


def create_table() -> None:
    """Before the workers start: two of them creating it at once would collide."""
    engine = create_engine(floor_url())
    Base.metadata.create_all(engine)
    engine.dispose()


@insert.post("/rows")
def add_row():  # type: ignore[no-untyped-def]
    body = request.get_json()
    with Session(_database()) as session:
        row = FloorRow(
            date=dt.date.fromisoformat(body["date"]),
            amount_minor=int(body["amount_minor"]),
            payee=body["payee"],
        )
        session.add(row)
        session.commit()
        return jsonify({"id": row.id}), 201
