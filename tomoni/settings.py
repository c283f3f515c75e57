"""Tomoni settings: one module, driven by the environment.

Development (the default) runs on an embedded SQLite file under ``var/``. Production sets
``TOMONI_ENV=production``, ``SECRET_KEY`` (or ``SECRET_KEY_FILE``), ``ALLOWED_HOSTS`` and
usually ``DATABASE_URL=postgres://…``. Nothing here reads the network.
"""

from __future__ import annotations

import json
import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
import django_stubs_ext
from csp.constants import NONE, SELF

# Lets runtime code write ModelAdmin[Model], QuerySet[Model] … as the type checker does.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent


def envstr(name: str, default: str = "") -> str:
    """A string from the environment, or from the file named by ``NAME_FILE`` (secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in envstr(name, default).split(",") if item.strip()]


# development (default) | demo (served like production, but on plain http) | production
TOMONI_ENV = envstr("TOMONI_ENV", "development")
PRODUCTION = TOMONI_ENV == "production"
SERVED = TOMONI_ENV in {"production", "demo"}
DEBUG = envbool("DEBUG", not SERVED)
# Behind TLS in production; the demo serves plain http on loopback and turns this off.
HTTPS = envbool("TOMONI_HTTPS", PRODUCTION)
VAR_DIR = Path(envstr("TOMONI_VAR_DIR", str(BASE_DIR / "var")))


def _secret_key() -> str:
    key = envstr("SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise RuntimeError("SECRET_KEY (or SECRET_KEY_FILE) must be set in production")
    # Development and tests: a random key kept under var/ so sessions survive restarts.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()


def _audit_key() -> str:
    """The audit chain's HMAC key (TOMONI_AUDIT_KEY or TOMONI_AUDIT_KEY_FILE): never in the
    database, so that rewriting events needs more than the database. Production must set it
    (sealing refuses to run without it); development, tests and the demo use a random key kept
    in var/audit_key, which protects nothing against whoever can read var/."""
    key = envstr("TOMONI_AUDIT_KEY")
    if key or PRODUCTION:
        return key
    path = VAR_DIR / "audit_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


TOMONI_AUDIT_KEY = _audit_key()
# Where `tomoni audit anchor` appends the signed head (one JSON line each run) and where
# `tomoni audit verify` reads the anchors back: in production a file on another machine or
# append-only mount (docs/operations.md §9).
TOMONI_AUDIT_ANCHOR_FILE = Path(
    envstr("TOMONI_AUDIT_ANCHOR_FILE", str(VAR_DIR / "audit-anchors.jsonl"))
)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "tomoni.directory",
    "tomoni.people",
    "tomoni.fulltext",
    "tomoni.intake",
    "tomoni.cases",
    "tomoni.meetings",
    "tomoni.notes",
    "tomoni.outreach",
    "tomoni.participation",
    "tomoni.community",
    "tomoni.stats",
    "tomoni.jiritsu",
    "tomoni.ecomap",
    "tomoni.attachments",
    "tomoni.printing",
    "tomoni.audit",
    "tomoni.access",
    "tomoni.web",
    "tomoni.accounts",
    "tomoni.backup",
    "tomoni.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.otp_device: the second factor this session was verified with, if any.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # After the password, the second factor (2段階認証) before any other page.
    "tomoni.accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tomoni.web.middleware.NoStoreMiddleware",
    # Last, so that lockouts see the authenticated user and the request.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tomoni.urls"
WSGI_APPLICATION = "tomoni.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "tomoni" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tomoni.web.context_processors.shell",
            ],
            "builtins": [
                "tomoni.web.templatetags.wareki",
                "template_partials.templatetags.partials",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------
DEFAULT_SQLITE = f"sqlite:///{VAR_DIR / 'tomoni.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(envstr("DATABASE_URL", DEFAULT_SQLITE))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside one writer; IMMEDIATE takes the write lock at BEGIN so two
    # writers queue instead of failing halfway (the audit chain relies on this ordering).
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            "PRAGMA busy_timeout=10000; PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = envint("CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # pg_trgm only sees Japanese characters under a UTF-8 LC_CTYPE; the test database is
    # created from template0 with that locale so tests see what production sees.
    DATABASES["default"]["TEST"] = {"TEMPLATE": "template0", "CHARSET": "UTF8"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and sessions ------------------------------------------------------------
AUTH_USER_MODEL = "directory.Staff"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # zxcvbn's estimate: repeats, keyboard rows and "Passw0rd"-style substitutions fail.
    {
        "NAME": "tomoni.accounts.passwords.StrengthValidator",
        "OPTIONS": {
            "min_score": envint("TOMONI_PASSWORD_MIN_SCORE", 4),
            "words": tuple(envlist("TOMONI_PASSWORD_WORDS", "")),
        },
    },
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Idle sessions end after 30 minutes: the cookie lives 30 minutes and every request renews it.
SESSION_COOKIE_AGE = envint("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Two-factor login (2段階認証): after the password, a code from an authenticator app, a passkey
# (生体認証 / security key) or a recovery code. Required of every account in production; elsewhere
# only of accounts that have set one up (tests sign personas in with force_login).
TOMONI_REQUIRE_2FA = envbool("TOMONI_REQUIRE_2FA", PRODUCTION)
# The name authenticator apps show beside the code, and the WebAuthn relying party's name.
TOMONI_2FA_ISSUER = envstr("TOMONI_2FA_ISSUER", "ともに")
# WebAuthn binds passkeys to a host name; empty means the host the request came to. Set both
# when the same server answers under several names.
TOMONI_WEBAUTHN_RP_ID = envstr("TOMONI_WEBAUTHN_RP_ID", "")
TOMONI_WEBAUTHN_ORIGINS = envlist("TOMONI_WEBAUTHN_ORIGINS", "")
TOMONI_RECOVERY_CODES = envint("TOMONI_RECOVERY_CODES", 10)
OTP_TOTP_ISSUER = TOMONI_2FA_ISSUER
# Wrong codes at the second step: waits of 1, 2, 4, 8 … seconds per device (django-otp).
OTP_TOTP_THROTTLE_FACTOR = 1

# Repeated failed logins, counted two ways within the cool-off window: five per account and
# address, and TOMONI_LOGIN_IP_FAILURE_LIMIT per address across all accounts (password
# spraying). A success clears that account's failures only (tomoni.accounts.throttle), so
# an office behind one NAT address is not locked by colleagues' typos followed by a success.
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5)
TOMONI_LOGIN_IP_FAILURE_LIMIT = envint("TOMONI_LOGIN_IP_FAILURE_LIMIT", 20)
AXES_COOLOFF_TIME = timedelta(minutes=envint("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "tomoni.accounts.throttle.AxesHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "tomoni.lib.client_ip.client_ip"
AXES_VERBOSE = False

# --- Security headers ------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", HTTPS)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
# The preload list is for public hostnames; a city's LGWAN host cannot be on it.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# Behind our own nginx: trust its X-Forwarded-Proto and the address it appends to
# X-Forwarded-For (tomoni.lib.client_ip), for HTTPS detection, audit and throttling.
TOMONI_BEHIND_PROXY = envbool("TOMONI_BEHIND_PROXY", False)
if TOMONI_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# /healthz is probed over plain http by load balancers and the demo checker.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# No inline script or style anywhere; everything is served by this server.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

# --- Language, time, static ---------------------------------------------------------
LANGUAGE_CODE = "ja"
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "tomoni" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Attachments (同意書, 診断書 …): outside the web root, served only by the attachment views
    # through the access policy. TOMONI_ATTACHMENT_STORAGE names another backend (for S3-
    # compatible object storage: "storages.backends.s3.S3Storage" from django-storages, with
    # its options as JSON in TOMONI_ATTACHMENT_STORAGE_OPTIONS; docs/operations.md).
    "attachments": {
        "BACKEND": envstr(
            "TOMONI_ATTACHMENT_STORAGE", "django.core.files.storage.FileSystemStorage"
        ),
        "OPTIONS": json.loads(envstr("TOMONI_ATTACHMENT_STORAGE_OPTIONS", "") or "null")
        or {
            "location": str(VAR_DIR / "attachments"),
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if SERVED
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Uploads: the size limit is checked while the file streams in (tomoni.attachments.uploads).
TOMONI_ATTACHMENT_MAX_BYTES = envint("TOMONI_ATTACHMENT_MAX_MB", 10) * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "tomoni.attachments.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_PERMISSIONS = 0o600

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- Tomoni ------------------------------------------------------------------------------
# How many business days an agency has to answer a referral (used by the intake issue).
TOMONI_REFERRAL_RESPONSE_DAYS = envint("TOMONI_REFERRAL_RESPONSE_DAYS", 2)
# How long a break-glass (緊急閲覧) grant lasts.
TOMONI_BREAK_GLASS_HOURS = envint("TOMONI_BREAK_GLASS_HOURS", 24)
# 支援会議・全体会 (第106条の6): pledged attendees read the meeting's snapshots and decisions for
# this many days after the meeting, then no longer (docs/operations.md).
TOMONI_MEETING_SHARE_DAYS = envint("TOMONI_MEETING_SHARE_DAYS", 30)
# 委託先: agencies (by code) whose staff work for the city under contract; their coordinators
# see what the contract needs, not the whole register (docs/operations.md). The demo city's
# 社協 is one.
TOMONI_CONTRACTOR_AGENCIES = envlist(
    "TOMONI_CONTRACTOR_AGENCIES", "shakyo" if TOMONI_ENV == "demo" else ""
)
# How long a person shown as an intake candidate may still be picked for the consultation.
TOMONI_CANDIDATE_MINUTES = envint("TOMONI_CANDIDATE_MINUTES", 30)
TOMONI_SEARCH_PAGE_SIZE = 50
# Dates of events (consultations, notes, meetings, plans, due dates) are accepted within this
# span of today; birth dates from 1900 (tomoni/lib/dateranges.py).
TOMONI_EVENT_YEARS_BACK = envint("TOMONI_EVENT_YEARS_BACK", 10)
TOMONI_EVENT_YEARS_AHEAD = envint("TOMONI_EVENT_YEARS_AHEAD", 2)

# 稲城市's five tendencies (DOMAIN.md §2): the city publishes no definitions, so each
# threshold is configurable; tomoni/cases/tendencies.py shows which rule fired.
TOMONI_TENDENCY_MEMBERS = envint("TOMONI_TENDENCY_MEMBERS", 2)  # ① members with concerns
TOMONI_TENDENCY_CONCERNS = envint("TOMONI_TENDENCY_CONCERNS", 3)  # ① or this many concerns
TOMONI_TENDENCY_DOMAINS = envint("TOMONI_TENDENCY_DOMAINS", 2)  # ① … spanning these domains
TOMONI_TENDENCY_WORKING_AGE = (18, 64)  # ② the main person's age when the case opens
TOMONI_TENDENCY_8050_CHILD_AGE = (40, 64)  # ③ the 「50」 side
TOMONI_TENDENCY_8050_PARENT_AGE = envint("TOMONI_TENDENCY_8050_PARENT_AGE", 75)  # ③ the 「80」
TOMONI_TENDENCY_MEETING_AGENCIES = envint("TOMONI_TENDENCY_MEETING_AGENCIES", 3)  # ⑤
# 生活困窮: the 福祉くらしの総合窓口 (agency "window") is the 自立相談支援機関, as in 稲城市
# (tomoni/directory/merged.py). Off: a separate 自立相談支援機関 (agency "jiritsu") does it.
TOMONI_WINDOW_IS_JIRITSU = envbool("TOMONI_WINDOW_IS_JIRITSU", True)
# Tasks due within this many days are listed by `tomoni remind`.
TOMONI_REMIND_DAYS = envint("TOMONI_REMIND_DAYS", 3)
# アウトリーチ: an engagement with no contact for this many days is flagged.
TOMONI_OUTREACH_QUIET_DAYS = envint("TOMONI_OUTREACH_QUIET_DAYS", 30)
# 統計: counts from 1 up to this − 1 show 「-」 in exports for anyone but coordinators.
TOMONI_STATS_SUPPRESS_BELOW = envint("TOMONI_STATS_SUPPRESS_BELOW", 3)
# 統計: the dashboard's figures are cached per 年度, viewer scope and day for this long.
TOMONI_STATS_CACHE_SECONDS = envint("TOMONI_STATS_CACHE_SECONDS", 600)
# 監査ログ: after an append commits, its process seals the chain at most this often (seconds;
# -1: never, leaving it to `tomoni audit seal` on a timer). Events whose transaction stayed
# open longer than the horizon are sealed by `tomoni audit verify` (docs/architecture.md §4).
TOMONI_AUDIT_SEAL_SECONDS = envint("TOMONI_AUDIT_SEAL_SECONDS", 5)
TOMONI_AUDIT_SEAL_HORIZON_SECONDS = envint("TOMONI_AUDIT_SEAL_HORIZON_SECONDS", 600)
# `tomoni backup` / `tomoni restore`: the AES-256-GCM key file (make one with
# `tomoni backup --new-key FILE`; keep a copy away from the backups, docs/operations.md §8).
TOMONI_BACKUP_KEY_FILE = envstr("TOMONI_BACKUP_KEY_FILE", "")
