"""Django settings for Gonghui.

Two modes, chosen by ``GONGHUI_MODE``:
- ``trial`` (the default, used by ``make run``): SQLite under var/, a secret key and a data key
  generated into var/ on first use, the log SMS backend, demo data allowed.
- ``production``: every secret comes from the environment; demo data and the log SMS backend
  are refused (see docs/deploy.md).
"""

import base64
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("GONGHUI_VAR_DIR", BASE_DIR / "var"))

GONGHUI_MODE = os.environ.get("GONGHUI_MODE", "trial")
if GONGHUI_MODE not in {"trial", "production", "test"}:
    raise ImproperlyConfigured("GONGHUI_MODE must be trial, production or test")
TRIAL_MODE = GONGHUI_MODE == "trial"
PRODUCTION = GONGHUI_MODE == "production"


def _secret(env_name: str, file_name: str, make) -> str:
    """A secret from the environment; in trial mode generated once into var/."""
    value = os.environ.get(env_name)
    if value:
        return value
    if PRODUCTION:
        raise ImproperlyConfigured(f"{env_name} must be set in production")
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / file_name
    if not path.exists():
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret("GONGHUI_SECRET_KEY", "secret_key", lambda: secrets.token_urlsafe(50))
# Key for personal data (ID numbers): encryption and keyed look-up hashes are derived from it.
GONGHUI_DATA_KEY = _secret(
    "GONGHUI_DATA_KEY", "data_key", lambda: base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
)

DEBUG = os.environ.get("GONGHUI_DEBUG", "0") == "1"
ALLOWED_HOSTS = os.environ.get("GONGHUI_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("GONGHUI_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "gonghui.core",
    "gonghui.orgs",
    "gonghui.accounts",
    "gonghui.members",
    "gonghui.ledger",
    "gonghui.audit",
    "gonghui.notifications",
    "gonghui.workflow",
    "gonghui.requests",
    "gonghui.enterprise",
    "gonghui.hardship",
    "gonghui.kb",
    "gonghui.legal",
    "gonghui.enrolment",
    "gonghui.activities",
    "gonghui.courses",
    "gonghui.console",
    "gonghui.portal",
    "gonghui.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "gonghui.core.middleware.ApiMethodNotAllowedMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "gonghui.audit.middleware.AuditContextMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gonghui.urls"
WSGI_APPLICATION = "gonghui.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gonghui.core.context_processors.shell",
            ],
        },
    }
]

DEFAULT_SQLITE = f"sqlite:///{VAR_DIR / 'gonghui.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", DEFAULT_SQLITE))}
# Persistent connections: opening one per request costs more than a simple page.
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("GONGHUI_CONN_MAX_AGE", "600"))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend with a health check that needs no round trip and prepared statements for the
    # few reads composed once (gonghui/core/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "gonghui.core.postgresql"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside one writer; IMMEDIATE makes writers queue for the lock at
    # BEGIN instead of failing with "database is locked" when they upgrade later.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "gonghui.accounts.backends.ModelBackend",  # Django's, reading the signed-in user faster
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:staff_login"
LOGIN_REDIRECT_URL = "console:home"

# django-axes: lock a username+IP pair after 5 failures for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "gonghui.accounts.views.locked_out"
AXES_RESET_ON_SUCCESS = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "gonghui" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SESSION_ENGINE = "gonghui.accounts.session_store"  # Django's db engine, reading the session faster
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
SESSION_COOKIE_SECURE = PRODUCTION and os.environ.get("GONGHUI_INSECURE_COOKIES") != "1"
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_FAILURE_VIEW = "gonghui.core.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"

TASKS = {
    "default": {
        "BACKEND": os.environ.get("GONGHUI_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# SMS: the log backend writes codes to the server log (trial only).
GONGHUI_SMS_BACKEND = os.environ.get("GONGHUI_SMS_BACKEND", "gonghui.accounts.sms.LogBackend")
if PRODUCTION and GONGHUI_SMS_BACKEND.endswith(".LogBackend"):
    raise ImproperlyConfigured("GONGHUI_SMS_BACKEND must name a real SMS gateway backend in production")
# E-mail notifications: the console backend (the server log) unless the environment names one.
EMAIL_BACKEND = os.environ.get("GONGHUI_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("GONGHUI_DEFAULT_FROM_EMAIL", "网上工会 <noreply@gonghui.localhost>")
LOGIN_CODE_TTL_SECONDS = 300
LOGIN_CODE_RESEND_SECONDS = 60
LOGIN_CODE_DAILY_LIMIT = 10
LOGIN_CODE_MAX_ATTEMPTS = 5
# Files attached to cases (requests, applications): the limit and where they are kept.
GONGHUI_ATTACHMENT_MAX_BYTES = int(os.environ.get("GONGHUI_ATTACHMENT_MAX_MB", "20")) * 1024 * 1024
# Member roster import (docs/members-import.md): the largest upload, files checked inline (larger
# ones run as a task), rows per committed chunk, worker processes (0: one per CPU but one).
GONGHUI_IMPORT_MAX_BYTES = int(os.environ.get("GONGHUI_IMPORT_MAX_MB", "150")) * 1024 * 1024
GONGHUI_IMPORT_INLINE_BYTES = int(os.environ.get("GONGHUI_IMPORT_INLINE_KB", "256")) * 1024
GONGHUI_IMPORT_CHUNK_ROWS = int(os.environ.get("GONGHUI_IMPORT_CHUNK_ROWS", "20000"))
GONGHUI_IMPORT_PROCESSES = int(os.environ.get("GONGHUI_IMPORT_PROCESSES", "0"))
GONGHUI_IMPORT_SQLITE_CACHE_MB = int(os.environ.get("GONGHUI_IMPORT_SQLITE_CACHE_MB", "32"))
# .xlsx: python-calamine (fast, holds the sheet in memory) unless the sheet's XML is larger than this.
GONGHUI_IMPORT_CALAMINE_MAX_MB = int(os.environ.get("GONGHUI_IMPORT_CALAMINE_MAX_MB", "640"))
API_TOKEN_DAYS = int(os.environ.get("GONGHUI_API_TOKEN_DAYS", "30"))
# Join applications (入会申请): working days the union has to decide before the parent union is alerted.
GONGHUI_JOIN_DAYS = int(os.environ.get("GONGHUI_JOIN_DAYS", "15"))
# The e-card's QR code holds an absolute link to the verification page: the public base URL behind
# a proxy (e.g. https://gh.example.org); empty: the host of the request that drew the card.
GONGHUI_PUBLIC_URL = os.environ.get("GONGHUI_PUBLIC_URL", "")
GONGHUI_PHOTO_MAX_BYTES = int(os.environ.get("GONGHUI_PHOTO_MAX_MB", "5")) * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "gonghui": {"handlers": ["console"], "level": "INFO"},
        "django": {"handlers": ["console"], "level": "WARNING"},
    },
}
