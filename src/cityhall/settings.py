"""The one settings module. Every knob is read from the environment and has a working default,
so that a fresh checkout runs with zero set-up (SQLite in WAL mode, SQLite-backed huey)."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
REPO_DIR = BASE_DIR.parent.parent
DATA_DIR = Path(os.environ.get("CITYHALL_DATA_DIR", REPO_DIR / "var"))
DATA_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("CITYHALL_DEBUG", False)
# The key a fresh checkout runs with: `cityhall serve` and `check --deploy` (cityhall.E001)
# refuse it when debug is off (core.security).
DEVELOPMENT_SECRET_KEY = "insecure-development-key-change-me-in-production"
SECRET_KEY = os.environ.get("CITYHALL_SECRET_KEY", DEVELOPMENT_SECRET_KEY)
ALLOWED_HOSTS = env_list("CITYHALL_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CITYHALL_CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("CITYHALL_SITE_URL", "http://127.0.0.1:8000")
# The city's and its city hall's names as residents read them; translated unless set here.
CITY_NAME = os.environ.get("CITYHALL_CITY_NAME") or _("Kazan")
CITY_HALL_NAME = os.environ.get("CITYHALL_CITY_HALL_NAME") or _("Kazan City Hall")
# The contacts page (/contacts/) and the privacy notice name the operator's office; empty
# values are left out of the page.
CONTACT_ADDRESS = os.environ.get("CITYHALL_CONTACT_ADDRESS", "420014, Казань, ул. Кремлёвская, 1")
CONTACT_PHONE = os.environ.get("CITYHALL_CONTACT_PHONE", "")
CONTACT_EMAIL = os.environ.get("CITYHALL_CONTACT_EMAIL", "")
CONTACT_HOURS = os.environ.get("CITYHALL_CONTACT_HOURS", "")
# When the accessibility statement and the privacy notice were last reviewed (YYYY-MM-DD).
INFORMATION_PAGES_REVIEWED = os.environ.get("CITYHALL_INFORMATION_PAGES_REVIEWED", "2026-12-06")

INSTALLED_APPS = [
    "cityhall.accounts.admin_site.AdminConfig",  # django.contrib.admin, second factor required
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "huey.contrib.djhuey",
    "csp",  # Content-Security-Policy on every page (CONTENT_SECURITY_POLICY below)
    "ninja",  # serves the API docs' Swagger UI from our static files, not a CDN
    "cityhall.core",
    "cityhall.geo",
    "cityhall.accounts",
    "cityhall.notifications",
    "cityhall.portal",
    "cityhall.opendata",
    "cityhall.discussions",
    "cityhall.service_requests",
    "cityhall.municipal_services",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "cityhall.accounts.idle_sign_out.StaffIdleSignOutMiddleware",
    "cityhall.core.middleware.DomainErrorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]
# Requests to /api/ and /open311/ without a cookie skip sessions, CSRF, messages and the rest
# (core.handlers; cityhall.wsgi serves both lanes).
API_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "cityhall.core.handlers.AnonymousUserMiddleware",
    "cityhall.core.middleware.DomainErrorMiddleware",
]
# Reads of anonymous GETs go to a replica when DATABASE_REPLICA_URLS lists any (core.replicas;
# appended below, after the databases are read).
REPLICA_MIDDLEWARE = "cityhall.core.replicas.ReplicaReadsMiddleware"

ROOT_URLCONF = "cityhall.urls"
WSGI_APPLICATION = "cityhall.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cityhall.portal.context_processors.portal",
            ],
        },
    },
]

# --- Storage -------------------------------------------------------------------------------
# SQLite is the zero set-up default. WAL + synchronous=NORMAL + busy_timeout + IMMEDIATE
# transactions: a read-then-write inside atomic() never fails with "database is locked"
# (see shared BASELINES). DATABASE_URL=postgres://... switches to PostgreSQL.
SQLITE_PATH = DATA_DIR / "cityhall.sqlite3"
# CITYHALL_DURABLE=1: every commit reaches the disk before it returns (SQLite synchronous=FULL,
# huey's queue with fsync). The default (NORMAL) survives a crash of the program but a power
# cut may take back the last commits; docs/operations.md, "Backup and recovery point".
DURABLE = env_bool("CITYHALL_DURABLE", False)
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{SQLITE_PATH}")
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=None)
_sqlite = _db["ENGINE"] == "django.db.backends.sqlite3"
if _sqlite:
    # Writers wait on an OS file lock that wakes them at once, not in SQLite's sleeping busy
    # handler (core/sqlite_backend/base.py); CITYHALL_SQLITE_WRITER_QUEUE=0 turns it off.
    if env_bool("CITYHALL_SQLITE_WRITER_QUEUE", True):
        _db["ENGINE"] = "cityhall.core.sqlite_backend"
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 5,
        "init_command": (
            f"PRAGMA journal_mode=WAL;PRAGMA synchronous={'FULL' if DURABLE else 'NORMAL'};"
            "PRAGMA busy_timeout=5000;PRAGMA foreign_keys=ON;"
        ),
    }
    _db["CONN_MAX_AGE"] = None
    # A file (not :memory:) so concurrency tests see real locking; one per test process.
    _db["TEST"] = {"NAME": str(DATA_DIR / f"test-cityhall-{os.getpid()}.sqlite3")}
else:
    _db["CONN_HEALTH_CHECKS"] = True
    # Hot-path statements are prepared once per connection (core/prepared.py, ADR 0008).
    # CITYHALL_PG_PREPARE=0 behind a pooler that cannot keep prepared statements.
    _db.setdefault("OPTIONS", {})["prepare_threshold"] = (
        5 if env_bool("CITYHALL_PG_PREPARE", True) else None
    )
DATABASES = {"default": _db}
# The intake inbox (core.inbox, ADR 0007) in a SQLite file of its own: acknowledging a
# submission then never waits for SQLite's one write lock while a batch is being registered.
# On PostgreSQL (row locks) it stays in the main database. CITYHALL_INBOX_FILE=0 keeps it there.
if _sqlite and env_bool("CITYHALL_INBOX_FILE", True):
    _main = Path(_db["NAME"])
    DATABASES["inbox"] = {
        **_db,
        "NAME": str(_main.with_name(f"{_main.stem}-inbox{_main.suffix}")),
        "TEST": {"NAME": str(DATA_DIR / f"test-inbox-{os.getpid()}.sqlite3")},
    }
# Read replicas (core.replicas): PostgreSQL streaming replicas, comma-separated URLs. Anonymous
# GETs (public pages, open data, reports, Open311 lists) read from one that answers and lags at
# most CITYHALL_REPLICA_MAX_LAG_SECONDS; a browser that just wrote reads from the primary for
# CITYHALL_REPLICA_READ_YOUR_WRITES_SECONDS; the excluded paths always read from the primary.
DATABASE_REPLICA_URLS = env_list("DATABASE_REPLICA_URLS")
REPLICAS: list[str] = []
for _number, _url in enumerate(DATABASE_REPLICA_URLS, start=1):
    _replica = dj_database_url.parse(_url, conn_max_age=None)
    _replica["CONN_HEALTH_CHECKS"] = True
    _replica.setdefault("OPTIONS", {}).update(_db.get("OPTIONS", {}), connect_timeout=2)
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica{_number}"] = _replica
    REPLICAS.append(f"replica{_number}")
REPLICA_MAX_LAG_SECONDS = float(os.environ.get("CITYHALL_REPLICA_MAX_LAG_SECONDS", "5"))
REPLICA_READ_YOUR_WRITES_SECONDS = int(
    os.environ.get("CITYHALL_REPLICA_READ_YOUR_WRITES_SECONDS", "10")
)
REPLICA_EXCLUDED_PATHS = env_list(
    "CITYHALL_REPLICA_EXCLUDED_PATHS",
    "/healthz,/admin/,/accounts/,/audit/,/i18n/,/api/v1/receipts/,/open311/v2/tokens/",
)
DATABASE_ROUTERS = ["cityhall.core.routers.InboxRouter", "cityhall.core.replicas.ReplicaRouter"]
if REPLICAS:
    MIDDLEWARE.append(REPLICA_MIDDLEWARE)
    API_MIDDLEWARE.append(REPLICA_MIDDLEWARE)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Background work -------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
HUEY_IMMEDIATE = env_bool("CITYHALL_HUEY_IMMEDIATE", False)
if REDIS_URL:
    # Periodic jobs are claimed per minute in Redis: one run per cluster (core.periodic_jobs).
    HUEY = {
        "huey_class": "cityhall.core.periodic_jobs.OncePerClusterRedisHuey",
        "name": "cityhall",
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
    }
else:
    # No fsync on the queue file (huey sets synchronous=OFF) unless CITYHALL_DURABLE: a task
    # lost to a power cut is re-made from the database (the notification outbox and the
    # deadline sweeps are the source of truth), and an fsync per enqueue cost ~3 ms on every
    # request that schedules work (0.03 ms without).
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "cityhall",
        "filename": str(DATA_DIR / "huey.sqlite3"),
        "fsync": DURABLE,
        "immediate": HUEY_IMMEDIATE,
    }
# Submissions received through the inbox (core.inbox) are registered by `cityhall run_inbox`
# (started by `cityhall serve`); with this set they are registered in the request instead.
INBOX_INLINE = env_bool("CITYHALL_INBOX_INLINE", False)
# What one person may submit an hour through the self-service channels (requests, proposals,
# applications; each kind counted apart); 0: no limit (the benches).
SUBMISSIONS_PER_HOUR = int(os.environ.get("CITYHALL_SUBMISSIONS_PER_HOUR", "60"))
# The report form lists open requests of the same problem at the building and within this many
# metres of the place, before the resident sends a duplicate (issue 14); 0: the building only.
REQUESTS_NEARBY_METRES = int(os.environ.get("CITYHALL_REQUESTS_NEARBY_METRES", "150"))
# Discussions: how many different people reporting an item hide it at once, pending a
# moderator's review (issue 20.14); 0 turns automatic hiding off.
DISCUSSIONS_FLAGS_TO_HIDE = int(os.environ.get("CITYHALL_DISCUSSIONS_FLAGS_TO_HIDE", "3"))
# /healthz reports items waiting for registration longer than this (seconds).
INBOX_PENDING_ALERT_SECONDS = int(os.environ.get("CITYHALL_INBOX_PENDING_ALERT_SECONDS", "300"))
HUEY["consumer"] = {"workers": int(os.environ.get("CITYHALL_HUEY_WORKERS", "2"))}

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# With Redis, sessions are read from it and kept in the database as well (a Redis restart signs
# nobody out); every node reads the same session. Without Redis: the database (the default).
if REDIS_URL:
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Audit trail (ADR 0010) ------------------------------------------------------------------
# The key that makes audit records and checkpoints unforgeable lives outside the database: the
# secret itself, or a file holding it. Unset, a public development key is used (refused in
# production: core.audit_keys.key_is_default()). Rotate: give the new key a new id and list the
# old one in CITYHALL_AUDIT_OLD_KEYS ("id=secret,id=secret") so older records still verify.
AUDIT_KEY_ID = os.environ.get("CITYHALL_AUDIT_KEY_ID", "dev")
AUDIT_KEY = os.environ.get("CITYHALL_AUDIT_KEY", "")
AUDIT_KEY_FILE = os.environ.get("CITYHALL_AUDIT_KEY_FILE", "")
AUDIT_OLD_KEYS = dict(item.split("=", 1) for item in env_list("CITYHALL_AUDIT_OLD_KEYS"))

# --- Accounts ----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:cabinet"
LOGOUT_REDIRECT_URL = "portal:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["cityhall.accounts.backends.EmailOrPhoneBackend"]
OTP_TOTP_ISSUER = os.environ.get("CITYHALL_OTP_ISSUER", "cityhall")
# Staff must pass a second factor (TOTP). Tests and the demo may relax it explicitly.
STAFF_REQUIRE_OTP = env_bool("CITYHALL_STAFF_REQUIRE_OTP", True)
# Authenticator secrets are stored encrypted (Fernet, ADR 0012): one key, or several separated
# by commas (the first encrypts; all decrypt, for rotation). Unset: derived from SECRET_KEY.
CITYHALL_TOTP_KEY = os.environ.get("CITYHALL_TOTP_KEY", "")
# A staff member's session is signed out after this many minutes without a request.
CITYHALL_STAFF_IDLE_MINUTES = int(os.environ.get("CITYHALL_STAFF_IDLE_MINUTES", "30"))
# Trusted reverse proxies in front of the site: the client address for rate limits is then
# taken from X-Forwarded-For, this many entries from the right (0: REMOTE_ADDR).
CITYHALL_PROXY_HOPS = int(os.environ.get("CITYHALL_PROXY_HOPS", "0"))

# OpenID Connect identity provider (a state identity portal). Empty issuer = not configured.
OIDC_ISSUER = os.environ.get("CITYHALL_OIDC_ISSUER", "")
OIDC_CLIENT_ID = os.environ.get("CITYHALL_OIDC_CLIENT_ID", "")
OIDC_CLIENT_SECRET = os.environ.get("CITYHALL_OIDC_CLIENT_SECRET", "")

# --- Notifications -----------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "CITYHALL_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("CITYHALL_EMAIL_HOST")
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = str(DATA_DIR / "outbox-mail")
EMAIL_HOST = os.environ.get("CITYHALL_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("CITYHALL_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("CITYHALL_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("CITYHALL_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("CITYHALL_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("CITYHALL_FROM_EMAIL", "cityhall@localhost")
SMS_GATEWAY = os.environ.get(
    "CITYHALL_SMS_GATEWAY", "cityhall.notifications.channels.LogSmsGateway"
)
SMS_HTTP_URL = os.environ.get("CITYHALL_SMS_HTTP_URL", "")
SMS_HTTP_TOKEN = os.environ.get("CITYHALL_SMS_HTTP_TOKEN", "")
SMS_HTTP_SENDER = os.environ.get("CITYHALL_SMS_HTTP_SENDER", "")
NOTIFICATIONS_MAX_ATTEMPTS = int(os.environ.get("CITYHALL_NOTIFICATIONS_MAX_ATTEMPTS", "6"))
WEBPUSH_VAPID_PRIVATE_KEY = os.environ.get("CITYHALL_VAPID_PRIVATE_KEY", "")
WEBPUSH_VAPID_PUBLIC_KEY = os.environ.get("CITYHALL_VAPID_PUBLIC_KEY", "")
WEBPUSH_VAPID_SUBJECT = os.environ.get("CITYHALL_VAPID_SUBJECT", "mailto:cityhall@localhost")

# --- Internationalisation ----------------------------------------------------------------------
LANGUAGE_CODE = os.environ.get("CITYHALL_LANGUAGE", "ru")
LANGUAGES = [("ru", _("Russian")), ("tt", _("Tatar")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Tatar dates and numbers the Russian way (Django ships no formats for tt): core/formats/tt.
FORMAT_MODULE_PATH = ["cityhall.core.formats"]
TIME_ZONE = os.environ.get("CITYHALL_TIME_ZONE", "Europe/Moscow")
# The region whose own days off the business calendar keeps (ISO 3166-2; core/calendar_regions/)
CALENDAR_REGION = os.environ.get("CITYHALL_CALENDAR_REGION", "RU-TA")
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files -------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Leaflet and Leaflet.draw, pinned through the django-leaflet package, served as our own files
# for geo's map component (no CDN). Only its static folder is used: the app itself (form widgets
# for GeoDjango) is not installed.
STATICFILES_DIRS = [
    Path(importlib.util.find_spec("leaflet").submodule_search_locations[0]) / "static"
]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("CITYHALL_MEDIA_ROOT", DATA_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Any S3-compatible object store (MinIO, Ceph RGW, a cloud's) instead of MEDIA_ROOT: set the
# endpoint and bucket (ADR 0021). Files are then handed over as short-lived pre-signed URLs, so
# the endpoint must be reachable by browsers.
S3_ENDPOINT = os.environ.get("CITYHALL_S3_ENDPOINT", "")
S3_BUCKET = os.environ.get("CITYHALL_S3_BUCKET", "")
# The S3 storage's options, also used by `cityhall migrate_media` (core.object_store).
S3_STORAGE_OPTIONS = {
    "endpoint_url": S3_ENDPOINT or None,
    "bucket_name": S3_BUCKET or "cityhall",
    "access_key": os.environ.get("CITYHALL_S3_ACCESS_KEY", ""),
    "secret_key": os.environ.get("CITYHALL_S3_SECRET_KEY", ""),
    "region_name": os.environ.get("CITYHALL_S3_REGION", "us-east-1"),
    "addressing_style": "path",
    "signature_version": "s3v4",
    "default_acl": None,
    "querystring_auth": True,
    "file_overwrite": False,
    # An outage fails an upload within seconds (503, try again), not after minutes.
    "connect_timeout": 3,
    "read_timeout": 10,
}
if S3_ENDPOINT or S3_BUCKET:
    STORAGES["default"] = {"BACKEND": "cityhall.core.object_store.S3Storage"}
# Behind nginx: the internal location that aliases MEDIA_ROOT (deploy/nginx/cityhall.conf);
# checked files are then sent by nginx through X-Accel-Redirect instead of by Python.
FILES_ACCEL_PREFIX = os.environ.get("CITYHALL_FILES_ACCEL_PREFIX", "")
# How long a pre-signed S3 URL for one file lives, in seconds.
FILES_URL_EXPIRY = int(os.environ.get("CITYHALL_FILES_URL_EXPIRY", "300"))
# Files fetched from an address a client gave (Open311 media_url; core.remote_media): seconds
# in all, redirects followed, and whether private/loopback addresses may be fetched (tests only).
FILES_FETCH_TIMEOUT = float(os.environ.get("CITYHALL_FILES_FETCH_TIMEOUT", "10"))
FILES_FETCH_MAX_REDIRECTS = int(os.environ.get("CITYHALL_FILES_FETCH_MAX_REDIRECTS", "3"))
FILES_FETCH_ALLOW_PRIVATE = env_bool("CITYHALL_FILES_FETCH_ALLOW_PRIVATE", False)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Uploaded images are decoded and re-encoded without metadata (core.images); more pixels than
# this are refused before decoding (a decompression bomb is a few kilobytes).
CITYHALL_MAX_IMAGE_PIXELS = int(os.environ.get("CITYHALL_MAX_IMAGE_PIXELS", "40000000"))

# --- Open data (/opendata/; docs/open-data.md) ---------------------------------------------------
OPENDATA_ROOT = Path(os.environ.get("CITYHALL_OPENDATA_ROOT", DATA_DIR / "opendata"))
OPENDATA_KEEP_VERSIONS = int(os.environ.get("CITYHALL_OPENDATA_KEEP_VERSIONS", "10"))
# Sets with more rows get no XLSX file (a sheet holds 1,048,575 rows; XLSX is the slowest format)
OPENDATA_XLSX_MAX_ROWS = int(os.environ.get("CITYHALL_OPENDATA_XLSX_MAX_ROWS", "1048575"))
# The publisher's taxpayer number prefixes every set's identifier in the passport files.
OPENDATA_INN = os.environ.get("CITYHALL_OPENDATA_INN", "1655000000")
OPENDATA_PUBLISHER = {
    "name": os.environ.get("CITYHALL_OPENDATA_PUBLISHER", ""),  # empty: the city's name
    "email": os.environ.get("CITYHALL_OPENDATA_EMAIL", "opendata@cityhall.invalid"),
    "phone": os.environ.get("CITYHALL_OPENDATA_PHONE", ""),
}
OPENDATA_LICENCE = {
    "name": os.environ.get("CITYHALL_OPENDATA_LICENCE_NAME", "CC BY 4.0"),
    "url": os.environ.get(
        "CITYHALL_OPENDATA_LICENCE_URL", "https://creativecommons.org/licenses/by/4.0/"
    ),
}

# --- Security ----------------------------------------------------------------------------------
# Off by default so a checkout serves plain http on 127.0.0.1; deploy/production.env turns
# them on (`cityhall check --deploy` with it reports nothing).
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("CITYHALL_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("CITYHALL_SSL_REDIRECT", False)
# A load balancer's plain-http probe of /healthz is answered, not redirected.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("CITYHALL_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("CITYHALL_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("CITYHALL_HSTS_PRELOAD", False)
# Behind a proxy that ends TLS: "X-Forwarded-Proto: https" (the header the proxy sets, always
# overwriting the client's) makes Django see such requests as https. Empty: not trusted.
_proxy_header, _, _proxy_value = os.environ.get("CITYHALL_PROXY_SSL_HEADER", "").partition(":")
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_" + _proxy_header.strip().upper().replace("-", "_"), _proxy_value.strip())
    if _proxy_header.strip() and _proxy_value.strip()
    else None
)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Only this site's own files run and style pages: no inline scripts or style attributes
# (maps and bars are SVG, colours are classes), nothing from other hosts, no framing except
# the services widget (its own frame-ancestors, municipal_services.views.widget).
# API docs (ninja's Swagger UI, from our static files) get the same policy: core.security.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "manifest-src": ["'self'"],
        "worker-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# The interactive map's base layer (geo.web_map): an XYZ tile URL template
# ("https://tiles.example.org/{z}/{x}/{y}.png") and its attribution; empty: the city's own
# vector layers (districts, suburbs, buildings) are the base, which also needs no network.
MAP_TILES = os.environ.get("CITYHALL_MAP_TILES", "")
MAP_ATTRIBUTION = os.environ.get("CITYHALL_MAP_ATTRIBUTION", "")
MAP_MAX_ZOOM = int(os.environ.get("CITYHALL_MAP_MAX_ZOOM", "19"))
if MAP_TILES.startswith(("https://", "http://")):
    # The tile host is the one other place pictures may come from (a PMTiles archive elsewhere
    # is read by the page's script instead: geo.tile_archive, ADR 0029).
    _tiles_origin = "/".join(MAP_TILES.split("/", 3)[:3]).replace("{s}.", "*.")
    _tiles_read_by = "connect-src" if MAP_TILES.split("?")[0].endswith(".pmtiles") else "img-src"
    CONTENT_SECURITY_POLICY["DIRECTIVES"][_tiles_read_by].append(_tiles_origin)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CITYHALL_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "fpdf": {"level": "WARNING"},
    },
}

# Resident requests: a confirmed request may be reopened by its author within this many days.
REQUESTS_REOPEN_CONFIRMED_DAYS = int(os.environ.get("CITYHALL_REOPEN_CONFIRMED_DAYS", "30"))

# Phone numbers written without a country code belong to this region (ISO 3166 code); every
# number is stored and searched in E.164 (accounts/phones.py).
PHONE_REGION = os.environ.get("CITYHALL_PHONE_REGION", "RU")
