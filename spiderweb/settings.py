"""Spiderweb settings, read from the environment.

With nothing set, Spiderweb runs embedded: SQLite and generated keys under `var/`, Celery tasks in
the web process, an in-memory cache. `DATABASE_URL`, `CELERY_BROKER_URL` and `REDIS_URL` switch to
PostgreSQL, a Redis broker and a Redis cache. `.env.example` lists every variable.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from spiderweb.env import env_bool, env_float, env_int, env_list, env_str, load_dotenv, private_file, random_secret

BASE_DIR = Path(__file__).resolve().parent.parent
load_dotenv(BASE_DIR / ".env")

VAR_DIR = Path(env_str("SPIDERWEB_VAR_DIR") or BASE_DIR / "var").resolve()

SECRET_KEY = env_str("SPIDERWEB_SECRET_KEY") or private_file(VAR_DIR / "secret_key", random_secret)
DEBUG = env_bool("SPIDERWEB_DEBUG", False)
ALLOWED_HOSTS = env_list("SPIDERWEB_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("SPIDERWEB_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "connections",
    "resources",
]

MIDDLEWARE = [
    # First, so it sees every answer: any error under /api/ leaves as JSON in the one error model.
    "spiderweb.middleware.JsonApiErrors",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "spiderweb.urls"
WSGI_APPLICATION = "spiderweb.wsgi.application"

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
                "resources.context_processors.resource_kinds",
            ],
        },
    },
]

# --- Database: SQLite under var/ unless DATABASE_URL names another one.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "spiderweb.sqlite3"),
            # Several gunicorn threads and the in-process tasks write at once in the embedded mode.
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: Redis when REDIS_URL is set, else process memory.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "spiderweb",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "spiderweb"}}

# --- Celery: a Redis (or other) broker when CELERY_BROKER_URL is set, else tasks run in-process.
SPIDERWEB_BROKER_URL = env_str("CELERY_BROKER_URL")
# In-process mode still names a broker Celery can parse (nothing is sent to it), so that Celery
# does not fall back to guessing a localhost AMQP server.
CELERY_BROKER_URL = SPIDERWEB_BROKER_URL or "memory://"
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND") or SPIDERWEB_BROKER_URL or None
CELERY_TASK_ALWAYS_EAGER = not SPIDERWEB_BROKER_URL
CELERY_TASK_DEFAULT_QUEUE = env_str("SPIDERWEB_TASK_QUEUE", "spiderweb")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]

# Operations: how long a request waits for its operation before answering 202; when a running
# operation without a heartbeat, or a pending one no worker took, counts as lost; retries of
# transient cloud errors (throttling, timeouts, 5xx).
SPIDERWEB_OPERATION_WAIT_SECONDS = env_int("SPIDERWEB_OPERATION_WAIT_SECONDS", 60)
# Without a broker, operations run on this many threads of the web process.
SPIDERWEB_IN_PROCESS_WORKERS = env_int("SPIDERWEB_IN_PROCESS_WORKERS", 8)
SPIDERWEB_OPERATION_STALE_SECONDS = env_int("SPIDERWEB_OPERATION_STALE_SECONDS", 900)
SPIDERWEB_OPERATION_PENDING_SECONDS = env_int("SPIDERWEB_OPERATION_PENDING_SECONDS", 3600)
SPIDERWEB_RETRY = {
    "attempts": env_int("SPIDERWEB_RETRY_ATTEMPTS", 4),
    "base_delay": 0.5,
    "max_delay": float(env_int("SPIDERWEB_RETRY_MAX_DELAY_SECONDS", 10)),
}
# Inventory: listings of every (connection, kind) run side by side, at most this many at once in all
# and per provider; each listing has a deadline; data older than the stale age is flagged; beat
# refreshes everything every interval.
SPIDERWEB_INVENTORY_CONCURRENCY = env_int("SPIDERWEB_INVENTORY_CONCURRENCY", 64)
SPIDERWEB_INVENTORY_PROVIDER_CONCURRENCY = env_int("SPIDERWEB_INVENTORY_PROVIDER_CONCURRENCY", 64)
SPIDERWEB_INVENTORY_DEADLINE_SECONDS = env_int("SPIDERWEB_INVENTORY_DEADLINE_SECONDS", 30)
SPIDERWEB_INVENTORY_STALE_SECONDS = env_int("SPIDERWEB_INVENTORY_STALE_SECONDS", 900)
SPIDERWEB_INVENTORY_INTERVAL_SECONDS = env_int("SPIDERWEB_INVENTORY_INTERVAL_SECONDS", 300)
SPIDERWEB_INVENTORY_REFRESH_AFTER_CHANGE = env_bool("SPIDERWEB_INVENTORY_REFRESH_AFTER_CHANGE", True)
# Creating or changing a Kubernetes cluster: how long its operation waits for it to be Active again,
# and how often it asks.
SPIDERWEB_CLUSTER_WAIT_SECONDS = env_int("SPIDERWEB_CLUSTER_WAIT_SECONDS", 3600)
SPIDERWEB_CLUSTER_POLL_SECONDS = float(env_int("SPIDERWEB_CLUSTER_POLL_SECONDS", 10))
CELERY_BEAT_SCHEDULE = {
    "sweep-lost-operations": {"task": "resources.sweep_operations", "schedule": 60.0},
    "refresh-inventory": {
        "task": "resources.refresh_inventory",
        "schedule": float(SPIDERWEB_INVENTORY_INTERVAL_SECONDS),
    },
}

# --- Credential encryption: Fernet keys, newest first; the embedded default keeps one in var/.
SPIDERWEB_CREDENTIAL_KEYS = env_list("SPIDERWEB_CREDENTIAL_KEYS")
SPIDERWEB_CREDENTIAL_KEY_FILE = VAR_DIR / "credential.key"

# --- Drivers: constructor options per driver name. The mock cloud keeps its state in Redis when a
# Redis is configured (shared by web and every worker), else in a SQLite file beside ours.
SPIDERWEB_MOCK_STORE = env_str("SPIDERWEB_MOCK_STORE") or REDIS_URL or f"sqlite:///{VAR_DIR / 'mockcloud.sqlite3'}"
# How long the mock's VMs, disks and images stay in a transitional state (Creating, Suspending…).
SPIDERWEB_MOCK_SETTLE_SECONDS = env_float("SPIDERWEB_MOCK_SETTLE_SECONDS", 1.0)
SPIDERWEB_DRIVER_OPTIONS = {
    "mock": {"store_url": SPIDERWEB_MOCK_STORE, "settle_seconds": SPIDERWEB_MOCK_SETTLE_SECONDS}
}

# --- Cloud meta information (regions, images, specs, prices) is cached per connection, in seconds.
SPIDERWEB_META_CACHE_TTL = {
    "region_zones": env_int("SPIDERWEB_META_TTL_REGION_ZONES", 3600),
    "images": env_int("SPIDERWEB_META_TTL_IMAGES", 3600),
    "specs": env_int("SPIDERWEB_META_TTL_SPECS", 3600),
    "prices": env_int("SPIDERWEB_META_TTL_PRICES", 900),
}

# --- Auth.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SPIDERWEB_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# --- API.
REST_FRAMEWORK = {
    # Token first: an anonymous API call then gets 401 with a WWW-Authenticate challenge.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.BasicAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["spiderweb.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "spiderweb.api.Pagination",
    "DEFAULT_SCHEMA_CLASS": "spiderweb.schema.SpiderwebSchema",
    "EXCEPTION_HANDLER": "spiderweb.api.exception_handler",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Spiderweb API",
    "DESCRIPTION": "One API for many clouds: register connections, then drive any cloud the same way.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several fields are called "protocol" with different choices: name each set.
    "ENUM_NAME_OVERRIDES": {
        "RuleProtocolEnum": ["TCP", "UDP", "ICMP", "ALL"],
        "TransportProtocolEnum": ["TCP", "UDP"],
        "HealthCheckProtocolEnum": ["TCP", "HTTP", "HTTPS"],
    },
    # Views declare their successful answers; the error answers (and 202's headers) are added for all.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "spiderweb.schema.document_errors",
    ],
}

# --- Static files: served by WhiteNoise from the source folders, so no collectstatic step is needed.
# SPIDERWEB_STATIC_ROOT is only for deployments that collect them for a separate web server.
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env_str("SPIDERWEB_STATIC_ROOT") or None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

LOG_LEVEL = env_str("SPIDERWEB_LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # The cloud SDKs log every HTTP request at INFO; their warnings are what matter here.
    "loggers": {
        name: {"level": "WARNING"} for name in ("django.db.backends", "azure", "botocore", "google", "urllib3")
    },
}
