"""Optional TOTP two-factor auth (RFC 6238 via pyotp) with single-use recovery codes.

Turning it on is two steps: `start` makes a secret the person adds to an authenticator app;
`confirm` checks a first code from it and only then stores the secret, returning recovery codes
(shown once, stored as argon2 hashes).
"""

from __future__ import annotations

import secrets

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from finance_tracker.domain.text import Text
from finance_tracker.services.errors import InvalidInput
from finance_tracker.store.models import User, utcnow

ISSUER = "Finance Tracker"
RECOVERY_CODES = 10
# Recovery codes are random (60 bits): cheaper hashing than passwords is enough.
_hasher = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)


def enabled(user: User) -> bool:
    return bool(user.totp_secret and user.totp_enabled_at)


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def _code_ok(secret: str, code: str) -> bool:
    code = "".join(code.split())
    return len(code) == 6 and code.isdigit() and pyotp.TOTP(secret).verify(code, valid_window=1)


def _normalise_recovery(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def confirm(session: Session, user: User, secret: str, code: str) -> list[str]:
    """Turn 2FA on if `code` matches `secret`; the plaintext recovery codes, shown once."""
    if enabled(user):
        raise InvalidInput({"code": Text("two-factor authentication is already on")})
    if not secret or not _code_ok(secret, code or ""):
        raise InvalidInput({"code": Text("that code is wrong; check the time on your phone")})
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODES)]
    user.totp_secret = secret
    user.totp_enabled_at = utcnow()
    user.recovery_codes = "\n".join(_hasher.hash(c) for c in codes)
    session.flush()
    return [f"{c[:5]}-{c[5:]}" for c in codes]


def disable(session: Session, user: User, code: str) -> None:
    if not enabled(user):
        return
    if verify(session, user, code) is None:
        raise InvalidInput({"code": Text("that code is wrong")})
    user.totp_secret = None
    user.totp_enabled_at = None
    user.recovery_codes = None
    session.flush()


def verify(session: Session, user: User, code: str) -> str | None:
    """ "totp" or "recovery" when the code is right (a recovery code is used up), else None."""
    if not enabled(user):
        return None
    if _code_ok(user.totp_secret or "", code):
        return "totp"
    wanted = _normalise_recovery(code)
    if len(wanted) != 10:
        return None
    hashes = (user.recovery_codes or "").splitlines()
    for stored in hashes:
        try:
            _hasher.verify(stored, wanted)
        except (VerificationError, InvalidHashError):
            continue
        hashes.remove(stored)
        user.recovery_codes = "\n".join(hashes)
        session.flush()
        return "recovery"
    return None


def recovery_codes_left(user: User) -> int:
    return len((user.recovery_codes or "").splitlines())
