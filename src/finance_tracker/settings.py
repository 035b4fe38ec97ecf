"""Every setting, read once from the environment (12-factor).

`load_settings()` is the only place the environment is read. A bad value stops start-up with a
one-line reason (`SettingsError`), never a traceback. Not here: PROMETHEUS_MULTIPROC_DIR, which
prometheus_client reads itself (ops/metrics.py, ops/gunicorn.py and the worker only look whether
it is set, and the worker sets it when it is not).
"""

from __future__ import annotations

import secrets
from enum import StrEnum
from pathlib import Path
from typing import Annotated

from pydantic import Field, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Environment(StrEnum):
    development = "development"
    production = "production"


class Registration(StrEnum):
    """Who may create an account through the sign-up page."""

    first_user = "first-user"  # only while the server has no account yet (the laptop case)
    email = "email"  # anyone, after following a link sent to the address (needs SMTP_HOST)
    open = "open"  # anyone, at once, unverified: tells whether an address already has an account
    closed = "closed"  # nobody: `finance-tracker users create` only


class MailSecurity(StrEnum):
    starttls = "starttls"
    tls = "tls"
    none = "none"


class SettingsError(Exception):
    """A setting is missing or wrong; the message is one line a human can act on."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="", case_sensitive=False, extra="ignore", validate_by_name=True
    )

    env: Environment = Field(default=Environment.development, alias="FINANCE_TRACKER_ENV")
    data_dir: Path = Path("data")
    upload_dir: Path | None = None  # receipts and import files; default: DATA_DIR/uploads
    import_max_bytes: int = Field(default=50 * 1024 * 1024, ge=1024)
    # An import left unfinished this long expires: its bank file is removed (the hourly sweep).
    import_keep_hours: int = Field(default=24, ge=1, le=24 * 365)
    receipt_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    database_url: str = ""
    redis_url: str | None = None
    secret_key: str | None = None
    host: str = "127.0.0.1"
    port: int = Field(default=5000, ge=1, le=65535)
    log_level: str = "INFO"
    web_workers: int = Field(default=2, ge=1, le=64)
    auto_migrate: bool | None = None
    session_cookie_secure: bool | None = None
    # Default: `email` when mail is set up, else `first-user` (see Registration).
    registration: Registration | None = None
    # The address people reach the app at; links in emails are built on it, never on the Host
    # header of the request that caused them (a forged Host would send a reset link elsewhere).
    public_url: str | None = None
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_security: MailSecurity = MailSecurity.starttls
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_timeout_seconds: float = Field(default=10, gt=0, le=120)
    mail_from: str = "Finance Tracker <finance-tracker@localhost>"
    # Login throttling (Flask-Limiter: Redis when REDIS_URL, else process memory).
    rate_limit_enabled: bool = True
    login_failures_per_account: int = Field(default=5, ge=1)  # then locked for 15 minutes
    login_failures_per_ip: int = Field(default=30, ge=1)  # per 15 minutes
    registrations_per_ip: int = Field(default=20, ge=1)  # per hour
    session_idle_minutes: int = Field(default=60, ge=1)
    session_absolute_hours: int = Field(default=12, ge=1)
    api_max_body_bytes: int = Field(default=1_048_576, ge=1024)
    trusted_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Reverse proxies in front of the app (an ingress: 1). Their X-Forwarded-For/-Proto/-Host
    # are then believed, so per-IP limits see the client and HSTS sees TLS.
    proxy_hops: int = Field(default=0, ge=0, le=5)
    git_commit: str = "unknown"
    # Run scheduled jobs inside the web process; default: when there is no Redis (no worker).
    embedded_jobs: bool | None = None
    # The schedule of those jobs (and of the worker's): at start, then every this many seconds.
    jobs_interval_seconds: float = Field(default=3600, ge=1, le=7 * 24 * 3600, allow_inf_nan=False)
    # Fetch the ECB's reference rates with those jobs, for the people who ask for them on their
    # Exchange rates page. Off: the app needs no network; a person uploads the file instead.
    ecb_rates_fetch: bool = False
    ecb_rates_url: str = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip"
    # Under gunicorn, keep serving this long after SIGTERM with /readyz failing, then stop;
    # graceful_timeout grows by as much (ops/gunicorn.py). 0: Kubernetes' preStop sleep does it.
    drain_seconds: float = Field(default=0, ge=0, allow_inf_nan=False)
    # The worker's /metrics (`finance-tracker worker`); port 0: no metrics server.
    metrics_port: int = Field(default=9101, ge=0, le=65535)
    metrics_host: str = "0.0.0.0"  # noqa: S104 - scraped from outside the pod

    @field_validator("trusted_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        if isinstance(value, str):
            return [h.strip() for h in value.split(",") if h.strip()]
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not value:
            return value
        if value.startswith("postgres://"):
            value = "postgresql://" + value.removeprefix("postgres://")
        if value.startswith("postgresql://"):
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        if not value.startswith(("sqlite:///", "postgresql+psycopg://")):
            raise ValueError("must start with sqlite:/// or postgresql://")
        return value

    @field_validator("ecb_rates_url")
    @classmethod
    def _web_address(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError("must start with https:// or http://")
        return value

    @field_validator("redis_url")
    @classmethod
    def _known_redis(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value

    @field_validator("public_url")
    @classmethod
    def _absolute_url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(("http://", "https://")) or "?" in value or "#" in value:
            raise ValueError(
                "must be an absolute http:// or https:// address, e.g. https://money.example.com"
            )
        return value.rstrip("/")

    @field_validator("mail_from")
    @classmethod
    def _an_address(cls, value: str) -> str:
        if "@" not in value:
            raise ValueError("must be an email address, e.g. Finance Tracker <money@example.com>")
        return value.strip()

    @field_validator("smtp_host", "smtp_username", "smtp_password")
    @classmethod
    def _empty_is_unset(cls, value: str | None) -> str | None:
        return value or None

    @field_validator(
        "drain_seconds", "metrics_port", "metrics_host", "jobs_interval_seconds", mode="before"
    )
    @classmethod
    def _empty_is_default(cls, value: object, info: ValidationInfo) -> object:
        # An empty variable (`DRAIN_SECONDS=`, say from an empty compose substitution): the default.
        if isinstance(value, str) and not value.strip():
            return cls.model_fields[str(info.field_name)].default
        return value

    @model_validator(mode="after")
    def _mail_needs_its_parts(self) -> Settings:
        if self.registration is Registration.email and not self.smtp_host:
            raise ValueError(
                "REGISTRATION=email needs SMTP_HOST: the sign-up link is sent by email"
            )
        if self.smtp_host and not self.public_url:
            raise ValueError(
                "PUBLIC_URL is required with SMTP_HOST: links in emails are built on it"
            )
        return self

    @model_validator(mode="after")
    def _production_needs_a_secret(self) -> Settings:
        if self.is_production:
            if not self.secret_key:
                raise ValueError("SECRET_KEY is required when FINANCE_TRACKER_ENV=production")
            if len(self.secret_key) < 32:
                raise ValueError("SECRET_KEY must be at least 32 characters in production")
        return self

    @property
    def is_production(self) -> bool:
        return self.env is Environment.production

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'finance-tracker.db').resolve()}"

    @property
    def should_auto_migrate(self) -> bool:
        return (not self.is_production) if self.auto_migrate is None else self.auto_migrate

    @property
    def sends_mail(self) -> bool:
        return self.smtp_host is not None

    @property
    def registration_mode(self) -> Registration:
        if self.registration is not None:
            return self.registration
        return Registration.email if self.sends_mail else Registration.first_user

    @property
    def uploads(self) -> Path:
        return (self.upload_dir or self.data_dir / "uploads").resolve()

    @property
    def runs_embedded_jobs(self) -> bool:
        return self.redis_url is None if self.embedded_jobs is None else self.embedded_jobs

    @property
    def cookies_secure(self) -> bool:
        return (
            self.is_production if self.session_cookie_secure is None else self.session_cookie_secure
        )

    def effective_secret_key(self) -> str:
        """The configured key, or in development one generated once and kept in the data folder
        so that logins survive a restart."""
        if self.secret_key:
            return self.secret_key
        key_file = self.data_dir / "secret_key"
        if key_file.exists():
            return key_file.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        key_file.write_text(key)
        key_file.chmod(0o600)
        return key


def _one_line(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first.get("loc", ())).upper()
    message = first["msg"].removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


def load_settings(**overrides: object) -> Settings:
    """Read the environment once; `overrides` (tests, CLI flags) win over it."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        raise SettingsError(f"invalid setting: {_one_line(error)}") from None
