"""The links we email: finish signing up, reset a password.

A link carries a signed, timed token (itsdangerous) and no secret of the user's: the sign-up
token holds only the address; the reset token holds the user id, a fingerprint of the current
password hash and the id of the newest reset link (`User.reset_link_id`). So a reset link stops
working the moment the password changes (used once, changed in Settings or by the administrator)
and the moment a newer reset link is asked for: only the newest one works.
"""

from __future__ import annotations

import hmac
import secrets

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from finance_tracker.services import users
from finance_tracker.store.models import User

SIGN_UP_HOURS = 24
RESET_MINUTES = 60


def _serializer(secret_key: str, purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=f"finance-tracker {purpose}")


def sign_up_token(secret_key: str, email: str) -> str:
    return _serializer(secret_key, "sign-up").dumps({"email": users.normalise_email(email)})


def email_of_sign_up(secret_key: str, token: str) -> str | None:
    """The address a sign-up link was sent to, or None when the link is forged or too old."""
    try:
        data = _serializer(secret_key, "sign-up").loads(token, max_age=SIGN_UP_HOURS * 3600)
    except BadSignature:  # SignatureExpired is a BadSignature
        return None
    email = data.get("email") if isinstance(data, dict) else None
    return email if isinstance(email, str) else None


def new_reset_token(secret_key: str, user: User) -> str:
    """A token for a new reset link. It replaces the user's earlier ones (they stop working): the
    caller commits the change to `user` before mailing the link."""
    user.reset_link_id = secrets.token_urlsafe(16)
    return _serializer(secret_key, "password-reset").dumps(
        {
            "user": user.id,
            "password": users.credentials_fingerprint(user),
            "link": user.reset_link_id,
        }
    )


def revoke_reset_links(user: User) -> None:
    """No reset link of this user works any more (one was used)."""
    user.reset_link_id = None


def user_of_reset(session: Session, secret_key: str, token: str) -> User | None:
    """The user a reset link is for, or None when it is forged, too old, already used, or
    replaced by a newer link."""
    try:
        data = _serializer(secret_key, "password-reset").loads(token, max_age=RESET_MINUTES * 60)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("user"), int):
        return None
    link = data.get("link")
    user = users.get(session, data["user"])
    if (
        user is None
        or data.get("password") != users.credentials_fingerprint(user)
        or not isinstance(link, str)
        or user.reset_link_id is None
        or not hmac.compare_digest(link, user.reset_link_id)
    ):
        return None
    return user
