"""Personal API tokens: random, shown once, stored only as a SHA-256 hash, scoped read or
read-write, with an optional expiry, revocable, with the time they were last used."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from finance_tracker.domain.text import Text
from finance_tracker.services.errors import InvalidInput, NotFound
from finance_tracker.store.models import ApiToken, utcnow

TOKEN_PREFIX = "ft_"  # noqa: S105 - a public marker, not a secret
# Writing last_used_at on every request would turn each API read into a write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
READ = "read"
READ_WRITE = "read-write"
SCOPES = (READ, READ_WRITE)
# Choices offered for a token's lifetime, in days; None: never expires.
LIFETIMES = (7, 30, 90, 365, None)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(
    session: Session,
    user_id: int,
    name: str,
    scope: str = READ_WRITE,
    expires_in_days: int | None = None,
) -> tuple[ApiToken, str]:
    name = (name or "").strip()
    errors: dict[str, str] = {}
    if not name or len(name) > 80:
        errors["name"] = Text("give the token a name of at most 80 characters")
    if scope not in SCOPES:
        errors["scope"] = Text("choose read or read-write")
    if expires_in_days is not None and not 1 <= expires_in_days <= 3660:
        errors["expires_in_days"] = Text("choose between 1 and 3660 days, or never")
    if errors:
        raise InvalidInput(errors)
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires_at = utcnow() + dt.timedelta(days=expires_in_days) if expires_in_days else None
    token = ApiToken(
        user_id=user_id,
        name=name,
        token_hash=_digest(plaintext),
        prefix=plaintext[:10],
        scope=scope,
        expires_at=expires_at,
    )
    session.add(token)
    session.flush()
    return token, plaintext


def list_all(session: Session, user_id: int) -> list[ApiToken]:
    return list(
        session.scalars(
            select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.created_at.desc())
        )
    )


def revoke(session: Session, user_id: int, token_id: int) -> None:
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user_id:
        raise NotFound("token")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    session.flush()


def is_expired(token: ApiToken, now: dt.datetime | None = None) -> bool:
    return token.expires_at is not None and token.expires_at <= (now or utcnow())


def find(session: Session, plaintext: str) -> ApiToken | None:
    """A live token (not revoked, not expired), or None. Only reads: see `touch`."""
    if not plaintext.startswith(TOKEN_PREFIX):
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(plaintext)))
    if token is None or token.revoked_at is not None or is_expired(token):
        return None
    return token


def needs_touch(token: ApiToken, now: dt.datetime | None = None) -> bool:
    last = token.last_used_at
    return last is None or (now or utcnow()) - last > LAST_USED_RESOLUTION


def touch(session: Session, token_id: int, now: dt.datetime | None = None) -> None:
    """Record that the token was used, in a unit of work of its own: conditional, so requests
    arriving together write it once, and short, so no request waits on the token's row."""
    now = now or utcnow()
    session.execute(
        update(ApiToken)
        .where(
            ApiToken.id == token_id,
            or_(
                ApiToken.last_used_at.is_(None),
                ApiToken.last_used_at < now - LAST_USED_RESOLUTION,
            ),
        )
        .values(last_used_at=now)
    )
