"""Django settings for vcio, read from the environment.

Every value comes through the typed readers in :mod:`vcio.conf`, which stop
start-up with a message naming the variable when a value is wrong. Nothing
needs setting for a local start: the database is an SQLite file in the data
directory and the secret key is generated there once.
"""

from __future__ import annotations

import ipaddress
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.management.utils import get_random_secret_key

from vcio.conf import (
    ConfigError,
    env_bool,
    env_choice,
    env_email,
    env_float,
    env_int,
    env_list,
    env_path,
    env_str,
    env_url,
)

BASE_DIR = Path(__file__).resolve().parent

DEBUG = env_bool("VCIO_DEBUG", False)
# Production behind TLS: secure cookies, HSTS and the HTTPS redirect.
HTTPS = env_bool("VCIO_HTTPS", False)
DATA_DIR = env_path("VCIO_DATA_DIR", BASE_DIR.parent / "data")
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """The configured key, else one generated once and kept in the data dir.

    Keeping the generated key means sessions survive restarts of a local
    install without anyone having to invent a key.
    """
    configured = env_str("VCIO_SECRET_KEY")
    if configured:
        if len(configured) < 50:
            raise ConfigError("VCIO_SECRET_KEY is too short: use at least 50 random characters")
        return configured
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(get_random_secret_key())
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("VCIO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("VCIO_CSRF_TRUSTED_ORIGINS", [])
PRACTICE_NAME = env_str("VCIO_PRACTICE_NAME", "vcio practice")
# The practice's logo on reports (an SVG, PNG or JPEG file); empty: vcio's own mark.
PRACTICE_LOGO = env_str("VCIO_PRACTICE_LOGO", "") or ""

INSTALLED_APPS = [
    "vcio.core.admin_apps.VcioAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "vcio.core",
    "vcio.assets",
    "vcio.strategy",
    "vcio.availability",
    "vcio.capacity",
    "vcio.helpdesk",
    "vcio.assessments",
    "vcio.needs",
    "vcio.practice",
    "vcio.reviews",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads the body: an oversize upload is refused unread (413).
    "vcio.core.middleware.RefuseOversizeBodyMiddleware",
    "vcio.core.middleware.RejectNulCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "vcio.urls"
WSGI_APPLICATION = "vcio.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "vcio.core.context_processors.navigation",
            ],
        },
    },
]


def _databases() -> dict:
    """DATABASE_URL, else an SQLite file in the data directory.

    SQLite gets WAL (readers don't block the writer), a busy timeout and
    IMMEDIATE transactions (a writer takes the lock up front instead of
    failing with "database is locked" halfway through).
    """
    default_url = f"sqlite:///{DATA_DIR / 'vcio.sqlite3'}"
    url = env_str("DATABASE_URL", default_url) or default_url
    try:
        config = dj_database_url.parse(url, conn_max_age=env_int("VCIO_DB_CONN_MAX_AGE", 60))
    except ValueError as exc:
        raise ConfigError(f"DATABASE_URL is not a database URL: {exc}") from exc
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": env_int("VCIO_SQLITE_BUSY_TIMEOUT", 20, minimum=1),
        }
    return {"default": config}


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out sign-in before any password is checked.
    "vcio.core.lockout.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
    "vcio.core.admin_site.OwnerPermissionBackend",
]
# Brute force on the sign-in form (and the admin's): django-axes locks out a
# username *from one address* after this many failures in a row, for this long,
# so a guesser is stopped while the real user, elsewhere, can still sign in.
AXES_FAILURE_LIMIT = env_int("VCIO_LOGIN_FAILURE_LIMIT", 5, minimum=1, maximum=1000)
AXES_COOLOFF_TIME = timedelta(
    minutes=env_int("VCIO_LOGIN_LOCKOUT_MINUTES", 15, minimum=1, maximum=7 * 24 * 60)
)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "vcio.core.lockout.locked_out"
AXES_USERNAME_CALLABLE = "vcio.core.lockout.username"
AXES_VERBOSE = False
# API tokens: this many failed tokens from one address within the window, and
# that address gets 429s until the window ends (vcio.core.api.token_throttle).
VCIO_TOKEN_FAILURE_LIMIT = env_int("VCIO_TOKEN_FAILURE_LIMIT", 10, minimum=1, maximum=100_000)
VCIO_TOKEN_FAILURE_WINDOW_MINUTES = env_int(
    "VCIO_TOKEN_FAILURE_WINDOW_MINUTES", 15, minimum=1, maximum=24 * 60
)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
TIME_ZONE = env_str("VCIO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the source folders so `make run` needs no collectstatic;
# a production install runs `vcio collectstatic` and WhiteNoise serves STATIC_ROOT.
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = DATA_DIR / "media"

# Email: SMTP when a host is configured, else printed to the console.
EMAIL_HOST = env_str("VCIO_EMAIL_HOST")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("VCIO_EMAIL_PORT", 587, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("VCIO_EMAIL_USER", "") or ""
EMAIL_HOST_PASSWORD = env_str("VCIO_EMAIL_PASSWORD", "") or ""
EMAIL_USE_TLS = env_bool("VCIO_EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env_email("VCIO_EMAIL_FROM", "vcio@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

SESSION_COOKIE_HTTPONLY = True
# HTMX sends the token from the page (hx-headers), so scripts never need the cookie.
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("VCIO_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("VCIO_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True


def _trusted_proxy() -> str:
    """VCIO_TRUSTED_PROXY: the TLS proxy's address (``*``: any peer), or "" for none."""
    value = (env_str("VCIO_TRUSTED_PROXY", "") or "").strip()
    if value and value != "*":
        try:
            ipaddress.ip_address(value)
        except ValueError:
            raise ConfigError(
                f"VCIO_TRUSTED_PROXY={value!r} is not an IP address (or * for any peer)"
            ) from None
    return value


# Behind a TLS-terminating proxy: the proxy's address, whose X-Forwarded-*
# headers `vcio serve` (waitress) believes; nobody else's are (see core.serving).
VCIO_TRUSTED_PROXY = _trusted_proxy()
VCIO_TRUSTED_PROXY_COUNT = env_int("VCIO_TRUSTED_PROXY_COUNT", 1, minimum=1, maximum=10)
VCIO_TRUSTED_PROXY_HEADERS = env_list(
    "VCIO_TRUSTED_PROXY_HEADERS", ["x-forwarded-proto", "x-forwarded-for"]
)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "vcio.core.api.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["vcio.core.api.permissions.ScopedAccess"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "vcio.core.filters.FilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "EXCEPTION_HANDLER": "vcio.core.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "vcio API",
    "DESCRIPTION": "Clients, people and everything a fractional CIO tracks for them.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a `kind` or `status`; name each choice set in the schema.
    "ENUM_NAME_OVERRIDES": {
        "AssetKindEnum": "vcio.assets.models.AssetKind",
        "AssetStatusEnum": "vcio.assets.models.AssetStatus",
        "LicenceKindEnum": "vcio.assets.models.Licence.Kind",
        "ImportRunStatusEnum": "vcio.core.models.imports.ImportRun.Status",
        "QuestionKindEnum": "vcio.needs.models.QuestionKind",
        "NeedKindEnum": "vcio.needs.models.NeedKind",
        "NeedUrgencyEnum": "vcio.needs.models.Urgency",
        "CoverageKindEnum": "vcio.core.registry.COVERAGE_KINDS",
    },
}

# The worker's scheduler loop: seconds between looks for due jobs.
WORKER_TICK_SECONDS = env_int("VCIO_WORKER_TICK", 5, minimum=1, maximum=3600)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("VCIO_LOG_LEVEL", "INFO")},
}

# Imports (CSV, XLSX, agent inventories): files above this many MB are refused
# before they are read, so one upload cannot exhaust the server's memory or disk.
VCIO_IMPORT_MAX_MB = env_int("VCIO_IMPORT_MAX_MB", 100, minimum=1, maximum=10_000)
# Uploads above this many MB are imported by `vcio worker` in the background (the
# page shows the progress) instead of inside the web request; 0 sends every upload there.
VCIO_IMPORT_BACKGROUND_MB = env_int("VCIO_IMPORT_BACKGROUND_MB", 5, minimum=0, maximum=10_000)

# Availability monitoring (and every other connection made on a user's behalf,
# see vcio.core.netguard). Monitors may only target addresses inside the
# allowed networks and outside the denied ones: by default everything but
# link-local and the clouds' metadata endpoints (a monitor aimed there
# would read the host's cloud credentials). Private ranges stay allowed.
VCIO_MONITOR_ALLOWED_NETWORKS = env_list("VCIO_MONITOR_ALLOWED_NETWORKS", ["0.0.0.0/0", "::/0"])
VCIO_MONITOR_DENIED_NETWORKS = env_list(
    "VCIO_MONITOR_DENIED_NETWORKS", ["169.254.0.0/16", "fe80::/10", "fd00:ec2::254/128"]
)
# This server itself (loopback, 0.0.0.0, its own interfaces' addresses) is refused
# too, or any editor could scan the vcio host's ports and pages; 1 allows it.
VCIO_MONITOR_ALLOW_LOCAL = env_bool("VCIO_MONITOR_ALLOW_LOCAL", False)
# Exceptions, each "address:port" (or a bare address for any port): e.g. the
# demo target, 127.0.0.1:8790, which `make run` allows.
VCIO_MONITOR_ALLOWED_TARGETS = env_list("VCIO_MONITOR_ALLOWED_TARGETS", [])
# Raw check results are kept this many days; hourly rollups are kept for good.
VCIO_CHECK_RETENTION_DAYS = env_int("VCIO_CHECK_RETENTION_DAYS", 30, minimum=1, maximum=3650)
# Capacity metrics: raw samples are kept this many days; hourly and daily rollups for good.
VCIO_METRIC_RETENTION_DAYS = env_int("VCIO_METRIC_RETENTION_DAYS", 14, minimum=1, maximum=3650)
# One pushed metrics batch (text or JSON) or agent inventory may be this many MB at most.
VCIO_INGEST_MAX_MB = env_int("VCIO_INGEST_MAX_MB", 10, minimum=1, maximum=1000)
# Capacity classes and forecasts (vcio.capacity.assess): a machine is idle when its CPU p95
# and memory p95 over VCIO_CAPACITY_CLASS_DAYS are under the IDLE shares, saturated when
# either is over its SATURATED share; a disk or memory is "full" at VCIO_CAPACITY_FULL_SHARE.
VCIO_CAPACITY_IDLE_CPU = env_float("VCIO_CAPACITY_IDLE_CPU", 0.10, minimum=0, maximum=1)
VCIO_CAPACITY_IDLE_MEM = env_float("VCIO_CAPACITY_IDLE_MEM", 0.30, minimum=0, maximum=1)
VCIO_CAPACITY_SATURATED_CPU = env_float("VCIO_CAPACITY_SATURATED_CPU", 0.85, minimum=0, maximum=1)
VCIO_CAPACITY_SATURATED_MEM = env_float("VCIO_CAPACITY_SATURATED_MEM", 0.90, minimum=0, maximum=1)
VCIO_CAPACITY_FULL_SHARE = env_float("VCIO_CAPACITY_FULL_SHARE", 0.90, minimum=0.5, maximum=1)
VCIO_CAPACITY_CLASS_DAYS = env_int("VCIO_CAPACITY_CLASS_DAYS", 30, minimum=7, maximum=90)
# The practice's price list for capacity recommendations, in USD (converted with the
# lifecycle policies' currency factors): a TB of disk, a GB of memory, a server's yearly
# running cost (what consolidating one saves), an upgrade when no lifecycle policy prices it.
VCIO_CAPACITY_DISK_PRICE_PER_TB = env_int("VCIO_CAPACITY_DISK_PRICE_PER_TB", 200, minimum=0)
VCIO_CAPACITY_MEMORY_PRICE_PER_GB = env_int("VCIO_CAPACITY_MEMORY_PRICE_PER_GB", 10, minimum=0)
VCIO_CAPACITY_SERVER_RUN_COST_PER_YEAR = env_int(
    "VCIO_CAPACITY_SERVER_RUN_COST_PER_YEAR", 1500, minimum=0
)
VCIO_CAPACITY_UPGRADE_COST = env_int("VCIO_CAPACITY_UPGRADE_COST", 3000, minimum=0)
# What an hour of help-desk work costs the client (its currency): the support time a remedy
# for a frequent ticket topic saves is priced at this rate (vcio.helpdesk.recommendations).
VCIO_HELPDESK_HOURLY_RATE = env_int("VCIO_HELPDESK_HOURLY_RATE", 85, minimum=0, maximum=10_000)
# How many exporters one worker scrapes at once.
VCIO_SCRAPE_CONCURRENCY = env_int("VCIO_SCRAPE_CONCURRENCY", 8, minimum=1, maximum=256)
# "Check now" requests one user may have waiting for the worker at once.
VCIO_CHECK_NOW_PER_USER = env_int("VCIO_CHECK_NOW_PER_USER", 10, minimum=1, maximum=1000)
# How many checks one worker runs at once.
VCIO_CHECK_CONCURRENCY = env_int("VCIO_CHECK_CONCURRENCY", 200, minimum=1, maximum=10_000)
# "worker": `vcio worker` runs the checks itself; "celery": it dispatches them
# to Celery workers over Redis (VCIO_REDIS_URL).
VCIO_QUEUE = env_choice("VCIO_QUEUE", "worker", ["worker", "celery"])
VCIO_REDIS_URL = env_str("VCIO_REDIS_URL", "redis://127.0.0.1:6379/0")
# The address users reach vcio at (e.g. https://vcio.example.com): every link in an e-mail
# or webhook is built from it. Unset: vcio.core.links falls back to http://localhost:8000
# (right only for a trial on one machine) and `vcio check --deploy` warns.
VCIO_BASE_URL = env_url("VCIO_BASE_URL", "") or ""
# Department surveys (vcio.needs): how long a private link stays open, how many days
# apart reminders go out and how many, and how many answer-page requests one address
# may make in a window before it gets a 429 (guessing links or flooding submissions).
VCIO_SURVEY_LINK_DAYS = env_int("VCIO_SURVEY_LINK_DAYS", 21, minimum=1, maximum=365)
VCIO_SURVEY_REMINDER_DAYS = env_int("VCIO_SURVEY_REMINDER_DAYS", 5, minimum=1, maximum=90)
VCIO_SURVEY_MAX_REMINDERS = env_int("VCIO_SURVEY_MAX_REMINDERS", 2, minimum=0, maximum=10)
VCIO_SURVEY_RATE_LIMIT = env_int("VCIO_SURVEY_RATE_LIMIT", 60, minimum=1, maximum=100_000)
VCIO_SURVEY_RATE_WINDOW_MINUTES = env_int(
    "VCIO_SURVEY_RATE_WINDOW_MINUTES", 15, minimum=1, maximum=24 * 60
)
# The practice's own currency: people's cost rates are in it, and a client's margin
# is computed only when its fee is in the same currency (no guessed exchange rates).
VCIO_PRACTICE_CURRENCY = env_str("VCIO_PRACTICE_CURRENCY", "USD") or "USD"
