"""Configuration classes, read from environment variables.

`APP_ENV` picks the class (`development` by default, `testing`,
`production`). Production refuses to start without its secrets rather than
fall back to a development value.
"""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", BASE_DIR / "instance"))


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise RuntimeError(f"{name} must be a whole number, got {raw!r}") from None


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _refresher_years(default: int) -> dict[str, int]:
    return {model: _env_int(f"REFRESHER_YEARS_{model}", default) for model in ("JEM", "TFM", "WSO")}


def normalize_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain `postgres://` and `postgresql://` URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _development_secret_key() -> str:
    """Return a per-checkout secret kept in instance/, so all workers share it."""
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip()


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "base"
    SECRET_KEY: str | None = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = normalize_database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'lms.sqlite3'}")
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SQLITE_BUSY_TIMEOUT_MS = _env_int("SQLITE_BUSY_TIMEOUT_MS", 10_000)

    # Sessions and cookies (NIST SP 800-53 AC-12: idle sessions end).
    IDLE_TIMEOUT = timedelta(minutes=_env_int("IDLE_TIMEOUT_MINUTES", 15))
    SESSION_COOKIE_NAME = "lms_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)

    # Sign-in lockout (NIST SP 800-53 AC-7).
    LOCKOUT_THRESHOLD = _env_int("LOCKOUT_THRESHOLD", 5)
    LOCKOUT_WINDOW = timedelta(minutes=_env_int("LOCKOUT_WINDOW_MINUTES", 15))
    LOCKOUT_DURATION = timedelta(minutes=_env_int("LOCKOUT_DURATION_MINUTES", 15))

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    MAX_CONTENT_LENGTH = _env_int("MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    CONTENT_DIR = Path(os.environ.get("CONTENT_DIR", BASE_DIR / "content"))
    DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "demo-287g-training")

    # Signing keys (see README "Certificates and signing keys").
    KEYS_DIR = Path(os.environ.get("KEYS_DIR", INSTANCE_DIR / "keys"))
    TRUST_ROOT_PATH = os.environ.get("TRUST_ROOT_PATH")
    SIGNING_CERT_PATH = os.environ.get("SIGNING_CERT_PATH")
    SIGNING_KEY_PATH = os.environ.get("SIGNING_KEY_PATH")
    SIGNING_PKCS12_PATH = os.environ.get("SIGNING_PKCS12_PATH")
    SIGNING_KEY_PASSPHRASE = os.environ.get("SIGNING_KEY_PASSPHRASE")
    ISSUING_OFFICIAL_NAME = os.environ.get("ISSUING_OFFICIAL_NAME", "Director, 287(g) Training Program")
    ISSUING_OFFICIAL_TITLE = os.environ.get("ISSUING_OFFICIAL_TITLE", "FLETC Charleston, South Carolina")
    # Years between refreshers, per program model (the domain notes some sources say annual).
    REFRESHER_YEARS_DEFAULT = _env_int("REFRESHER_YEARS", 2)
    REFRESHER_YEARS = _refresher_years(REFRESHER_YEARS_DEFAULT)
    AUTHORIZATION_YEARS = _env_int("AUTHORIZATION_YEARS", 1)
    # Notices by email (README "Notices"): the SMTP relay and the outbox's crash recovery.
    SMTP_HOST = os.environ.get("SMTP_HOST", "localhost")
    SMTP_PORT = _env_int("SMTP_PORT", 25)
    SMTP_STARTTLS = _env_bool("SMTP_STARTTLS", False)
    SMTP_SSL = _env_bool("SMTP_SSL", False)
    SMTP_USERNAME = os.environ.get("SMTP_USERNAME")
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD")
    NOTICE_FROM = os.environ.get("NOTICE_FROM", "287g-training@localhost")
    NOTICE_STALE_MINUTES = _env_int("NOTICE_STALE_MINUTES", 15)
    # Rate limits, counted in the database so every process shares them (app/ratelimit/):
    # "<count>/<period>" per fixed window. Sign-in counts failed attempts per client address
    # (a classroom behind one address signing in is never refused), the public verify pages
    # count every request per address, the API per token (per address without one).
    RATELIMIT_ENABLED = _env_bool("RATELIMIT_ENABLED", True)
    RATELIMIT_LOGIN = os.environ.get("RATELIMIT_LOGIN", "20/minute")
    RATELIMIT_VERIFY = os.environ.get("RATELIMIT_VERIFY", "120/minute")
    RATELIMIT_API = os.environ.get("RATELIMIT_API", "600/minute")
    RATELIMIT_PURGE_PROBABILITY = 0.01  # share of hits that also delete their rule's ended windows
    # The client address: behind N reverse proxies that set X-Forwarded-For and
    # X-Forwarded-Proto, set this to N (werkzeug's ProxyFix); 0 trusts no header.
    PROXY_FIX_X_FOR = _env_int("PROXY_FIX_X_FOR", 0)
    # The oversight dashboard's figures are kept this long per process (app/oversight/figures.py).
    DASHBOARD_CACHE_SECONDS = _env_int("DASHBOARD_CACHE_SECONDS", 300)
    DEMO_ALLOWED = True
    REQUIRED_SETTINGS: tuple[str, ...] = ()

    @classmethod
    def validate(cls) -> None:
        """Refuse to start when a required setting is missing."""
        if cls.ENV_NAME == "development" and not cls.SECRET_KEY:
            cls.SECRET_KEY = _development_secret_key()
        missing = [name for name in cls.REQUIRED_SETTINGS if not os.environ.get(name)]
        if missing:
            raise RuntimeError(
                f"{cls.ENV_NAME} configuration is missing required environment "
                f"variable(s): {', '.join(missing)}. Set them and start again."
            )


class DevelopmentConfig(Config):
    """Local use with `make run`: SQLite in instance/, plain HTTP on loopback."""

    ENV_NAME = "development"
    # Served over plain HTTP on 127.0.0.1; production keeps Secure cookies.
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE


class TestingConfig(Config):
    """The test suite: its own database, never the developer's."""

    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret-key-not-for-production"
    SQLALCHEMY_DATABASE_URI = normalize_database_url(
        os.environ.get("DATABASE_URL", "sqlite:///:memory:")
    )
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    DEMO_PASSWORD = "demo-287g-training"
    # Limits stay on, but high enough that no test trips them by accident; the
    # rate-limit tests set their own (the environment overrides these too).
    RATELIMIT_LOGIN = os.environ.get("RATELIMIT_LOGIN", "1000/minute")
    RATELIMIT_VERIFY = os.environ.get("RATELIMIT_VERIFY", "10000/minute")
    RATELIMIT_API = os.environ.get("RATELIMIT_API", "10000/minute")
    # Each test sees its own changes on the dashboard at once.
    DASHBOARD_CACHE_SECONDS = 0


class ProductionConfig(Config):
    """Behind TLS, on PostgreSQL; no demo data, no fallback secrets."""

    ENV_NAME = "production"
    REQUIRED_SETTINGS = ("SECRET_KEY", "DATABASE_URL")
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    DEMO_ALLOWED = False


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[Config]:
    """Return the configuration class that APP_ENV names."""
    name = os.environ.get("APP_ENV", "development").strip().lower()
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(
            f"APP_ENV={name!r} is not one of {', '.join(sorted(CONFIGS))}"
        ) from None
