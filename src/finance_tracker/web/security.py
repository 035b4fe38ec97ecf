"""Security headers on every response, and login rate limits.

The Content-Security-Policy is strict and nonce-free: scripts, styles, fonts and images come from
this origin only; there are no inline scripts, inline event handlers or style attributes in the
templates (JSON data blocks are `type="application/json"`, which a browser never runs). A
response that set its own policy (a receipt served with `sandbox`) keeps it.
"""

from __future__ import annotations

import time

from flask import Flask, Response, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}
HSTS = "max-age=31536000; includeSubDomains"

limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=False)


def install(app: Flask) -> None:
    settings = app.extensions["finance_tracker"].settings
    app.config.setdefault("RATELIMIT_ENABLED", settings.rate_limit_enabled)
    app.config.setdefault(
        "RATELIMIT_STORAGE_URI", settings.redis_url if settings.redis_url else "memory://"
    )
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "ft:ratelimit")
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)  # Redis down: log in anyway
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    limiter.init_app(app)
    idle = settings.session_idle_minutes * 60
    absolute = settings.session_absolute_hours * 3600
    app.config["PERMANENT_SESSION_LIFETIME"] = absolute

    @app.before_request
    def _session_timeouts():  # type: ignore[no-untyped-def]
        """A signed-in session ends after `idle` without a request, and `absolute` after login."""
        if request.path.startswith(("/static/", "/api/")) or "_user_id" not in session:
            return None
        now = int(time.time())
        auth_at = int(session.get("auth_at", 0))
        seen_at = int(session.get("seen_at", 0))
        if now - auth_at > absolute or now - seen_at > idle:
            session.clear()
            flash(_("Your session has ended; please log in again."), "info")
            if request.method == "GET":
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            return redirect(url_for("auth.login"))
        if now - seen_at >= 60:  # not a session write on every request
            session["seen_at"] = now
        return None

    @app.after_request
    def _security_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        # HSTS only over TLS (or behind a proxy in production that terminates it).
        if request.is_secure or settings.is_production:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response
