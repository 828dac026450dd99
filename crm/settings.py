"""Siyu settings: one module, every deploy-specific value read from the environment.

The defaults run the embedded demo (SQLite file and a file-system Celery broker under var/)
with nothing else installed. Production sets DATABASE_URL, REDIS_URL, SECRET_KEY, DEBUG=0 and
ALLOWED_HOSTS; see the README's table of environment variables.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SIYU_VAR_DIR", BASE_DIR / "var"))


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

_DEV_SECRET_KEY = "django-insecure-siyu-demo-key-only-for-local-debug-runs"
SECRET_KEY = env("SECRET_KEY") or (_DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "crm",
    "contacts",
    "content",
    "scheduler",
    "homes",  # the home pages: above every other app
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "crm.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "crm.security.ContentSecurityPolicyMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "crm.urls"
WSGI_APPLICATION = "crm.wsgi.application"

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
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "crm.context_processors.navigation",
            ],
        },
    },
]

# The embedded default is a SQLite file so the demo needs no server; production and CI
# point DATABASE_URL at PostgreSQL, which the scale targets and row-claiming dispatch need.
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'siyu.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the demo's web process read while the worker writes.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL;"
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # The interactions index INCLUDEs columns for PostgreSQL's index-only scans; SQLite keeps
    # the index without them, which is all the demo needs.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "crm.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# django-axes first: it refuses a locked-out login before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation: agents work in Chinese; English is the second language.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
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
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))

# Redis, when configured, backs the cache (API throttling, import progress) and Celery.
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "crm.cache.ReusingRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", "siyu"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Sessions are read on every request: from Redis first, the database only on a miss, and
# written to both, so a cache flush signs nobody out. Only with a cache every process shares:
# with a per-process cache, a sign-out in one web worker would not reach the others.
# The same holds for the signed-in user, which every request loads (crm/auth_backends.py).
if REDIS_URL:
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    AUTHENTICATION_BACKENDS[-1] = "crm.auth_backends.CachedModelBackend"

# E-mail (reminders of posts due). The console backend prints them in the demo.
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "siyu@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where people reach the site (https://crm.example.com), for links in e-mails; empty leaves
# links relative to the site.
SITE_URL = env("SITE_URL", "").rstrip("/")

# --- Celery -----------------------------------------------------------------------------
# Without REDIS_URL the broker is kombu's file-system transport: it needs no server, so the
# demo runs on a bare machine. Production uses Redis. The broker only carries "go look"
# messages: what is due lives in the database, so a lost message delays work by one beat tick
# and never doubles it.
_BROKER_DIR = VAR_DIR / "celery"
CELERY_BROKER_URL = env("CELERY_BROKER_URL") or REDIS_URL or "filesystem://"
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("out", "processed", "control"):
        (_BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_BROKER_DIR / "out"),
        "data_folder_out": str(_BROKER_DIR / "out"),
        "processed_folder": str(_BROKER_DIR / "processed"),
        # Broadcast (remote control) messages; kombu's default is ./control in the cwd.
        "control_folder": str(_BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    # Redis redelivers an unacknowledged message after the visibility timeout. It must exceed
    # the hard time limit below, or a slow task would run twice while still running.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 900}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
# JSON only: tasks take ids and plain values, never pickled objects.
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_SERIALIZER = "json"
# Results are written to our own tables by the tasks themselves; no result backend to run.
CELERY_TASK_IGNORE_RESULT = True
# Acknowledge after the task ran, and requeue when a worker dies mid-task: every task is safe
# to run twice (work is claimed in the database), so redelivery is the safe failure.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# One message at a time per worker process: tasks are short but uneven (an import can take
# seconds), and a prefetching worker would sit on due work that an idle one could run.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A stuck publisher or import must not hold a worker forever; the soft limit lets the task
# record its failure before the hard kill.
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
CELERY_WORKER_MAX_TASKS_PER_CHILD = 500  # bounds memory growth from image work
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Periodic jobs. Due times live in the database; beat only says "go look" on a fixed tick.
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "worker-heartbeat": {"task": "crm.tasks.heartbeat", "schedule": 60.0},
    # Daily warmth alerts at 08:00 in each agent's own time zone: a tick every 15 minutes
    # finds the agents whose 08:00 has passed and who have no run for their local date.
    "warmth-alerts": {
        "task": "contacts.tasks.warmth_alerts_tick",
        "schedule": 900.0,
        "options": {"expires": 840},
    },
    # "Go look for due posts". A tick that waited longer than a minute is dropped: the next
    # one does the same work, so stale ticks must not pile up behind a busy worker.
    "scheduler-dispatch": {
        "task": "scheduler.tasks.dispatch_due",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "scheduler-missed": {
        "task": "scheduler.tasks.mark_missed",
        "schedule": 300.0,
        "options": {"expires": 290},
    },
}

# --- Scheduler dispatch (see scheduler/dispatch.py for the protocol) -----------------------
# Publishers every due post goes through, by name: "reminder" (dashboard + optional e-mail),
# "wecom_webhook" (a WeCom group robot).
SCHEDULER_PUBLISHERS = env_list("SCHEDULER_PUBLISHERS", "reminder")
# A claim is a lease: a worker that died mid-send loses its posts to another worker after
# this long. It must exceed the slowest single publish (the webhook times out at 10 s).
SCHEDULER_LEASE_SECONDS = env_int("SCHEDULER_LEASE_SECONDS", 120)
SCHEDULER_BATCH_SIZE = env_int("SCHEDULER_BATCH_SIZE", 50)
# One tick keeps claiming batches for at most this long, well inside the task time limits.
SCHEDULER_TICK_BUDGET_SECONDS = env_int("SCHEDULER_TICK_BUDGET_SECONDS", 50)
# A failing publisher is retried after 1, 2, 4, 8 minutes, then the post is marked failed.
SCHEDULER_MAX_ATTEMPTS = env_int("SCHEDULER_MAX_ATTEMPTS", 5)
SCHEDULER_RETRY_BASE_SECONDS = env_int("SCHEDULER_RETRY_BASE_SECONDS", 60)
# A sent post not confirmed this long after its window closed becomes missed.
SCHEDULER_MISSED_GRACE_MINUTES = env_int("SCHEDULER_MISSED_GRACE_MINUTES", 60)
SCHEDULER_EMAIL_REMINDERS = env_bool("SCHEDULER_EMAIL_REMINDERS", False)
SCHEDULER_WECOM_WEBHOOK_URL = env("SCHEDULER_WECOM_WEBHOOK_URL")
# Tests only: seconds the reminder publisher waits after writing its row (a slow channel),
# so a test can kill a worker mid-send.
SCHEDULER_TEST_PUBLISH_DELAY = float(env("SCHEDULER_TEST_PUBLISH_DELAY", "0") or 0)

# --- Lead warmth (see contacts/warmth/) ---------------------------------------------------
# Tier thresholds on warmth now; a call is worth 10 and a quote request 25, so one fresh call
# makes a lead warm and a quote plus some replies make it hot.
WARMTH_WARM_THRESHOLD = env_int("WARMTH_WARM_THRESHOLD", 10)
WARMTH_HOT_THRESHOLD = env_int("WARMTH_HOT_THRESHOLD", 40)
# A warm or hot lead untouched this many days whose warmth fell a tier is "going cold".
WARMTH_COOLING_DAYS = env_int("WARMTH_COOLING_DAYS", 7)
# The daily alert job runs for each agent once their local time has passed this hour.
WARMTH_ALERT_HOUR = env_int("WARMTH_ALERT_HOUR", 8)

# --- REST API ----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its WWW-Authenticate header turns "not logged in" into a 401, not a 403.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "crm.api.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "crm.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_THROTTLE_ANON", "60/minute"),
        "user": env("API_THROTTLE_USER", "1200/minute"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Siyu API",
    "DESCRIPTION": "Private-domain CRM for insurance agents.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "crm.api.schema.document_error_responses",
    ],
}

# --- Security (strict unless DEBUG; each can be loosened by the environment) --------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_REFERRER_POLICY = "same-origin"
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Sent on every response by crm.security.ContentSecurityPolicyMiddleware. Our pages, the
# admin and the Swagger UI (the split view serves its script as a file) run with no inline
# script or style, so nothing here needs 'unsafe-inline'.
CONTENT_SECURITY_POLICY = env(
    "CONTENT_SECURITY_POLICY",
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
)

# Brute force (django-axes): five failed logins for one username from one address lock that
# pair out of the web login and the token endpoint for the cool-off. Keyed on the pair so a
# stranger cannot lock an agent out from elsewhere, and one address cannot sweep many users
# faster than the API throttle allows.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "crm.security.lockout_response"
# Behind a reverse proxy, set AXES_IPWARE_PROXY_COUNT=1 so the client address comes from
# X-Forwarded-For (the proxy must overwrite, not append to, what the client sent).
AXES_IPWARE_PROXY_COUNT = env_int("AXES_IPWARE_PROXY_COUNT", 0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if AXES_IPWARE_PROXY_COUNT else ("REMOTE_ADDR",)
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
