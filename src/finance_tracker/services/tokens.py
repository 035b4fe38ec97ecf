"""Personal API tokens: random, shown once, stored only as a SHA-256 hash, revocable."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from finance_tracker.services.errors import InvalidInput, NotFound
from finance_tracker.store.models import ApiToken, utcnow

TOKEN_PREFIX = "ft_"  # noqa: S105 - a public marker, not a secret
# Writing last_used_at on every request would turn each API read into a write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(session: Session, user_id: int, name: str) -> tuple[ApiToken, str]:
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise InvalidInput({"name": "give the token a name of at most 80 characters"})
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user_id, name=name, token_hash=_digest(plaintext), prefix=plaintext[:10]
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


def user_for(session: Session, plaintext: str) -> int | None:
    """The owner of a live token, or None; records when the token was last used."""
    if not plaintext.startswith(TOKEN_PREFIX):
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(plaintext)))
    if token is None or token.revoked_at is not None:
        return None
    now = utcnow()
    last = token.last_used_at
    if last is None or now - last > LAST_USED_RESOLUTION:
        token.last_used_at = now
    return token.user_id
