"""Django settings. Every value that changes between installs comes from filmroll.config."""

from __future__ import annotations

import functools
import os
import sys
import zlib
from typing import Any
from urllib.parse import unquote, urlsplit

import dj_database_url
from pymemcache.client.rendezvous import RendezvousHash

from filmroll import config

FILMROLL = config.load()
DATA_DIR = FILMROLL.data_dir
# Metrics from every process (Gunicorn and task workers) go to files here, summed at each
# scrape; set before prometheus_client is first imported (filmroll.observe.metrics).
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(DATA_DIR / "metrics"))
os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)

SECRET_KEY = FILMROLL.secret_key
DEBUG = FILMROLL.debug
ALLOWED_HOSTS = FILMROLL.allowed_hosts

INSTALLED_APPS = [
    "filmroll.sharding",
    "filmroll.accounts",
    "filmroll.media",
    "filmroll.graph",
    "filmroll.tasks",
    "filmroll.discovery",
    "filmroll.feeds",
    "filmroll.limits",
    "filmroll.realtime",
    "filmroll.push",
    "filmroll.sharing",
    "filmroll.moderation",
    "filmroll.leaving",
    "filmroll.api",
    "filmroll.ops",
    "filmroll.web",
    "oauth2_provider",
    "drf_spectacular_sidecar",  # Redoc's static files for /api/v1/docs
    "leaflet",  # Leaflet's static files for the Photo Map (its widgets and tags are not used)
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "filmroll.ops.middleware.Observe",
    # X-Forwarded-Proto only from trusted proxies; Secure cookies on HTTPS (outside every
    # middleware that sets cookies)
    "filmroll.web.transport.Transport",
    "django.middleware.security.SecurityMiddleware",
    # input that cannot be stored or parsed: refused before anything reads it (CSRF reads forms)
    "filmroll.api.inputs.RefuseMalformedInput",
    "filmroll.sharding.replicas.ReplicaReads",
    # static files, sessions, CSRF, request.user and messages for the pages, not for the API
    # (filmroll.api.hosts.web_only: the API reads none of them)
    "filmroll.api.hosts.StaticFiles",
    "filmroll.api.hosts.Sessions",
    # the pages' language from Accept-Language, else FILMROLL_LANGUAGE (after sessions, before
    # CommonMiddleware, as Django asks)
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "filmroll.api.hosts.ApiHost",
    "filmroll.api.hosts.Csrf",
    "filmroll.api.hosts.Authentication",
    "filmroll.api.hosts.Messages",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "filmroll.web.security.ContentSecurityPolicy",
    # a database, Redis or photo store fault in a page: 503 with Retry-After, not 500 (last:
    # its process_exception is asked first)
    "filmroll.web.unavailable.Unavailable",
]

ROOT_URLCONF = "filmroll.urls"
WSGI_APPLICATION = "filmroll.wsgi.application"
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "filmroll.web.context.header",
            ],
        },
    },
]


def _database(url: str, test_name: str) -> dj_database_url.DBConfig:
    db = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    if db["ENGINE"].endswith("sqlite3"):
        # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at BEGIN so two
        # writers queue up instead of failing with "database is locked" on lock upgrade.
        # Django's, but a connection that met an operational error is opened again, not kept:
        # one opened while the file could not be written stays read-only (sharding/sqlite3)
        db["ENGINE"] = "filmroll.sharding.sqlite3"
        db["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        }
        # A file, not :memory:, so tests can reach it from other processes.
        db["TEST"] = {"NAME": str(DATA_DIR / f"test-{test_name}.sqlite3")}
    else:
        # pgbouncer in transaction mode cannot keep server-side cursors between statements.
        db["DISABLE_SERVER_SIDE_CURSORS"] = True
    return db


DATABASES = {"default": _database(FILMROLL.database_url, "global")}
for _name, _url in FILMROLL.shard_databases.items():
    DATABASES[_name] = _database(_url, _name)
for _name, _url in FILMROLL.shard_replicas.items():
    # A replica that is down must not hold a read up for long (sharding.replicas skips it).
    DATABASES[f"{_name}_replica"] = _database(_url, f"{_name}_replica")
    DATABASES[f"{_name}_replica"]["OPTIONS"] = {"connect_timeout": 1}
    DATABASES[f"{_name}_replica"]["TEST"] = {"MIRROR": _name}
DATABASES["index"] = _database(FILMROLL.index_database, "index")
DATABASE_ROUTERS = ["filmroll.sharding.router.GlobalOnlyRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The packages that keep tables on the logical shards, each declaring them in its schema.py
# (filmroll/sharding/schema.py says how); within one step, their parts run in this order.
SHARD_SCHEMAS = [
    "filmroll.accounts.schema",
    "filmroll.graph.schema",
    "filmroll.media.schema",
    "filmroll.places.schema",
    "filmroll.activity.schema",
    "filmroll.feeds.schema",
    "filmroll.sharding.outbox",
    "filmroll.discovery.schema",
]

# Where each package declares what it keeps about a person (sharding/personal.py): what deleting
# an account removes and "Download your data" reads. A package new to personal data adds its own.
PERSONAL_DATA = [
    "filmroll.accounts.personal",
    "filmroll.graph.personal",
    "filmroll.media.personal",
    "filmroll.places.personal",
    "filmroll.activity.personal",
    "filmroll.feeds.personal",
    "filmroll.sharding.personal",
    "filmroll.discovery.personal",
    "filmroll.realtime.personal",
    "filmroll.push.personal",
    "filmroll.sharing.personal",
    "filmroll.moderation.personal",
    "filmroll.leaving.personal",
]

AUTH_USER_MODEL = "accounts.User"
# The only backend: Django's model backend behind the log-in throttle, so every password check
# (API, web, admin, OAuth) is counted before it is made.
AUTHENTICATION_BACKENDS = ["filmroll.accounts.backends.Throttled"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER: dict[str, Any] = {
    "ACCESS_TOKEN_EXPIRE_SECONDS": FILMROLL.token_days * 86400,
    "SCOPES": {
        "basic": "Read your profile and photos",
        "public_content": "Read public profiles and photos",
        "comments": "Post and delete comments for you",
        "relationships": "Follow and unfollow for you",
        "likes": "Like and unlike for you",
        "follower_list": "Read your followers and who you follow",
    },
    "DEFAULT_SCOPES": ["basic"],
    # Instagram-era apps send no PKCE; apps that send it (S256) get it checked, and "plain" is
    # refused (RFC 9700; clients.Validator refuses it before the consent page already).
    "PKCE_REQUIRED": False,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    # Ask once per app and set of scopes, as Instagram did.
    "REQUEST_APPROVAL_PROMPT": "auto",
    # No resource owner password grant for any app (clients.Validator refuses it before the
    # password is read; the library's own switch says the same).
    "OAUTH2_VALIDATOR_CLASS": "filmroll.accounts.clients.Validator",
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    # Staff register apps for the grants filmroll offers (clients.APP_GRANTS) there too.
    "APPLICATION_ADMIN_CLASS": "filmroll.accounts.app_admin.ApplicationAdmin",
}
LOGIN_URL = "/accounts/login/"
# Password-reset mail: printed to the console unless an SMTP server is configured.
if FILMROLL.smtp_url:
    _smtp = urlsplit(FILMROLL.smtp_url)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST, EMAIL_PORT = _smtp.hostname, _smtp.port or 587
    EMAIL_HOST_USER, EMAIL_HOST_PASSWORD = (
        unquote(_smtp.username or ""),
        unquote(_smtp.password or ""),
    )
    EMAIL_USE_TLS = _smtp.scheme == "smtp+tls"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = FILMROLL.mail_from

LANGUAGE_CODE = FILMROLL.language
# The languages the web app is translated into (filmroll/locale; `make messages` updates them).
LANGUAGES = [("en", "English"), ("de", "Deutsch")]
LOCALE_PATHS = [os.path.join(os.path.dirname(__file__), "locale")]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# The app serves its own static files (WhiteNoise, straight from the apps' static folders).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
# Django's storages, the static files' remembering each URL it works out (filmroll/staticfiles.py).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "filmroll.staticfiles.KeptUrls"},
}
MEDIA_ROOT = DATA_DIR / "media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = FILMROLL.max_upload_bytes + 1024 * 1024


def _crc32(key: str, seed: int = 0) -> int:
    return zlib.crc32(key.encode(), seed)


def object_cache(servers: list[str]) -> dict:
    """The object cache on these memcached servers (pymemcache hashes keys over them on the
    client): the cluster's setting, and the tests' on a memcached of their own."""
    return {
        "BACKEND": "filmroll.objcache.KeptPyMemcacheCache",
        "LOCATION": servers,
        "OPTIONS": {
            "no_delay": True,
            "ignore_exc": True,
            "max_pool_size": 8,
            "connect_timeout": 1,
            "timeout": 1,
            # pymemcache's default key hash is pure-Python murmur3 (~40 us a key); crc32 is C.
            "hasher": functools.partial(RendezvousHash, hash_function=_crc32),
        },
    }


# The object cache: memcached servers in a cluster, this process's memory in the embedded default.
if FILMROLL.cache_servers:
    CACHES = {"default": object_cache(list(FILMROLL.cache_servers))}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Web sessions: Redis in a cluster, the global database in the embedded default.
if FILMROLL.session_redis:
    CACHES["sessions"] = {
        "BACKEND": "filmroll.redisconn.FollowingRedisCache",
        "LOCATION": FILMROLL.session_redis,
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    SESSION_CACHE_ALIAS = "sessions"

SESSION_COOKIE_HTTPONLY = True
# Behind nginx (FILMROLL_TRUSTED_PROXIES), which sets X-Forwarded-Proto on every request it passes:
# requests that came over HTTPS build https:// links, get Secure cookies and HSTS. The header is
# believed only from a trusted proxy (web/transport drops it from anyone else).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = FILMROLL.hsts_seconds  # sent on HTTPS answers only
if FILMROLL.https_only:
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^healthz/deep$"]  # load balancers' plain checks
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Short lines for a person at a terminal, JSON lines for log shippers (FILMROLL_LOG_FORMAT).
LOG_FORMAT = FILMROLL.log_format
if LOG_FORMAT == "auto":
    LOG_FORMAT = "text" if sys.stderr.isatty() else "json"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "filmroll.observe.logs.JsonFormatter"},
        "text": {"()": "filmroll.observe.logs.HumanFormatter"},
    },
    "filters": {
        "json": {"()": "filmroll.observe.logs.ForMachines"},
        "text": {"()": "filmroll.observe.logs.ForPeople"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": [LOG_FORMAT],
        }
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    # one line per request and per task (summarised for people)
    "loggers": {
        name: {"level": "INFO" if FILMROLL.request_logs else "WARNING"}
        for name in ("filmroll.request", "filmroll.task", "filmroll.tasks.summary")
    },
}

if FILMROLL.sentry_dsn:
    from filmroll.observe import reporting

    reporting.start(FILMROLL.sentry_dsn)
