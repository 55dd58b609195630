"""Every FILMROLL_* environment variable, parsed and checked in one place.

docs/configuration.md documents each one; keep the two in step. With nothing set, filmroll runs
on the embedded default: SQLite files and photos under the data directory, no server needed.
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

PHYSICAL_NAME = re.compile(r"^[a-z][a-z0-9_]{0,30}$")


class ConfigError(Exception):
    """A FILMROLL_* variable has a value filmroll cannot use; the message says how to fix it."""


@dataclass(frozen=True)
class Config:
    data_dir: Path
    secret_key: str
    debug: bool
    allowed_hosts: list[str]
    database_url: str
    # physical shard databases, name -> URL, in the order given
    shard_databases: dict[str, str] = field(default_factory=dict)
    # streaming replicas of physical shard databases, name -> URL: reads that may lag go there
    shard_replicas: dict[str, str] = field(default_factory=dict)
    # straight to each PostgreSQL server, bypassing pgbouncer, for pg_dump and pg_restore (their
    # session settings would leak into pooled connections): global, index and physical names
    maintenance_databases: dict[str, str] = field(default_factory=dict)
    replica_max_lag: int = 5  # seconds a replica may lag and still serve reads
    read_your_writes: int = 10  # seconds a user's own reads go to primaries after they write
    # the discovery index (tags, places, geo search over every shard)
    index_database: str = ""
    logical_shards: int = 256
    bind: str = "127.0.0.1:8000"
    workers: int = 2
    media_url: str = ""
    max_upload_bytes: int = 25 * 1024 * 1024
    max_pixels: int = 50_000_000
    token_days: int = 90
    feed_cap: int = 1000
    activity_cap: int = 500
    fanout_limit: int = 100_000
    fanout_batch: int = 5000
    task_lease_seconds: int = 300
    feed_redis: tuple[str, ...] = ()
    session_redis: str = ""
    # Redis Sentinels (HOST:PORT), for Redis URLs of the form sentinel://SERVICE/DB
    redis_sentinels: tuple[str, ...] = ()
    cache_servers: tuple[str, ...] = ()
    broker_url: str = ""
    storage: str = "local"
    s3_bucket: str = ""
    s3_endpoint_url: str = ""
    s3_region: str = "us-east-1"
    s3_access_key_id: str = ""
    s3_secret_access_key: str = ""
    # API requests per hour, per token and per client IP (a sliding window)
    ratelimit_per_hour: int = 5000
    ratelimit_ip_per_hour: int = 20000
    # log-in failures per hour for one account, and log-in plus sign-up attempts per client IP
    login_failures_per_hour: int = 10
    login_attempts_ip_per_hour: int = 100
    # networks real-time callbacks may reach although they are not public (tests allow loopback)
    callback_allow_networks: tuple[str, ...] = ()
    # proxies (nginx) whose X-Forwarded-For names the client
    trusted_proxies: tuple[str, ...] = ()
    # who may read /metrics (the peer's address)
    metrics_allow_networks: tuple[str, ...] = (
        "127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7",
    )  # fmt: skip
    sentry_dsn: str = ""
    smtp_url: str = ""  # smtp+tls://USER:PASSWORD@HOST:PORT; empty: mail to the console
    mail_from: str = "filmroll <no-reply@localhost>"
    log_format: str = "auto"  # text on a terminal, else JSON
    metrics: bool = True  # Prometheus metrics
    # push notifications: APNs (token auth), Firebase Cloud Messaging (HTTP v1), Web Push (VAPID)
    apns_key_file: str = ""
    apns_key_id: str = ""
    apns_team_id: str = ""
    apns_topic: str = ""
    apns_url: str = "https://api.push.apple.com"
    fcm_credentials: str = ""
    fcm_url: str = "https://fcm.googleapis.com"
    vapid_private_key: str = ""
    vapid_subject: str = ""
    push_ca_file: str = ""  # extra CA certificates for push endpoints (private test servers)
    # sharing out: the X API and Facebook's Graph API (Mastodon instances are per account)
    x_api_url: str = "https://api.x.com"
    facebook_graph_url: str = "https://graph.facebook.com"
    request_logs: bool = True  # a log line per request and per task

    @property
    def embedded(self) -> bool:
        return self.database_url.startswith("sqlite")


def _bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ConfigError(f"{name}={raw!r} is not a boolean: use 1/0, true/false, yes/no or on/off")


def _int(name: str, raw: str, low: int, high: int) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number") from None
    if not low <= value <= high:
        raise ConfigError(f"{name}={value} is out of range: use {low} to {high}")
    return value


def _database_url(name: str, url: str) -> str:
    scheme = urlsplit(url).scheme
    if scheme not in {"sqlite", "postgres", "postgresql"}:
        raise ConfigError(
            f"{name}={url!r}: only sqlite:///PATH and postgres://USER@HOST:PORT/NAME URLs are supported"
        )
    if scheme != "sqlite" and not urlsplit(url).path.strip("/"):
        raise ConfigError(f"{name}={url!r} names no database: end the URL with /DATABASE_NAME")
    return url


def _shard_databases(
    raw: str,
    var: str = "FILMROLL_SHARD_DATABASES",
    reserved: tuple[str, ...] = ("default", "index"),
) -> dict[str, str]:
    """Parse `name=url,name=url` into an ordered mapping."""
    result: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in raw.split(","))):
        name, sep, url = item.partition("=")
        name = name.strip()
        if not sep or not url:
            raise ConfigError(
                f"{var} item {item!r} is not NAME=URL "
                "(for example a=postgres://postgres@127.0.0.1:5432/filmroll_a)"
            )
        if not PHYSICAL_NAME.match(name) or name in reserved:
            raise ConfigError(
                f"{var} name {name!r}: use a lowercase letter then letters, digits"
                f" or _ (at most 31), and not {' or '.join(map(repr, reserved))}"
            )
        if name in result:
            raise ConfigError(f"{var} names {name!r} twice")
        result[name] = _database_url(var, url.strip())
    return result


def _smtp_url(url: str) -> str:
    if url and (urlsplit(url).scheme not in {"smtp", "smtp+tls"} or not urlsplit(url).hostname):
        raise ConfigError(
            f"FILMROLL_SMTP_URL={url!r}: use smtp+tls://USER:PASSWORD@HOST:587 (or smtp:// without TLS)"
        )
    return url


def _networks(name: str, get) -> tuple[str, ...]:
    networks = tuple(n.strip() for n in get(name, "").split(",") if n.strip())
    for network in networks:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            raise ConfigError(
                f"{name} item {network!r} is not a network (for example 127.0.0.0/8 or ::1/128)"
            ) from None
    return networks


def _outbound(get) -> dict[str, str]:
    """Push services' credentials and the sharing providers' addresses."""
    found = {}
    for key, name in (
        ("apns_key_file", "FILMROLL_APNS_KEY_FILE"), ("apns_key_id", "FILMROLL_APNS_KEY_ID"),
        ("apns_team_id", "FILMROLL_APNS_TEAM_ID"), ("apns_topic", "FILMROLL_APNS_TOPIC"),
        ("apns_url", "FILMROLL_APNS_URL"), ("fcm_credentials", "FILMROLL_FCM_CREDENTIALS"),
        ("fcm_url", "FILMROLL_FCM_URL"), ("vapid_private_key", "FILMROLL_VAPID_PRIVATE_KEY"),
        ("vapid_subject", "FILMROLL_VAPID_SUBJECT"), ("push_ca_file", "FILMROLL_PUSH_CA_FILE"),
        ("x_api_url", "FILMROLL_X_API_URL"),
        ("facebook_graph_url", "FILMROLL_FACEBOOK_GRAPH_URL"),
    ):  # fmt: skip
        value = get(name, "").strip()
        if not value:
            continue
        if (key.endswith(("_file", "_credentials", "_private_key"))) and not Path(value).is_file():
            raise ConfigError(f"{name}={value!r} is not a readable file")
        if key.endswith("_url") and urlsplit(value).scheme not in {"http", "https"}:
            raise ConfigError(f"{name}={value!r} must be an http(s) URL")
        found[key] = value.rstrip("/") if key.endswith("_url") else value
    apns = [found.get(f) for f in ("apns_key_file", "apns_key_id", "apns_team_id", "apns_topic")]
    if any(apns) and not all(apns):
        raise ConfigError(
            "APNs needs all of FILMROLL_APNS_KEY_FILE, FILMROLL_APNS_KEY_ID, FILMROLL_APNS_TEAM_ID"
            " and FILMROLL_APNS_TOPIC (the app's bundle ID)"
        )
    if found.get("vapid_private_key") and not found.get("vapid_subject"):
        raise ConfigError(
            "FILMROLL_VAPID_PRIVATE_KEY needs FILMROLL_VAPID_SUBJECT (mailto:you@example.com)"
        )
    return found


def _secret_key(data_dir: Path) -> str:
    """Make a secret key once per data directory, so sessions survive restarts. Written whole
    under a temporary name and linked into place, so processes starting at once agree on one."""
    path = data_dir / "secret_key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        partial = data_dir / f"secret_key.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(50))
        try:
            os.link(partial, path)
        except FileExistsError:
            pass  # another process got there first: use its key
        finally:
            os.unlink(partial)
    return path.read_text().strip()


def load(env: os._Environ[str] | dict[str, str] = os.environ) -> Config:
    get = env.get
    data_dir = Path(get("FILMROLL_DATA_DIR") or "var").expanduser().resolve()
    database_url = _database_url(
        "FILMROLL_DATABASE_URL",
        get("FILMROLL_DATABASE_URL") or f"sqlite:///{data_dir / 'global.sqlite3'}",
    )
    shards = _shard_databases(get("FILMROLL_SHARD_DATABASES", ""))
    if not shards:
        # The simplest case: one physical shard database. SQLite keeps it in its own file so
        # the global and shard connections never wait on each other's write lock.
        if database_url.startswith("sqlite"):
            shards = {"main": f"sqlite:///{data_dir / 'shards.sqlite3'}"}
        else:
            shards = {"main": database_url}
    index_database = _database_url(
        "FILMROLL_INDEX_DATABASE",
        get("FILMROLL_INDEX_DATABASE")
        or (
            f"sqlite:///{data_dir / 'index.sqlite3'}"
            if database_url.startswith("sqlite")
            else database_url
        ),
    )
    replicas = _shard_databases(get("FILMROLL_SHARD_REPLICAS", ""), "FILMROLL_SHARD_REPLICAS")
    maintenance = _shard_databases(
        get("FILMROLL_MAINTENANCE_DATABASES", ""), "FILMROLL_MAINTENANCE_DATABASES", ("default",)
    )
    unknown = sorted(set(maintenance) - {"global", "index", *shards})
    if unknown:
        raise ConfigError(
            f"FILMROLL_MAINTENANCE_DATABASES names {', '.join(unknown)}: use global, index and"
            " the names of FILMROLL_SHARD_DATABASES"
        )
    for name, url in replicas.items():
        if name not in shards or url.startswith("sqlite"):
            raise ConfigError(
                f"FILMROLL_SHARD_REPLICAS names {name!r}: a replica must be PostgreSQL and belong"
                " to a physical database FILMROLL_SHARD_DATABASES names"
            )
    kinds = {url.startswith("sqlite") for url in [database_url, *shards.values(), index_database]}
    if len(kinds) > 1:
        raise ConfigError(
            "FILMROLL_DATABASE_URL, FILMROLL_SHARD_DATABASES and FILMROLL_INDEX_DATABASE mix SQLite"
            " and PostgreSQL: use one kind"
        )
    media_url = get("FILMROLL_MEDIA_URL", "").strip()
    if media_url and urlsplit(media_url).scheme not in {"http", "https"}:
        raise ConfigError(f"FILMROLL_MEDIA_URL={media_url!r} must be an absolute http(s) URL")
    bind = get("FILMROLL_BIND") or "127.0.0.1:8000"
    if not re.match(r"^(\[[0-9a-fA-F:]+\]|[\w.-]+):\d{1,5}$", bind):
        raise ConfigError(f"FILMROLL_BIND={bind!r} is not HOST:PORT")
    storage = get("FILMROLL_STORAGE", "local").strip().lower()
    if storage not in {"local", "s3"}:
        raise ConfigError(f"FILMROLL_STORAGE={storage!r}: use local or s3")
    s3_bucket = get("FILMROLL_S3_BUCKET", "").strip()
    if storage == "s3" and not s3_bucket:
        raise ConfigError("FILMROLL_STORAGE=s3 needs FILMROLL_S3_BUCKET, the bucket's name")
    s3_endpoint = get("FILMROLL_S3_ENDPOINT_URL", "").strip()
    if s3_endpoint and urlsplit(s3_endpoint).scheme not in {"http", "https"}:
        raise ConfigError(f"FILMROLL_S3_ENDPOINT_URL={s3_endpoint!r} must be an http(s) URL")
    feed_redis = tuple(u.strip() for u in get("FILMROLL_FEED_REDIS", "").split(",") if u.strip())
    for url in feed_redis + (
        (get("FILMROLL_SESSION_REDIS", "").strip(),) if get("FILMROLL_SESSION_REDIS") else ()
    ):
        if urlsplit(url).scheme not in {"redis", "rediss", "sentinel"}:
            raise ConfigError(f"{url!r} is not a redis:// (or sentinel://SERVICE/DB) URL")
    cache_servers = tuple(
        s.strip() for s in get("FILMROLL_CACHE_SERVERS", "").split(",") if s.strip()
    )
    for server in cache_servers:
        if not re.match(r"^[\w.-]+:\d{1,5}$", server):
            raise ConfigError(f"FILMROLL_CACHE_SERVERS item {server!r} is not HOST:PORT")
    sentinels = tuple(
        s.strip() for s in get("FILMROLL_REDIS_SENTINELS", "").split(",") if s.strip()
    )
    for server in sentinels:
        if not re.match(r"^[^:]+:\d+$", server):
            raise ConfigError(f"FILMROLL_REDIS_SENTINELS item {server!r} is not HOST:PORT")
    redis_urls = [*feed_redis, *(get("FILMROLL_SESSION_REDIS", "").strip(),)]
    if any(u.startswith("sentinel://") for u in redis_urls) and not sentinels:
        raise ConfigError(
            "a sentinel:// Redis URL needs FILMROLL_REDIS_SENTINELS, the Sentinels' HOST:PORT list"
        )
    broker_url = get("FILMROLL_BROKER_URL", "").strip()
    if broker_url and urlsplit(broker_url).scheme not in {"amqp", "pyamqp", "redis"}:
        raise ConfigError(
            f"FILMROLL_BROKER_URL={broker_url!r}: use amqp://USER:PASSWORD@HOST:PORT// (RabbitMQ) or redis://"
        )
    allow_networks = _networks("FILMROLL_CALLBACK_ALLOW_NETWORKS", get)
    trusted_proxies = _networks("FILMROLL_TRUSTED_PROXIES", get)
    sentry_dsn = get("FILMROLL_SENTRY_DSN", "").strip()
    if sentry_dsn and urlsplit(sentry_dsn).scheme not in {"http", "https"}:
        raise ConfigError(
            f"FILMROLL_SENTRY_DSN={sentry_dsn!r} is not a DSN: use https://KEY@HOST/PROJECT_ID"
        )
    log_format = get("FILMROLL_LOG_FORMAT", "auto").strip().lower()
    if log_format not in {"auto", "json", "text"}:
        raise ConfigError(
            f"FILMROLL_LOG_FORMAT={log_format!r}: use auto (text on a terminal), json or text"
        )
    return Config(
        ratelimit_per_hour=_int(
            "FILMROLL_RATELIMIT_PER_HOUR", get("FILMROLL_RATELIMIT_PER_HOUR", "5000"), 1, 10**9
        ),
        ratelimit_ip_per_hour=_int(
            "FILMROLL_RATELIMIT_IP_PER_HOUR",
            get("FILMROLL_RATELIMIT_IP_PER_HOUR", "20000"),
            1,
            10**9,
        ),
        login_failures_per_hour=_int(
            "FILMROLL_LOGIN_FAILURES_PER_HOUR",
            get("FILMROLL_LOGIN_FAILURES_PER_HOUR", "10"),
            1,
            10**6,
        ),
        login_attempts_ip_per_hour=_int(
            "FILMROLL_LOGIN_ATTEMPTS_IP_PER_HOUR",
            get("FILMROLL_LOGIN_ATTEMPTS_IP_PER_HOUR", "100"),
            1,
            10**6,
        ),
        callback_allow_networks=allow_networks,
        trusted_proxies=trusted_proxies,
        sentry_dsn=sentry_dsn,
        smtp_url=_smtp_url(get("FILMROLL_SMTP_URL", "").strip()),
        mail_from=get("FILMROLL_MAIL_FROM", "").strip() or "filmroll <no-reply@localhost>",
        metrics=_bool("FILMROLL_METRICS", get("FILMROLL_METRICS", "1")),
        **_outbound(get),
        request_logs=_bool("FILMROLL_REQUEST_LOGS", get("FILMROLL_REQUEST_LOGS", "1")),
        **(
            {"metrics_allow_networks": _networks("FILMROLL_METRICS_ALLOW_NETWORKS", get)}
            if get("FILMROLL_METRICS_ALLOW_NETWORKS")
            else {}
        ),
        log_format=log_format,
        feed_cap=_int("FILMROLL_FEED_CAP", get("FILMROLL_FEED_CAP", "1000"), 20, 100_000),
        activity_cap=_int(
            "FILMROLL_ACTIVITY_CAP", get("FILMROLL_ACTIVITY_CAP", "500"), 10, 100_000
        ),
        fanout_limit=_int(
            "FILMROLL_FANOUT_LIMIT", get("FILMROLL_FANOUT_LIMIT", "100000"), 1, 10**9
        ),
        fanout_batch=_int(
            "FILMROLL_FANOUT_BATCH", get("FILMROLL_FANOUT_BATCH", "5000"), 1, 1_000_000
        ),
        task_lease_seconds=_int(
            "FILMROLL_TASK_LEASE_SECONDS", get("FILMROLL_TASK_LEASE_SECONDS", "300"), 1, 86400
        ),
        feed_redis=feed_redis,
        session_redis=get("FILMROLL_SESSION_REDIS", "").strip(),
        redis_sentinels=sentinels,
        cache_servers=cache_servers,
        broker_url=broker_url,
        storage=storage,
        s3_bucket=s3_bucket,
        s3_endpoint_url=s3_endpoint.rstrip("/"),
        s3_region=get("FILMROLL_S3_REGION", "").strip() or "us-east-1",
        s3_access_key_id=get("FILMROLL_S3_ACCESS_KEY_ID", ""),
        s3_secret_access_key=get("FILMROLL_S3_SECRET_ACCESS_KEY", ""),
        data_dir=data_dir,
        secret_key=get("FILMROLL_SECRET_KEY") or _secret_key(data_dir),
        debug=_bool("FILMROLL_DEBUG", get("FILMROLL_DEBUG", "0")),
        allowed_hosts=[
            h.strip()
            for h in (get("FILMROLL_ALLOWED_HOSTS") or "localhost,127.0.0.1,[::1]").split(",")
            if h.strip()
        ],
        database_url=database_url,
        shard_databases=shards,
        shard_replicas=replicas,
        maintenance_databases=maintenance,
        replica_max_lag=_int(
            "FILMROLL_REPLICA_MAX_LAG_SECONDS",
            get("FILMROLL_REPLICA_MAX_LAG_SECONDS", "5"),
            0,
            3600,
        ),
        read_your_writes=_int(
            "FILMROLL_READ_YOUR_WRITES_SECONDS",
            get("FILMROLL_READ_YOUR_WRITES_SECONDS", "10"),
            0,
            3600,
        ),
        index_database=index_database,
        logical_shards=_int(
            "FILMROLL_LOGICAL_SHARDS", get("FILMROLL_LOGICAL_SHARDS", "256"), 1, 8192
        ),
        bind=bind,
        workers=_int("FILMROLL_WORKERS", get("FILMROLL_WORKERS", "2"), 1, 256),
        media_url=media_url.rstrip("/"),
        max_upload_bytes=_int(
            "FILMROLL_MAX_UPLOAD_MB", get("FILMROLL_MAX_UPLOAD_MB", "25"), 1, 1024
        )
        * 1024
        * 1024,
        max_pixels=_int("FILMROLL_MAX_MEGAPIXELS", get("FILMROLL_MAX_MEGAPIXELS", "50"), 1, 500)
        * 1_000_000,
        token_days=_int("FILMROLL_TOKEN_DAYS", get("FILMROLL_TOKEN_DAYS", "90"), 1, 3650),
    )
