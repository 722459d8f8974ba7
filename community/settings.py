"""Settings for the community site, read from environment variables (12-factor).

Every value comes through the small ``env_*`` readers in community/core/env.py, which
stop the process with one clear line when a value is malformed.
"""

import base64
import hashlib
import sys
from pathlib import Path
from zoneinfo import available_timezones

import dj_database_url
import django.forms
from cryptography.fernet import Fernet
from django.utils.csp import CSP

from community.core.env import env_bool, env_float, env_int, env_list, env_str, fail

BASE_DIR = Path(__file__).resolve().parent.parent


DEBUG = env_bool("DEBUG", default=False)

# `manage.py check` and `makemigrations` only read the code: they serve no request and
# sign or decrypt nothing, so they also run on a fresh checkout without the secrets (with
# throw-away ones). Everything else, `check --deploy` included, needs the real ones.
CODE_CHECK_ONLY = (
    Path(sys.argv[0]).name == "manage.py"
    and sys.argv[1:2] in (["check"], ["makemigrations"])
    and "--deploy" not in sys.argv
)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if DEBUG or CODE_CHECK_ONLY:
        SECRET_KEY = "insecure-development-key-never-use-in-production"  # noqa: S105
    else:
        fail("SECRET_KEY is not set. Set SECRET_KEY to a long random string, or DEBUG=1 for development.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = env_str("SITE_NAME", "Steady Ground")
# Where members write to appeal a suspension or reach the team.
SUPPORT_EMAIL = env_str("SUPPORT_EMAIL", "support@example.org")

INSTALLED_APPS = [
    "community",
    "groups",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "django_tasks_db",
]

MIDDLEWARE = [
    "community.middleware.RequestLogMiddleware",
    "community.middleware.RejectNulMiddleware",
    "community.middleware.DatabaseWatchdogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "community.middleware.SuspensionMiddleware",
    "community.middleware.TimezoneMiddleware",
]

ROOT_URLCONF = "community.urls"
# Lets templates/django/forms/ restyle how every form field is drawn.
FORM_RENDERER = "community.jinja.FormRenderer"
WSGI_APPLICATION = "community.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                # One masked CSRF token per response, in place of Django's built-in one.
                "community.core.csrf.csrf",
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "community.context_processors.site",
            ],
        },
    },
    {
        # The long lists of the busiest pages ({% jinja %}) and forms (community/jinja.py).
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2", Path(django.forms.__file__).parent / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "community.jinja.environment"},
    },
]

# --- Database -------------------------------------------------------------------------
# SQLite is the embedded default for trying the site out; production and CI use
# PostgreSQL through psycopg 3 with persistent, health-checked connections.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    try:
        _database = dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
            conn_health_checks=True,
        )
    except ValueError as error:
        fail(f"DATABASE_URL is malformed ({error}). Use postgres://user:password@host:5432/name.")
    if not _database.get("NAME") and "sqlite" not in _database["ENGINE"]:
        fail("DATABASE_URL has no database name. Use postgres://user:password@host:5432/name.")
    if "postgresql" in _database["ENGINE"]:
        # A database that does not answer must not hold a request until gunicorn kills the
        # worker: connecting gives up after DB_CONNECT_TIMEOUT seconds, and each statement
        # after DB_STATEMENT_TIMEOUT_MS (gunicorn.conf.py sets 5000 for the web processes;
        # commands such as migrate and the workers' long tasks are not limited unless set).
        # Either failure shows the friendly 503 page (community/pages/errors.py).
        _database.setdefault("OPTIONS", {})["connect_timeout"] = env_int("DB_CONNECT_TIMEOUT", 3)
        _statement_timeout = env_int("DB_STATEMENT_TIMEOUT_MS", 0)
        if _statement_timeout:
            _database["OPTIONS"]["options"] = f"-c statement_timeout={_statement_timeout}"
        # A member's page runs the same dozen statements again and again; PostgreSQL spent
        # longer parsing and planning some of them than running them. With server-side
        # binding psycopg prepares a statement once a connection has run it this many
        # times, and PostgreSQL keeps its plan. 0 turns it off: a transaction-mode
        # PgBouncer (older than 1.21) cannot keep prepared statements.
        _prepare_threshold = env_int("DB_PREPARE_THRESHOLD", 5)
        if _prepare_threshold:
            _database["OPTIONS"].update(server_side_binding=True, prepare_threshold=_prepare_threshold)
else:
    _database = {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}
DATABASES = {"default": _database}
# A frozen server enforces no statement timeout: the web's watchdog cuts a call that has
# waited this long (community/core/dbwatchdog.py), a second past the statement timeout.
_statement_seconds = env_int("DB_STATEMENT_TIMEOUT_MS", 0) / 1000
DB_WATCHDOG_SECONDS = env_float("DB_WATCHDOG_SECONDS", _statement_seconds + 1 if _statement_seconds else 0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
IS_POSTGRES = "postgresql" in DATABASES["default"]["ENGINE"]

# --- Cache and sessions -----------------------------------------------------------------
# With REDIS_URL set, the cache (rate limits, login throttling) and sessions are shared by
# every app server; without it each process keeps its own, fine for one machine.
# When Redis stops answering, the site keeps working (community/core/cache.py): sessions come
# from the database, rate limits count in each process's memory, logged once, loudly.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    _redis_options = {
        # A stopped Redis refuses at once; a hung one must not hold a request for long.
        "socket_connect_timeout": env_float("REDIS_TIMEOUT", 0.5),
        "socket_timeout": env_float("REDIS_TIMEOUT", 0.5),
    }
    CACHES = {
        "default": {
            "BACKEND": "community.core.cache.FallbackRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {**_redis_options, "FALLBACK": "locmem"},
        },
        "sessions": {
            "BACKEND": "community.core.cache.FallbackRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "session",
            "OPTIONS": {**_redis_options, "FALLBACK": "dummy"},
        },
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    SESSION_CACHE_ALIAS = "sessions"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Visitors' pages, calendar feeds, the directory's cards and the header's counts kept in
# the cache until what they show changes (community/core/pagecache.py). Only with Redis:
# the cache must be one for every process.
KEEP_PAGES = env_bool("KEEP_PAGES", default=bool(REDIS_URL))

# --- Accounts -------------------------------------------------------------------------
AUTH_USER_MODEL = "community.User"
AUTHENTICATION_BACKENDS = [
    # ModelBackend, reading the signed-in member with a query compiled once per process.
    "community.accounts.backends.MemberBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    # Only for sessions signed in before MemberBackend (their backend is stored in them);
    # it can go once those have expired (SESSION_COOKIE_AGE, two weeks).
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Argon2id first (see community/accounts/hashers.py); older PBKDF2 hashes still verify and are
# upgraded at the member's next login.
PASSWORD_HASHERS = [
    "community.accounts.hashers.SteadyArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

LOGIN_REDIRECT_URL = "community:home"
LOGIN_URL = "account_login"

ACCOUNT_ADAPTER = "community.accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SIGNUP_FORM_CLASS = "community.accounts.forms.SignupForm"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
# Tell the owner by email when their password, address or two-factor settings change, so
# that a change they did not make is noticed (no post text, only what changed and from where).
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
# allauth's rate limits are on by default; they are listed here so that they are seen.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME
# Staff pages (suspensions, the full log export, imports) need staff to have 2FA on. The
# suite turns it off by default so that the many staff fixtures need no authenticator;
# tests/community/accounts/test_security_auth.py turns it on and checks it.
STAFF_PAGES_REQUIRE_2FA = env_bool("STAFF_PAGES_REQUIRE_2FA", default=True)
# Sessions are recorded at sign-in (for the "signed-in sessions" page); tracking every
# request would cost five queries a page and keep more data than members need.
USERSESSIONS_TRACK_ACTIVITY = False

# --- Email ----------------------------------------------------------------------------
# Django 6.1's MAILERS, filled from the EMAIL_* variables. With no EMAIL_HOST, mail is
# printed to the console (fine for trying the site out; tests use Django's memory mailer).
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": EMAIL_HOST,
                "port": env_int("EMAIL_PORT", 587),
                "username": env_str("EMAIL_HOST_USER"),
                "password": env_str("EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("EMAIL_USE_TLS", default=True),
                "timeout": env_int("EMAIL_TIMEOUT", 10),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
del EMAIL_HOST
# A failed send is retried with backoff (1, 2, 4, 8 minutes) up to this many attempts.
EMAIL_MAX_ATTEMPTS = env_int("EMAIL_MAX_ATTEMPTS", 5)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", f"{SITE_NAME} <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Background tasks -------------------------------------------------------------------
# Production runs the database backend and `manage.py db_worker`; `make run` and the
# tests may run tasks at once in the request (TASKS_BACKEND=immediate).
# "email" holds only the outbox drains, so that workers can be split: a slow mail server
# then never delays announcements or alerts (docs/deploy.md).
TASK_QUEUES = ["default", "email"]
_tasks_backend = env_str("TASKS_BACKEND", "database")
if _tasks_backend == "immediate":
    TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend", "QUEUES": TASK_QUEUES}}
elif _tasks_backend == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": TASK_QUEUES}}
else:
    fail(f"TASKS_BACKEND must be 'database' or 'immediate' (got {_tasks_backend!r}).")

# --- Internationalisation and time ------------------------------------------------------
LANGUAGE_CODE = "en-us"
# English only for now; without the translation machinery every date and number in a
# template renders faster. Turning it on again is one line (and LocaleMiddleware).
USE_I18N = False
USE_TZ = True
# Times are stored in UTC; this zone is only the default for visitors and new members.
TIME_ZONE = env_str("TIME_ZONE", "America/New_York")
if TIME_ZONE not in available_timezones():
    fail(f"TIME_ZONE must be an IANA time zone such as America/Denver (got {TIME_ZONE!r}).")

# --- Static files -----------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = BASE_DIR / "media"

# --- Security ---------------------------------------------------------------------------
# Behind a TLS-terminating proxy, set SECURE_PROXY_SSL_HEADER=1 so that Django trusts
# X-Forwarded-Proto from it (and only then: the proxy must overwrite that header).
if env_bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
_secure_default = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=_secure_default)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if _secure_default else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=_secure_default)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=_secure_default)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=_secure_default)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "community.pages.errors.csrf_failure"

# A strict policy: scripts only from us and with the per-request nonce; no inline
# styles or scripts; no framing; forms post only to us.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# --- Logging ----------------------------------------------------------------------------
# One line per event, key=value, to stdout; no personal data (see community/core/logging.py).
LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"logfmt": {"()": "community.core.logging.LogfmtFormatter"}},
    "filters": {"route_not_path": {"()": "community.core.logging.RouteNotPathFilter"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": sys.stdout,
            "formatter": "logfmt",
            "filters": ["route_not_path"],
        }
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        # The request log middleware writes one line per request; Django's own would
        # repeat it and include the full path.
        "django.request": {"level": "ERROR", "filters": ["route_not_path"]},
        "django.security.csrf": {"filters": ["route_not_path"]},
        "django.server": {"level": "WARNING"},
    },
}

# --- Community rules --------------------------------------------------------------------
# Accounts younger than this many hours have new-account limits (docs/safety.md rule 11).
NEW_ACCOUNT_HOURS = env_int("NEW_ACCOUNT_HOURS", 24)
NEW_ACCOUNT_POSTS_PER_HOUR = env_int("NEW_ACCOUNT_POSTS_PER_HOUR", 5)
# Content reported by this many different members is hidden until a moderator looks.
REPORTS_TO_HIDE = env_int("REPORTS_TO_HIDE", 3)

# --- My treatment journey ---------------------------------------------------------------
# Fernet keys (comma-separated, newest first) that encrypt every member's journal at rest.
# The first key encrypts; all of them decrypt, so a new key can be put in front and the old
# one dropped after `manage.py rotate_journal_key` (docs/deploy.md). Development and tests
# derive one from SECRET_KEY; production refuses to start without it.
JOURNAL_ENCRYPTION_KEYS = env_list("JOURNAL_ENCRYPTION_KEYS")
if not JOURNAL_ENCRYPTION_KEYS:
    if DEBUG or CODE_CHECK_ONLY:
        JOURNAL_ENCRYPTION_KEYS = [
            base64.urlsafe_b64encode(hashlib.sha256(b"journal:" + SECRET_KEY.encode()).digest()).decode()
        ]
    else:
        fail(
            "JOURNAL_ENCRYPTION_KEYS is not set. Set it to a Fernet key "
            "(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')."
        )
for _key in JOURNAL_ENCRYPTION_KEYS:
    try:
        Fernet(_key)
    except ValueError:
        fail("JOURNAL_ENCRYPTION_KEYS must be Fernet keys (32 url-safe base64-encoded bytes), comma-separated.")

# --- Load benchmark -------------------------------------------------------------------------
# BENCHMARK=1 adds /bench/floor, a bare view that the load benchmark measures as the floor
# no page can beat (benchmarks/load_bench.py). Off everywhere else.
BENCHMARK = env_bool("BENCHMARK", default=False)
