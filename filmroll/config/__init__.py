"""Every FILMROLL_* setting, declared once: each field of `Config` below is one setting with its
type, default, bounds and one line of documentation. `load()` reads them from the environment
(over the data directory's settings file, datadir.py), parses and checks each (values.py), then
checks them together (VALIDATORS). docs/configuration.md is generated from the same fields
(`make docs`, docs.py). With nothing set, filmroll runs on the embedded default: SQLite files and
photos under the data directory, no server needed.
"""

from __future__ import annotations

import os
import secrets
import typing
from collections.abc import Mapping
from dataclasses import Field, dataclass, field, fields
from pathlib import Path
from typing import Any

from filmroll.config import values
from filmroll.config.datadir import PREFIX, data_dir, given
from filmroll.config.values import Check, ConfigError

__all__ = ["Config", "ConfigError", "data_dir", "given", "load"]

# loopback and private networks: who may use the operator endpoints unless told otherwise
INTERNAL_NETWORKS = (
    "127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7",
)  # fmt: skip
MB = 1024 * 1024


def setting(
    default: Any,
    doc: str,
    *,
    env: str = "",
    low: int = 0,
    high: int = 0,
    unit: int = 1,
    choices: tuple[str, ...] = (),
    check: Check | None = None,
    reserved: tuple[str, ...] = ("default", "index"),
    shown: str = "",
) -> Any:
    """One setting: a Config field whose metadata says how to read and document it. `env` is
    its variable when not FILMROLL_ and the field's name; a whole number is given in `unit`s,
    from `low` to `high`; `check` checks a value (each item of a list or mapping; `reserved`
    are names a mapping may not use); `shown` is the default as the docs put it, where the
    default follows from other settings."""
    meta = {
        "env": env, "doc": doc, "low": low, "high": high, "unit": unit, "choices": choices,
        "check": check, "reserved": reserved, "shown": shown, "default": default,
    }  # fmt: skip
    if isinstance(default, list | dict):
        return field(default_factory=lambda: type(default)(default), metadata=meta)
    return field(default=default * unit if unit != 1 else default, metadata=meta)


@dataclass(frozen=True)
class Config:
    # One line per setting, like a table: `make docs` turns it into docs/configuration.md.
    # fmt: off
    # Where things are
    data_dir: Path = setting(Path("var"), "where the embedded default keeps its SQLite files, photos and generated secret key, and where a settings file is looked for", shown="`./var`")
    database_url: str = setting("", "the global database (users, tokens, shard map): `sqlite:///PATH` or `postgres://USER:PASSWORD@HOST:PORT/NAME`", check=values.database_url, shown="`sqlite:///$FILMROLL_DATA_DIR/global.sqlite3`")
    shard_databases: dict[str, str] = setting({}, "the physical shard databases, `name=URL,name=URL`; names are a lowercase letter then letters, digits or `_`. `filmroll init` spreads the logical shards over them in this order. Do not mix SQLite and PostgreSQL.", check=values.database_url, shown="one physical database named `main`: `$FILMROLL_DATA_DIR/shards.sqlite3` on SQLite, the global database itself on PostgreSQL")
    shard_replicas: dict[str, str] = setting({}, "streaming replicas of physical shard databases, `name=URL,...` with the names of `FILMROLL_SHARD_DATABASES`. Reads that may lag go to a replica; a user's own reads just after they write, and every authorization decision, go to the primary. A replica that is down or lags too far is skipped.", check=values.database_url, shown="none")
    replica_max_lag: int = setting(5, "how far a replica may lag behind its primary and still serve reads (checked at most once a second per process)", env="FILMROLL_REPLICA_MAX_LAG_SECONDS", low=0, high=3600)
    read_your_writes: int = setting(10, "after a user writes, for this long their own reads go to the primaries (read-your-writes)", env="FILMROLL_READ_YOUR_WRITES_SECONDS", low=0, high=3600)
    maintenance_databases: dict[str, str] = setting({}, "`name=URL,...` straight to each PostgreSQL server (names: `global`, `index` and those of `FILMROLL_SHARD_DATABASES`) for `filmroll backup` and `restore`. Set it when the app goes through pgbouncer in transaction mode: pg_dump's and pg_restore's session settings would otherwise stay on pooled server connections and break the app's queries.", check=values.database_url, reserved=("default",), shown="the app's own URLs")
    tls_cert: str = setting("", "for `filmroll cluster up` only: the PEM certificate (chain) nginx serves HTTPS with", shown="a self-signed certificate made at `filmroll cluster up`")
    tls_key: str = setting("", "for `filmroll cluster up` only: the key of `FILMROLL_TLS_CERT`", shown="made with the certificate")
    index_database: str = setting("", "the discovery index (tags, places, geo search over every shard), fed by tasks and rebuilt by `filmroll index rebuild`. On PostgreSQL it needs PostGIS (Debian's `postgresql-15-postgis-3`; `filmroll migrate` creates the extension); it may live on its own server. Same kind as the other databases.", check=values.database_url, shown="`sqlite:///$FILMROLL_DATA_DIR/index.sqlite3` on SQLite, the global database on PostgreSQL")
    logical_shards: int = setting(256, "the number of logical shards `filmroll init` creates when `--logical-shards` is not given (fixed once the install exists)", low=1, high=8192)
    # The web app
    secret_key: str = setting("", "Django's secret key; set it on every app server of a cluster", shown="made once and kept in `$FILMROLL_DATA_DIR/secret_key`")
    debug: bool = setting(False, "Django's debug mode")
    allowed_hosts: list[str] = setting(["localhost", "127.0.0.1", "[::1]"], "host names the site answers to")
    api_host: str = setting("", "a host name that answers the API alone at `/v1/`, as v1's API host did (`api.example.com`); it is added to the allowed hosts", check=values.host_name, shown="none")
    language: str = setting("en", "the language of the web pages when the browser's `Accept-Language` asks for none filmroll has (`en` English, `de` German); a signed-in choice is not kept yet", choices=("en", "de"))
    bind: str = setting("127.0.0.1:8000", "where `filmroll serve` and `deploy/gunicorn.conf.py` listen", check=values.host_port)
    workers: int = setting(2, "Gunicorn worker processes for `filmroll serve` and `deploy/gunicorn.conf.py`", low=1, high=256)
    media_url: str = setting("", "the CDN base URL photo URLs are made under", check=values.http_url, shown="empty: photos are served by the app under `/media/`")
    map_tile_url: str = setting("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "the Photo Map's (`/USERNAME/map/`) tiles: a URL with `{z}`, `{x}` and `{y}` (and `{s}.` before the host for a subdomain) that browsers fetch; its host is added to the map page's Content-Security-Policy for images, and nothing else is. `none`: no tiles, the photos on a plain grid of latitudes and longitudes (as when the tiles cannot be reached)", check=values.tile_url)
    map_tile_attribution: str = setting("© OpenStreetMap contributors", "the credit the Photo Map shows for its tiles (text)")
    max_upload_bytes: int = setting(25, "the largest image upload accepted, in MB", env="FILMROLL_MAX_UPLOAD_MB", low=1, high=1024, unit=MB)
    max_pixels: int = setting(50, "the most pixels an uploaded image may have, in millions (checked before decoding)", env="FILMROLL_MAX_MEGAPIXELS", low=1, high=500, unit=1_000_000)
    token_days: int = setting(90, "how long an access token lives, in days", low=1, high=3650)
    # Photo files
    storage: str = setting("local", "where photo files go: `local` (under `$FILMROLL_DATA_DIR/media`, served by the app) or `s3`", choices=("local", "s3"))
    s3_bucket: str = setting("", "the bucket, with `FILMROLL_STORAGE=s3`", shown="—")
    s3_endpoint_url: str = setting("", "the S3 API's address, for any S3-compatible service (MinIO, Ceph, ...)", check=values.http_url, shown="AWS")
    s3_region: str = setting("us-east-1", "the bucket's region")
    s3_access_key_id: str = setting("", "the access key ID", shown="boto3's usual sources")
    s3_secret_access_key: str = setting("", "the secret access key", shown="boto3's usual sources")
    # Feeds, sessions, cache, tasks
    feed_redis: tuple[str, ...] = setting((), "Redis URLs for home feeds; feeds are hashed over them", check=values.redis_url, shown="empty: feeds in SQL tables on the shards")
    session_redis: str = setting("", "a Redis URL for web sessions and rate-limit counts", check=values.redis_url, shown="empty: sessions and rate-limit counts in the global database")
    redis_sentinels: tuple[str, ...] = setting((), "Redis Sentinels, `HOST:PORT,...`. A Redis URL may then name a Sentinel service instead of an instance, `sentinel://SERVICE/DB` (in `FILMROLL_FEED_REDIS` and `FILMROLL_SESSION_REDIS`): filmroll asks the Sentinels for its primary and follows a fail-over without a restart.", check=values.host_port, shown="none")
    cache_servers: tuple[str, ...] = setting((), "memcached servers, `host:port,host:port`; keys are hashed over them on the client", check=values.host_port, shown="empty: each process's own memory")
    broker_url: str = setting("", "a Celery broker (`amqp://USER:PASSWORD@HOST:5672//` for RabbitMQ); run `filmroll worker` processes", check=values.broker_url, shown="empty: the embedded durable queue, worked off by `filmroll serve`")
    feed_cap: int = setting(1000, "entries kept per home feed (older posts are still read, from the shards)", low=20, high=100_000)
    activity_cap: int = setting(500, "entries kept per activity feed", low=10, high=100_000)
    fanout_limit: int = setting(100_000, "accounts with more followers are not fanned out; their posts are merged in when feeds are read", low=1, high=10**9)
    fanout_batch: int = setting(5000, "followers per fan-out task (a big fan-out is a chain of tasks)", low=1, high=1_000_000)
    test_pause: str = setting("", "for the tests that kill a process mid-write only: `POINT:FILE` makes a process reaching fault point POINT (`finish`: between the two shards' transactions of a follow, block or like; `purge`: between two batches of an account's purge) write its process ID to FILE, if there is no FILE yet, and wait to be killed. Never set it in use.", shown="empty")
    task_lease_seconds: int = setting(15, "how long the embedded queue's worker holds a task before another may take it again; while the task runs, its worker's heartbeat renews the lease every third of this, so a task left by a dead worker runs again within this many seconds", low=1, high=86400)
    task_workers: int = setting(0, "tasks the embedded queue's worker runs at once (threads of `filmroll worker` and of the one `filmroll serve` starts)", low=0, high=256, shown="0: one per CPU core")
    task_heartbeat_stale_seconds: int = setting(30, "`/healthz/deep` and `filmroll check` report the embedded task worker down when its last heartbeat is older than this (it beats every few seconds)", low=5, high=86400)
    task_wait_limit_seconds: int = setting(300, "`/healthz/deep` and `filmroll check` report the embedded task worker down when a due task has waited longer than this (nobody is working off the queue, or it is falling behind)", low=10, high=86400)
    # Limits and who may reach what
    ratelimit_per_hour: int = setting(5000, "API requests per token per hour (a sliding window); past it, 429 `OAuthRateLimitException`", low=1, high=10**9)
    ratelimit_ip_per_hour: int = setting(20000, "API requests per client IP per hour, with or without a token", low=1, high=10**9)
    login_failures_per_hour: int = setting(10, "failed log-ins for one account per hour, from anywhere and through any door (API, web, admin, OAuth token endpoint, the current password when changing it), before its log-ins are refused for a while; counted before the password is checked, so parallel guesses cannot pass it", low=1, high=10**6)
    two_factor_failures_per_hour: int = setting(5, "wrong second-factor codes (authenticator, recovery code, security key) for one account per hour, after a right password, before its second step is refused for a while; each also counts against the client's log-in attempts", low=1, high=10**6)
    login_attempts_ip_per_hour: int = setting(100, "log-in and sign-up attempts per client IP per hour (API, web, admin and the OAuth token endpoint)", low=1, high=10**6)
    reset_mails_per_hour: int = setting(5, "password-reset mails requested per hour for one e-mail address (counted whether or not an account has it); past it, 429", low=1, high=10**6)
    reset_mails_ip_per_hour: int = setting(20, "password-reset mails requested per hour from one client IP", low=1, high=10**6)
    callback_allow_networks: tuple[str, ...] = setting((), "networks (`127.0.0.0/8,::1/128`) that outgoing requests made on someone's behalf (real-time callbacks, share targets, Web Push) may reach although they are loopback, private or link-local; for tests and private deployments", check=values.network, shown="empty: public addresses only")
    outgoing_hosts: tuple[str, ...] = setting((), "names those outgoing requests resolve without DNS, like /etc/hosts, `NAME=ADDRESS,...` (a name may be given more than once); the addresses are still checked", check=values.host_address, shown="none")
    trusted_proxies: tuple[str, ...] = setting((), "networks of load balancers (`127.0.0.1/32`); from them, the client's address is taken from `X-Forwarded-For` (the nearest hop that is not a trusted proxy), for rate limits. When set, the app also takes `X-Forwarded-Proto: https` to mean the request came over HTTPS: the proxy must set that header on every request.", check=values.network, shown="empty: the peer's address is the client's")
    operator_networks: tuple[str, ...] = setting(INTERNAL_NETWORKS, "who may use the operator endpoints (`/metrics`, `/status`, the details of `/healthz/deep`), judged on the client's address behind trusted proxies; nginx's configuration in cluster mode is made from it too. `FILMROLL_METRICS_ALLOW_NETWORKS` is its older name, still read.", check=values.network, shown="loopback and private networks")
    https_only: bool = setting(False, "served over HTTPS only: cookies always `Secure`, plain HTTP redirected to HTTPS (but `/healthz` and `/healthz/deep`). Without it, a request that came over HTTPS (directly, or as a trusted proxy says) gets `Secure` cookies and HSTS all the same.")
    hsts_seconds: int = setting(31_536_000, "`Strict-Transport-Security` max-age on answers over HTTPS; 0: no HSTS", low=0, high=10**9)
    # Observing
    metrics: bool = setting(True, "Prometheus metrics (`0` turns them off; `PROMETHEUS_MULTIPROC_DIR` defaults to `$FILMROLL_DATA_DIR/metrics`, where every process writes its counts)")
    request_logs: bool = setting(True, "one log line per request and per task (`0`: warnings and errors only)")
    log_format: str = setting("auto", "`auto` (short text lines on a terminal, else JSON), `json` (one object per line, with the request ID) or `text`", choices=("auto", "json", "text"))
    sentry_dsn: str = setting("", "a Sentry DSN; errors from requests and tasks and every ERROR log line go there, without user data, query strings, bodies, breadcrumbs or frame variables", check=values.sentry_dsn, shown="empty: no error reports")
    # Push notifications: APNs (token auth), Firebase Cloud Messaging (HTTP v1), Web Push (VAPID)
    apns_key_file: str = setting("", "Apple's token-based push: the `.p8` key file", check=values.readable_file, shown="empty: no APNs")
    apns_key_id: str = setting("", "the APNs key's ID")
    apns_team_id: str = setting("", "the Apple developer team ID")
    apns_topic: str = setting("", "the app's bundle ID")
    apns_url: str = setting("https://api.push.apple.com", "APNs (`https://api.sandbox.push.apple.com` for development builds)", check=values.http_url)
    fcm_credentials: str = setting("", "a Firebase service-account JSON file (project, client e-mail, private key, token URI)", check=values.readable_file, shown="empty: no FCM")
    fcm_url: str = setting("https://fcm.googleapis.com", "FCM's HTTP v1 API", check=values.http_url)
    vapid_private_key: str = setting("", "the VAPID key for Web Push (a P-256 private key, PEM file); browsers get the public key at `/api/v1/push/vapid`", check=values.readable_file, shown="empty: no Web Push")
    vapid_subject: str = setting("", "the VAPID `mailto:` contact")
    push_ca_file: str = setting("", "extra CA certificates trusted for push services (private test servers)", check=values.readable_file, shown="the system's")
    # Mail and sharing out (Mastodon instances are per account)
    smtp_url: str = setting("", "the SMTP server for password-reset mail: `smtp+tls://USER:PASSWORD@HOST:587` (or `smtp://` without TLS)", check=values.smtp_url, shown="empty: mail is printed to the console")
    mail_from: str = setting("filmroll <no-reply@localhost>", "the sender of that mail")
    x_api_url: str = setting("https://api.x.com", "the X API v2, for sharing", check=values.http_url)
    facebook_graph_url: str = setting("https://graph.facebook.com", "Facebook's Graph API, for sharing", check=values.http_url)
    tumblr_api_url: str = setting("https://api.tumblr.com", "Tumblr's API (v2), for sharing", check=values.http_url)
    flickr_api_url: str = setting("https://api.flickr.com/services/rest/", "Flickr's REST API, for checking a connected account", check=values.http_url)
    flickr_upload_url: str = setting("https://up.flickr.com/services/upload/", "Flickr's upload API, for sharing", check=values.http_url)
    flickr_api_key: str = setting("", "this install's Flickr app key (OAuth 1.0a consumer key); sharing to Flickr needs it", shown="empty: no Flickr")
    flickr_api_secret: str = setting("", "the Flickr app's secret (OAuth 1.0a consumer secret)")
    # Leaving: deleting an account, taking one's data
    deletion_grace_days: int = setting(30, "days after someone asks to delete their account in which logging in restores it; then everything is purged, and the username stays unusable for as long again", low=0, high=365)
    export_days: int = setting(7, "how long the link to a \"Download your data\" archive works, in days (then the archive is removed)", low=1, high=90)
    # fmt: on

    @property
    def embedded(self) -> bool:
        return self.database_url.startswith("sqlite")


# Variables read under an older name too: new name -> old name.
RENAMED = {PREFIX + "OPERATOR_NETWORKS": PREFIX + "METRICS_ALLOW_NETWORKS"}


def _renamed(raw: Mapping[str, str]) -> dict[str, str]:
    found = dict(raw)
    for new, old in RENAMED.items():
        if not found.get(new, "").strip() and found.get(old, "").strip():
            found[new] = found[old]
    return found


def value(name: str, env: Mapping[str, str]) -> Any:
    """One setting's value in `env` (its default when unset), without loading the others:
    for templates of other programs' configuration (nginx's)."""
    (f,) = [f for f in fields(Config) if f.name == name]
    raw = _renamed(env).get(env_name(f), "").strip()
    return _parse(f, typing.get_type_hints(Config)[name], raw) if raw else f.default


def env_name(f: Field) -> str:
    return f.metadata["env"] or PREFIX + f.name.upper()


def _parse(f: Field, kind: Any, raw: str) -> Any:
    """One variable's value, read as its field's type says."""
    meta, name = f.metadata, env_name(f)
    check: Check = meta["check"] or (lambda label, value: value)
    if kind is bool:
        return values.as_bool(name, raw)
    if kind is int:
        return values.as_int(name, raw.strip(), meta["low"], meta["high"]) * meta["unit"]
    if kind is Path:
        return Path(raw).expanduser().resolve()
    if kind == dict[str, str]:
        return values.as_pairs(name, raw, meta["reserved"], check)
    if kind in (tuple[str, ...], list[str]):
        items = [item.strip() for item in raw.split(",") if item.strip()]
        return typing.get_origin(kind)(check(f"{name} item {item!r}", item) for item in items)
    value = raw.strip()
    if meta["choices"]:
        value = value.lower()
        if value not in meta["choices"]:
            raise ConfigError(f"{name}={value!r}: use {' or '.join(meta['choices'])}")
    return check(f"{name}={value!r}", value)


# Checks across settings, run in this order on the loaded Config


def _maintenance_names_known(c: Config) -> None:
    unknown = sorted(set(c.maintenance_databases) - {"global", "index", *c.shard_databases})
    if unknown:
        raise ConfigError(
            f"FILMROLL_MAINTENANCE_DATABASES names {', '.join(unknown)}: use global, index and"
            " the names of FILMROLL_SHARD_DATABASES"
        )


def _replicas_of_known_primaries(c: Config) -> None:
    for name, url in c.shard_replicas.items():
        if name not in c.shard_databases or url.startswith("sqlite"):
            raise ConfigError(
                f"FILMROLL_SHARD_REPLICAS names {name!r}: a replica must be PostgreSQL and belong"
                " to a physical database FILMROLL_SHARD_DATABASES names"
            )


def _one_kind_of_database(c: Config) -> None:
    urls = [c.database_url, *c.shard_databases.values(), c.index_database]
    if len({url.startswith("sqlite") for url in urls}) > 1:
        raise ConfigError(
            "FILMROLL_DATABASE_URL, FILMROLL_SHARD_DATABASES and FILMROLL_INDEX_DATABASE mix SQLite"
            " and PostgreSQL: use one kind"
        )


def _s3_has_a_bucket(c: Config) -> None:
    if c.storage == "s3" and not c.s3_bucket:
        raise ConfigError("FILMROLL_STORAGE=s3 needs FILMROLL_S3_BUCKET, the bucket's name")


def _sentinel_urls_have_sentinels(c: Config) -> None:
    sentinel_urls = [u for u in [*c.feed_redis, c.session_redis] if u.startswith("sentinel://")]
    if sentinel_urls and not c.redis_sentinels:
        raise ConfigError(
            "a sentinel:// Redis URL needs FILMROLL_REDIS_SENTINELS, the Sentinels' HOST:PORT list"
        )


def _apns_all_or_nothing(c: Config) -> None:
    apns = [c.apns_key_file, c.apns_key_id, c.apns_team_id, c.apns_topic]
    if any(apns) and not all(apns):
        raise ConfigError(
            "APNs needs all of FILMROLL_APNS_KEY_FILE, FILMROLL_APNS_KEY_ID, FILMROLL_APNS_TEAM_ID"
            " and FILMROLL_APNS_TOPIC (the app's bundle ID)"
        )


def _vapid_has_a_subject(c: Config) -> None:
    if c.vapid_private_key and not c.vapid_subject:
        raise ConfigError(
            "FILMROLL_VAPID_PRIVATE_KEY needs FILMROLL_VAPID_SUBJECT (mailto:you@example.com)"
        )


VALIDATORS = (
    _maintenance_names_known,
    _replicas_of_known_primaries,
    _one_kind_of_database,
    _s3_has_a_bucket,
    _sentinel_urls_have_sentinels,
    _apns_all_or_nothing,
    _vapid_has_a_subject,
)


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


def load(env: Mapping[str, str] = os.environ) -> Config:
    """The settings in effect for `env`. An empty variable is the same as an unset one."""
    raw = _renamed(given(env))
    kinds = typing.get_type_hints(Config)
    found: dict[str, Any] = {
        f.name: _parse(f, kinds[f.name], raw[env_name(f)])
        for f in fields(Config)
        if raw.get(env_name(f), "").strip()
    }
    home = found["data_dir"] = data_dir(env)
    # Defaults that follow from other settings. SQLite keeps the one shard database in a file of
    # its own, so the global and shard connections never wait on each other's write lock.
    database = found.setdefault("database_url", f"sqlite:///{home / 'global.sqlite3'}")
    sqlite = database.startswith("sqlite")
    found.setdefault(
        "shard_databases",
        {"main": f"sqlite:///{home / 'shards.sqlite3'}" if sqlite else database},
    )
    found.setdefault(
        "index_database", f"sqlite:///{home / 'index.sqlite3'}" if sqlite else database
    )
    if found.get("api_host"):  # the API's own host name is one the site answers to
        (hosts,) = [f for f in fields(Config) if f.name == "allowed_hosts"]
        listed = found.get("allowed_hosts") or hosts.metadata["default"]
        found["allowed_hosts"] = [*listed, found["api_host"]]
    if "secret_key" not in found:
        found["secret_key"] = _secret_key(home)
    config = Config(**found)
    for validate in VALIDATORS:
        validate(config)
    return config
