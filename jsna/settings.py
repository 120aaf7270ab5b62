"""One settings module for every environment, driven by environment variables.

Read from the process environment, then from a `.env` file in the project root if one exists
(`make run` writes one for local use). Production secrets have no default: with `DEBUG=0` and no
`SECRET_KEY` the site refuses to start.
"""

import contextlib
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if not env.bool("JSNA_IGNORE_DOTENV", default=False):
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Set it in the environment (production) or run `make run`, "
        "which writes a random local key to .env."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "jsna.apps.JsnaConfig",
    "audit",
    "needs",
    "provision",
    "uploads",
    "gapanalysis",
    "recorded",
    "axes",  # sign-in throttling; see the block below AUTH_PASSWORD_VALIDATORS
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A NUL byte in the path, query string or a plain form is a 400 before any view reads it.
    "jsna.middleware.RejectNulBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a login unless its view is marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Content-Security-Policy on every response that has none of its own (jsna/csp.py).
    "jsna.csp.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the lockout page
]

ROOT_URLCONF = "jsna.urls"
WSGI_APPLICATION = "jsna.wsgi.application"
ASGI_APPLICATION = "jsna.asgi.application"

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
                "jsna.context_processors.data_labels",
            ],
            "builtins": ["jsna.templatetags.identity"],
        },
    },
]

# Whose site this is. The NHS identity (the NHS logo) is for NHS organisations only: a council
# running the tool shows its own name, and sets NHS_ORGANISATION=1 only if it is an NHS body.
SITE_NAME = env.str("SITE_NAME", default="Mental health needs mapping").strip()
SITE_NAME = SITE_NAME or "Mental health needs mapping"
ORGANISATION_NAME = env.str("ORGANISATION_NAME", default="").strip()
NHS_ORGANISATION = env.bool("NHS_ORGANISATION", default=False)

# An empty DATABASE_URL means the default too: the embedded SQLite file in the project.
DATABASE_URL = env.str("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASES = {"default": environ.Env.db_url_config(DATABASE_URL)}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Speed: keep each worker's database connection for a minute instead of opening one a request
# (PostgreSQL starts a process for every connection); checked before reuse. 0 turns it off.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A second process (the server while a task runs in-process) must wait, not fail, on a lock.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database host that has gone away fails a request in 5 s (then the 503 page), not ~2 min.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 5
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sign-in throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username,
# or from one address, further attempts are refused — even with the right password — for
# AXES_COOLOFF_MINUTES. Behind the compose nginx (JSNA_TRUSTED_PROXY_COUNT=1) the address is
# the one nginx saw; otherwise X-Forwarded-For is ignored, so a client cannot choose its own.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.float("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "jsna.signin.lockout_response"
AXES_CLIENT_IP_CALLABLE = "jsna.signin.client_ip"
AXES_USERNAME_CALLABLE = "jsna.signin.attempted_username"
TRUSTED_PROXY_COUNT = env.int("JSNA_TRUSTED_PROXY_COUNT", default=0)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "/media/"
# Uploaded data files: larger files are refused before they are read (JSNA_UPLOAD_MAX_MB).
UPLOAD_MAX_BYTES = env.int("JSNA_UPLOAD_MAX_MB", default=200) * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024  # larger uploads stream to a temporary file
# Uploads in flight (uploads.storage): a larger file streams to FILE_UPLOAD_TEMP_DIR while the
# request is read, then is copied to a `.part` file beside it and renamed into MEDIA_ROOT/uploads
# only as its Upload row commits. Both sit under MEDIA_ROOT so `clean_uploads` can sweep what a
# killed process leaves: temporary files older than JSNA_UPLOAD_TEMP_MINUTES, and stored files
# with no row. It also deletes refused uploads after JSNA_UPLOAD_REFUSED_DAYS and checked ones
# never confirmed after JSNA_UPLOAD_STALE_DAYS (never an imported one). Per analyst, files not
# (yet) imported may hold JSNA_UPLOAD_QUOTA_PENDING_MB, all kept files JSNA_UPLOAD_QUOTA_TOTAL_MB
# (0: no limit).
FILE_UPLOAD_TEMP_DIR = env.str("FILE_UPLOAD_TEMP_DIR", default=f"{MEDIA_ROOT}/uploads-incoming")
# Django refuses to start (files.E001) if it does not exist; on a read-only build step it may
# not be made here, and the upload view makes it when needed.
with contextlib.suppress(OSError):
    Path(FILE_UPLOAD_TEMP_DIR).mkdir(parents=True, exist_ok=True)
UPLOAD_TEMP_MINUTES = env.int("JSNA_UPLOAD_TEMP_MINUTES", default=120)
UPLOAD_REFUSED_DAYS = env.int("JSNA_UPLOAD_REFUSED_DAYS", default=7)
UPLOAD_STALE_DAYS = env.int("JSNA_UPLOAD_STALE_DAYS", default=30)
UPLOAD_QUOTA_PENDING_BYTES = env.int("JSNA_UPLOAD_QUOTA_PENDING_MB", default=1000) * 1024 * 1024
UPLOAD_QUOTA_TOTAL_BYTES = env.int("JSNA_UPLOAD_QUOTA_TOTAL_MB", default=10000) * 1024 * 1024
UPLOAD_CLEAN_EVERY_MINUTES = env.int("JSNA_UPLOAD_CLEAN_EVERY_MINUTES", default=60)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Stable (unhashed) names: stored map documents refer to the vendored Leaflet by path.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the app directories when nothing was collected (local runs and tests).
WHITENOISE_USE_FINDERS = DEBUG or not Path(STATIC_ROOT).exists()

# Map tiles are optional: with no URL the maps draw boundaries on a plain background offline.
MAP_TILES_URL = env.str("MAP_TILES_URL", default="")
MAP_TILES_ATTRIBUTION = env.str("MAP_TILES_ATTRIBUTION", default="")

# Celery: with REDIS_URL, a real broker and result backend; without it, tasks run in-process.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
# Import progress is written to the cache while the import's transaction is still open.
CACHES = {
    "default": (
        {
            # Redis, but a down Redis is a cache miss, never an error (jsna/cache.py).
            "BACKEND": "jsna.cache.TolerantRedisCache",
            "LOCATION": REDIS_URL,
            # A down Redis fails a cache call in 2 s rather than hanging the page.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=600)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=660)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis redelivers an unacknowledged task after this long; longer than any task may run.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 300}
# Faults (broker down, worker killed). A send connects once, within 2 s, and is refused if the
# broker does not answer (taskqueue.dispatch). A running task writes a heartbeat every
# TASK_HEARTBEAT_SECONDS from a thread; the sweep (`manage.py sweep_tasks --every 30`, the
# compose `sweeper` service) fails a run, export or import silent for TASK_STALE_AFTER_SECONDS,
# sends a row queued for TASK_RESEND_AFTER_SECONDS once more (its message may have been lost),
# and fails one no worker took within TASK_QUEUED_GIVE_UP_SECONDS.
CELERY_BROKER_TRANSPORT_OPTIONS["socket_connect_timeout"] = 2
TASK_HEARTBEAT_SECONDS = env.float("TASK_HEARTBEAT_SECONDS", default=15)
TASK_STALE_AFTER_SECONDS = env.int("TASK_STALE_AFTER_SECONDS", default=90)
TASK_RESEND_AFTER_SECONDS = env.int("TASK_RESEND_AFTER_SECONDS", default=120)
TASK_QUEUED_GIVE_UP_SECONDS = env.int("TASK_QUEUED_GIVE_UP_SECONDS", default=3600)
# Unmet-need statements say "fewer than N" instead of any count of people below N.
STATEMENT_SUPPRESS_BELOW = env.int("STATEMENT_SUPPRESS_BELOW", default=10)
# Seconds to pause after each analysis step: only the worker-kill test sets it (slow motion).
ANALYSIS_STEP_PAUSE_SECONDS = env.float("ANALYSIS_STEP_PAUSE_SECONDS", default=0.0)

# Security: strict by default whenever DEBUG is off; each can be relaxed explicitly from the
# environment (for example behind a TLS-terminating proxy on a private network).
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# The health check answers a probe on plain HTTP inside the deployment (no redirect to https).
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
