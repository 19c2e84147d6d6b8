"""CityGate settings, read from the environment.

Every value a deployment changes comes from an environment variable; the defaults give a
development server on an embedded SQLite database. See docs/deployment.md for production.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CITYGATE_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


DEBUG = env_bool("CITYGATE_DEBUG", default=False)
TESTING = env_bool("CITYGATE_TESTING", default=False)

# A development key is only accepted while DEBUG or TESTING is on; the system check
# `citygate.E001` refuses to start a production server with it.
DEVELOPMENT_SECRET_KEY = "development-only-secret-key-not-for-production-use-0000000000"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG or TESTING else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "citygate.core",
    "citygate.privacy",
    "citygate.directory",
    "citygate.accounts",
    "citygate.workdays",
    "citygate.inbox",
    "citygate.catalog",
    "citygate.halls",
    "citygate.applications",
    "citygate.news",
    "citygate.feed",
    "citygate.campaigns",
    "citygate.shell",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "citygate.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "citygate.core.middleware.RequestContextMiddleware",
    "citygate.core.middleware.ApiBodyGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "citygate.shell.middleware.PreferenceMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Residents with pending required consents are sent to /privacy/consent/ first.
    "citygate.privacy.middleware.ConsentGateMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "citygate.urls"
WSGI_APPLICATION = "citygate.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "citygate" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "citygate.shell.context_processors.shell",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------

DEFAULT_DATABASE_URL = f"sqlite:///{VAR_DIR / 'citygate.sqlite3'}"
DATABASES: dict[str, dict[str, Any]] = {
    "default": dict(dj_database_url.parse(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))),
}
_db = DATABASES["default"]
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work beside the single writer; IMMEDIATE takes the write lock at the
    # start of a transaction so two writers queue instead of failing half-way.
    _db["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
        " PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
    }
elif _db["ENGINE"] == "django.db.backends.postgresql":
    # Django's pool keeps a few connections per process; CONN_MAX_AGE must stay 0 with it.
    _db["CONN_MAX_AGE"] = 0
    _db["OPTIONS"] = {"pool": {"min_size": 1, "max_size": int(os.environ.get("DB_POOL", "8"))}}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "accounts:login"

# --- Cache, sessions, tasks -------------------------------------------------------------------

REDIS_URL = os.environ.get("REDIS_URL", "")
# "pages" holds whole rendered public pages (core/pagecache.py), apart from the small entries
# of "default" so that neither crowds the other out.
if REDIS_URL:
    _redis = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    CACHES: dict[str, dict[str, Any]] = {
        "default": _redis,
        "pages": {**_redis, "KEY_PREFIX": "pages"},
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    # The local-memory cache only ever holds what can be recomputed; nothing that must be
    # shared between servers (rate limits, sessions, codes) lives in it.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        },
        "pages": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "pages",
            # A guide page is 20-40 KB: at most about 100 MB per process.
            "OPTIONS": {"MAX_ENTRIES": 3000},
        },
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if TESTING
            else "django_tasks_db.DatabaseBackend"
        ),
    }
}

# --- Internationalisation ---------------------------------------------------------------------

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "citygate" / "locale"]
LANGUAGE_COOKIE_NAME = "citygate_lang"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# The workbench's covering index (applications.Application, app_queue_counts) includes columns
# that PostgreSQL reads without touching the table; SQLite, the embedded default, keeps the
# index without them, which is all it needs at its size.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# --- Static files -----------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "citygate" / "static"]
# Uploaded materials of applications. Never served by the web server: the applications app
# hands each file to its owner and the handling department's clerks only. Production may keep
# them in S3-compatible object storage (CITYGATE_MEDIA_STORAGE=s3, with django-storages
# installed and its AWS_* settings in the environment: AWS_STORAGE_BUCKET_NAME,
# AWS_S3_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY).
# Working days a department has to follow up a poor rating (差评整改).
CITYGATE_FOLLOW_UP_DAYS = int(os.environ.get("CITYGATE_FOLLOW_UP_DAYS", "15"))

MEDIA_ROOT = Path(os.environ.get("CITYGATE_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media-not-served/"
_MEDIA_BACKENDS = {
    "filesystem": "django.core.files.storage.FileSystemStorage",
    "s3": "storages.backends.s3.S3Storage",
}
_media_storage = os.environ.get("CITYGATE_MEDIA_STORAGE", "filesystem")
if _media_storage not in _MEDIA_BACKENDS:
    raise ImproperlyConfigured("CITYGATE_MEDIA_STORAGE must be filesystem or s3")
STORAGES = {
    "default": {"BACKEND": _MEDIA_BACKENDS[_media_storage]},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING

# --- Request limits ---------------------------------------------------------------------------

DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
# The catalogue's item editor posts up to about 500 fields (40 materials of 8 fields each).
DATA_UPLOAD_MAX_NUMBER_FIELDS = 600

# --- Security ---------------------------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "citygate.core.views.csrf_failure"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

if not DEBUG and not TESTING:
    # Behind a TLS-terminating load balancer that sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True

# --- Personal-data protection -----------------------------------------------------------------

# `aes`: AES-256-GCM and HMAC-SHA256. `sm`: SM4-GCM and HMAC-SM3 (GB/T 32907, GB/T 32905).
CITYGATE_CRYPTO = os.environ.get("CITYGATE_CRYPTO", "aes").strip().lower()
# Comma-separated `key_id:base64(32 bytes)`; the last entry encrypts, every entry decrypts.
CITYGATE_DATA_KEYS = os.environ.get("CITYGATE_DATA_KEYS", "")
# base64(32 bytes); keys the blind indexes used for exact lookups of encrypted values.
CITYGATE_INDEX_KEY = os.environ.get("CITYGATE_INDEX_KEY", "")
# Hash of client addresses for rate limits and logs, so raw addresses are never stored.
CITYGATE_ADDRESS_SALT = os.environ.get("CITYGATE_ADDRESS_SALT", "")

# --- Outside services, each behind an interface with a development backend --------------------

CITYGATE_SMS_BACKEND = os.environ.get(
    "CITYGATE_SMS_BACKEND", "citygate.accounts.sms.OutboxSmsGateway"
)
CITYGATE_IDENTITY_VERIFIER = os.environ.get(
    "CITYGATE_IDENTITY_VERIFIER", "citygate.accounts.identity.DevelopmentIdentityVerifier"
)
CITYGATE_ENTERPRISE_VERIFIER = os.environ.get(
    "CITYGATE_ENTERPRISE_VERIFIER", "citygate.accounts.identity.DevelopmentEnterpriseVerifier"
)
# Endpoint and bearer token of each production adapter (the Http... backends).
CITYGATE_SMS_URL = os.environ.get("CITYGATE_SMS_URL", "")
CITYGATE_SMS_TOKEN = os.environ.get("CITYGATE_SMS_TOKEN", "")
CITYGATE_IDENTITY_URL = os.environ.get("CITYGATE_IDENTITY_URL", "")
CITYGATE_IDENTITY_TOKEN = os.environ.get("CITYGATE_IDENTITY_TOKEN", "")
CITYGATE_ENTERPRISE_URL = os.environ.get("CITYGATE_ENTERPRISE_URL", "")
CITYGATE_ENTERPRISE_TOKEN = os.environ.get("CITYGATE_ENTERPRISE_TOKEN", "")
# Web Push to the installed app (citygate/inbox/webpush.py): the development backend keeps
# each push in a table; `VapidWebPushBackend` sends it. The VAPID private key is the P-256
# scalar in base64url; the subject is how a push service reaches the operator.
CITYGATE_WEB_PUSH_BACKEND = os.environ.get(
    "CITYGATE_WEB_PUSH_BACKEND", "citygate.inbox.channels.OutboxWebPushBackend"
)
CITYGATE_VAPID_PRIVATE_KEY = os.environ.get("CITYGATE_VAPID_PRIVATE_KEY", "")
CITYGATE_VAPID_SUBJECT = os.environ.get("CITYGATE_VAPID_SUBJECT", "mailto:12345@citygate.invalid")
# The site's own address, for the links in text messages ("https://app.example.cn").
CITYGATE_PUBLIC_URL = os.environ.get(
    "CITYGATE_PUBLIC_URL", "http://127.0.0.1:8000" if DEBUG or TESTING else ""
).rstrip("/")

# --- Logging ----------------------------------------------------------------------------------

LOGGING_CONFIG = None
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOG_FORMAT = os.environ.get("LOG_FORMAT", "console" if DEBUG else "json")

from citygate.core.logging import configure_logging  # noqa: E402

configure_logging(level=LOG_LEVEL, fmt=LOG_FORMAT)
