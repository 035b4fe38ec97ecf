"""Audit log of security events. Never a password, token or code: only what happened, to whom,
from where."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from finance_tracker.store.models import AuditEvent

LOGIN = "login"
LOGIN_FAILED = "login_failed"
LOGIN_LOCKED = "login_locked"
LOGOUT = "logout"
REGISTER = "register"
PASSWORD_CHANGED = "password_changed"  # noqa: S105 - an event name
PASSWORD_RESET_REQUESTED = "password_reset_requested"  # noqa: S105 - an event name
PASSWORD_RESET = "password_reset"  # noqa: S105 - an event name
TOKEN_CREATED = "token_created"  # noqa: S105 - an event name
TOKEN_REVOKED = "token_revoked"  # noqa: S105 - an event name
TWO_FACTOR_ENABLED = "2fa_enabled"
TWO_FACTOR_DISABLED = "2fa_disabled"
RECOVERY_CODE_USED = "recovery_code_used"
EXPORT = "export"  # a CSV export or a full backup, from the web or the API
RESTORE = "restore"  # a backup loaded into the account


def record(
    session: Session,
    event: str,
    user_id: int | None,
    *,
    ip: str | None = None,
    detail: str | None = None,
) -> AuditEvent:
    row = AuditEvent(
        user_id=user_id,
        event=event,
        ip=(ip or None) and ip[:45],
        detail=(detail or None) and detail[:255],
    )
    session.add(row)
    session.flush()
    return row


def recent(session: Session, user_id: int, limit: int = 20) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.user_id == user_id)
            .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
            .limit(limit)
        )
    )
