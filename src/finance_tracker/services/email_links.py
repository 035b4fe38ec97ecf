"""The links we email: finish signing up, reset a password.

A link carries a signed, timed token (itsdangerous) and no secret of the user's: the sign-up
token holds only the address; the reset token holds the user id and a fingerprint of the current
password hash, so it stops working the moment the password changes (used once, or superseded).
"""

from __future__ import annotations

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


def reset_token(secret_key: str, user: User) -> str:
    return _serializer(secret_key, "password-reset").dumps(
        {"user": user.id, "password": users.credentials_fingerprint(user)}
    )


def user_of_reset(session: Session, secret_key: str, token: str) -> User | None:
    """The user a reset link is for, or None when it is forged, too old, or already used."""
    try:
        data = _serializer(secret_key, "password-reset").loads(token, max_age=RESET_MINUTES * 60)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("user"), int):
        return None
    user = users.get(session, data["user"])
    if user is None or data.get("password") != users.credentials_fingerprint(user):
        return None
    return user
