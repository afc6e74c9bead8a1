"""Settings for the client portal, read from the environment (and an optional .env).

Every value an operator may change is read here and nowhere else. The policy
settings at the bottom carry the product's rules: lockout, password age,
sessions and forgot-password limits.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is missing. Set it in the environment or in .env, for "
            "example with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "accounts",
    "clientportal",
]

MIDDLEWARE = [
    # First, so load balancers get a response without a session, the HTTPS
    # redirect or a Host header check.
    "clientportal.health.health_check",
    "django.middleware.security.SecurityMiddleware",
    "clientportal.middleware.security_headers",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.session_limits",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "clientportal.context_processors.password_expiry",
                "clientportal.context_processors.staff_menu",
            ],
        },
    },
]

# Database: a SQLite file by default, PostgreSQL in production.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes SQLite's write lock when a transaction starts, so the
    # per-account serialisation of sign-in attempts holds on SQLite too.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
# Persistent connections, for SQLite too: opening one (and running the
# init_command above) on every request costs more than many queries.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.AccountBackend",
]
LOGIN_URL = "clientportal:sign-in"
LOGIN_REDIRECT_URL = "clientportal:portal"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": (
            "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
        ),
        "OPTIONS": {
            "user_attributes": ("username", "first_name", "last_name", "email")
        },
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.validators.CharacterClassValidator"},
]

# Sessions: the idle and absolute limits are enforced by
# accounts.middleware.session_limits; the cookie lives as long as the absolute limit.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_IDLE_TIMEOUT = timedelta(minutes=env.int("SESSION_IDLE_MINUTES", default=30))
SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=env.int("SESSION_MAX_HOURS", default=12))
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "clientportal.views.errors.csrf_failure"

# Email: EMAIL_URL such as smtp://user:pass@relay:587/?tls=True; console by default.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
# A worker reuses one SMTP connection for consecutive emails (see
# accounts/mail_connection.py) and opens a new one when the open connection is
# this many seconds old, or has been idle this long. 0 turns reuse off.
EMAIL_CONNECTION_MAX_AGE = env.int("EMAIL_CONNECTION_MAX_AGE", default=60)
EMAIL_CONNECTION_MAX_IDLE = env.int("EMAIL_CONNECTION_MAX_IDLE", default=5)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="portal@warehouse.invalid")

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

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

# Production hardening. Each can be turned off for a plain-HTTP setup.
SECURE_HTTPS = env.bool("SECURE_HTTPS", default=not DEBUG)
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=SECURE_HTTPS)
SECURE_HSTS_SECONDS = env.int("HSTS_SECONDS", default=31536000 if SECURE_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("HSTS_PRELOAD", default=False)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Number of reverse proxies in front of the app whose X-Forwarded-For is trusted.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# django-axes records every attempt; accounts.signin decides and serialises.
AXES_FAILURE_LIMIT = env.int("LOCKOUT_FAILURE_LIMIT", default=3)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_PASSWORD_FORM_FIELD = "password"  # noqa: S105 - a form field name
AXES_USERNAME_CALLABLE = "accounts.usernames.axes_username"
AXES_CLIENT_IP_CALLABLE = "accounts.client_ip.client_ip"
AXES_COOLOFF_TIME = None
# accounts.locking.clear_failures deletes the attempts on every success, in the
# sign-in transaction and also for expired passwords, which never call login().
AXES_RESET_ON_SUCCESS = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_DISABLE_ACCESS_LOG = False
# The sign-in views render the product's own locked page; axes keeps it.
AXES_LOCKOUT_CALLABLE = "clientportal.views.signin.keep_locked_page"
AXES_VERBOSE = False
SILENCED_SYSTEM_CHECKS = [
    # Locks are per account by design (PRODUCT: three failures lock the
    # account); rotating user agents cannot dodge a username-keyed count.
    "axes.W006",
    # HSTS preload commits the whole domain and its subdomains to HTTPS in
    # browsers for months; operators opt in with HSTS_PRELOAD=true.
    "security.W021",
]

# Product policy.
LOCKOUT_FAILURE_LIMIT = AXES_FAILURE_LIMIT
CONCURRENT_SIGN_IN_POLICY = env.str("CONCURRENT_SIGN_IN_POLICY", default="lock")
if CONCURRENT_SIGN_IN_POLICY not in {"lock", "end_other_sessions", "allow"}:
    raise ImproperlyConfigured(
        f"CONCURRENT_SIGN_IN_POLICY={CONCURRENT_SIGN_IN_POLICY!r} is invalid; "
        "use lock, end_other_sessions or allow."
    )
PASSWORD_MAX_AGE = timedelta(days=env.int("PASSWORD_MAX_AGE_DAYS", default=365))
PASSWORD_EXPIRY_WARNING = timedelta(
    days=env.int("PASSWORD_EXPIRY_WARNING_DAYS", default=14)
)
PASSWORD_LENGTH = 16
PENDING_PASSWORD_LIFETIME = timedelta(
    hours=env.int("PENDING_PASSWORD_HOURS", default=24)
)
# While an account is locked, an emailed password can still lift the lock.
# This many different wrong tries discard it, so a locked account cannot be
# used to make the server hash without limit.
PENDING_PASSWORD_TRIES_WHILE_LOCKED = env.int(
    "PENDING_PASSWORD_TRIES_WHILE_LOCKED", default=3
)
FORGOT_PASSWORD_EMAILS_PER_ACCOUNT_HOUR = env.int(
    "FORGOT_PASSWORD_EMAILS_PER_ACCOUNT_HOUR", default=3
)
FORGOT_PASSWORD_REQUESTS_PER_IP_HOUR = env.int(
    "FORGOT_PASSWORD_REQUESTS_PER_IP_HOUR", default=20
)
# Mail retries wait BASE, 2*BASE, 4*BASE ... seconds, each wait capped at MAX.
# The defaults keep trying for about five hours before giving up.
EMAIL_RETRY_ATTEMPTS = env.int("EMAIL_RETRY_ATTEMPTS", default=12)
EMAIL_RETRY_BASE_SECONDS = env.int("EMAIL_RETRY_BASE_SECONDS", default=30)
EMAIL_RETRY_MAX_SECONDS = env.int("EMAIL_RETRY_MAX_SECONDS", default=3600)

SECURITY_LOGGER = "accounts.security"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "django.db.backends": {"level": "INFO"},
    },
}
