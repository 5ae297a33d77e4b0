"""Configuration. Secrets come from the environment or are generated once into ``instance/``."""
from __future__ import annotations

import os
import secrets
from pathlib import Path


def _instance_secret(instance_path: str, *, may_create: bool = True) -> str:
    """Read ``instance/secret_key``, creating it with a random value on first run (never committed).

    ``may_create=False`` (production): a key generated here would be this host's alone, and every other host would
    refuse the sessions and forms it signs — so the key must be given (SECRET_KEY), or the file put in place."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        key = path.read_text().strip()
        if key:
            return key
    if not may_create:
        raise ConfigurationError(
            f"APP_CONFIG=production and no SECRET_KEY: set SECRET_KEY in the environment (the same value on every "
            f"host that serves this portal; e.g. python3 -c 'import secrets; print(secrets.token_hex(32))'), or "
            f"copy one deployment-wide key into {path}. A key generated on this host alone would sign sessions and "
            f"forms that the other hosts refuse: people would be signed out, and their forms would \"expire\", "
            f"whenever the load balancer sent them to another host.")
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def _database_url(url: str) -> str:
    """SQLAlchemy's name for psycopg 3: ``postgres://`` and ``postgresql://`` (as hosting providers write them)."""
    if url.startswith("postgres://"):
        return "postgresql+psycopg://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Defaults for development (``make run``): SQLite under instance/, memory rate limits."""

    SQLALCHEMY_DATABASE_URI: str | None = None  # filled by load_config
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    #: a read replica of the primary database, for public lists and dashboards (app.extensions.reads_replica)
    DATABASE_URL_READ: str | None = None
    #: after a request that wrote, that browser reads from the primary for this long (the replica may lag)
    READ_YOUR_WRITES_SECONDS = 10
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    # generous, so that one oversized photo (a 20 MB camera file) reaches the form's own "at most 5 MB" message
    # instead of the bare 413 page that loses what was typed; each photo is still capped at UPLOAD_MAX_BYTES
    MAX_CONTENT_LENGTH = 64 * 1024 * 1024
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh_CN", "en")
    RATELIMIT_STORAGE_URI = "memory://"
    #: production refuses the per-process memory:// store unless this says only one worker process serves
    RATELIMIT_SINGLE_WORKER = False
    #: the portal's canonical address (``https://portal.example.org``, or with the path it is served under): API
    #: answers build absolute URLs from it, never from the request's Host header
    PUBLIC_BASE_URL: str | None = None
    #: host names the portal answers to (Flask's own setting); any other Host header gets a 400
    TRUSTED_HOSTS: list[str] | None = None
    RATELIMIT_HEADERS_ENABLED = False
    RATELIMIT_STRATEGY = "moving-window"
    LOGIN_LIMIT_PER_ACCOUNT = "5 per 15 minutes"
    LOGIN_LIMIT_PER_IP = "30 per 15 minutes"
    REGISTER_LIMIT_PER_IP = "20 per hour"  # new accounts from one address (a community office registers residents)
    REGISTER_TAKEN_LIMIT_PER_IP = "10 per hour"  # "this number is already registered" answers from one address
    PEOPLE_TAKEN_LIMIT = "30 per hour"  # the same answer on /users/new, per staff member
    PASSWORD_HASH_METHOD = "scrypt"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 14 * 24 * 3600
    # Area level names. Jiangyin says 网格/微网格, Lianyuan 片/组 — override per deployment with
    # AREA_LEVEL_LABELS='{"grid": "片", "microgrid": "组"}'.
    AREA_LEVEL_LABELS: dict = {}
    UPLOAD_DIR: str | None = None  # default: instance/uploads
    UPLOAD_MAX_BYTES = 5 * 1024 * 1024
    UPLOAD_MAX_SIDE = 1600
    PAGE_SIZE = 20
    PROXY_FIX = 0
    COMPRESS_MIN_BYTES = 500


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"


class TestConfig(Config):
    TESTING = True
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # fast hashes keep the suite quick; production uses scrypt
    RATELIMIT_STORAGE_URI = "memory://"


CONFIGS = {"development": Config, "production": ProductionConfig, "testing": TestConfig}

# Variables read from the environment (documented in README.md).
ENV_VARS = (
    "APP_CONFIG",
    "SECRET_KEY",
    "DATABASE_URL",
    "DATABASE_URL_READ",
    "RATELIMIT_STORAGE_URI",
    "RATELIMIT_SINGLE_WORKER",
    "PUBLIC_BASE_URL",
    "TRUSTED_HOSTS",
    "UPLOAD_DIR",
    "PROXY_FIX",
    "AREA_LEVEL_LABELS",
)


class ConfigurationError(RuntimeError):
    """A setting that would make a production deployment quietly wrong: the app refuses to start."""


def _public_base_url(value) -> str | None:
    """``PUBLIC_BASE_URL`` without its trailing slash; an http(s) URL with a host and nothing after the path."""
    from urllib.parse import urlsplit

    if not value:
        return None
    parts = urlsplit(str(value).strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment \
            or parts.username or parts.password:
        raise ConfigurationError(
            f"PUBLIC_BASE_URL must be the portal's address, like https://portal.example.org (got {value!r}).")
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def check_deployment(app, name: str | None) -> None:
    """Refuse settings that would silently weaken a production deployment; warn about the ones that may."""
    app.config["PUBLIC_BASE_URL"] = _public_base_url(app.config.get("PUBLIC_BASE_URL"))
    if name != "production":
        return
    store = str(app.config.get("RATELIMIT_STORAGE_URI") or "memory://")
    if store.startswith("memory://") and not app.config.get("RATELIMIT_SINGLE_WORKER"):
        raise ConfigurationError(
            "APP_CONFIG=production with RATELIMIT_STORAGE_URI=memory://: every worker process would keep its own "
            "count, so the sign-in and registration limits would be multiplied by the number of workers. Set "
            "RATELIMIT_STORAGE_URI to a shared store (redis://host:6379/0), or set RATELIMIT_SINGLE_WORKER=1 if "
            "exactly one worker process serves this portal.")
    if not app.config.get("PUBLIC_BASE_URL") and not app.config.get("TRUSTED_HOSTS"):
        app.logger.warning(
            "Neither PUBLIC_BASE_URL nor TRUSTED_HOSTS is set: absolute URLs in the Open311 API are built from the "
            "request's Host header. Set PUBLIC_BASE_URL to the portal's address.")


def load_config(app, config: str | dict | None) -> None:
    """Apply the named config class, then environment variables, then explicit overrides."""
    overrides: dict = {}
    name = config if isinstance(config, str) else None
    if isinstance(config, dict):
        overrides = dict(config)
        name = overrides.pop("CONFIG", None)
    name = name or os.environ.get("APP_CONFIG", "development")
    app.config.from_object(CONFIGS[name])

    import json

    env = os.environ
    if env.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = env["SECRET_KEY"]
    if env.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = _database_url(env["DATABASE_URL"])
    if env.get("DATABASE_URL_READ"):
        app.config["DATABASE_URL_READ"] = env["DATABASE_URL_READ"]
    if env.get("RATELIMIT_STORAGE_URI"):
        app.config["RATELIMIT_STORAGE_URI"] = env["RATELIMIT_STORAGE_URI"]
    if env.get("RATELIMIT_SINGLE_WORKER"):
        app.config["RATELIMIT_SINGLE_WORKER"] = _bool("RATELIMIT_SINGLE_WORKER")
    if env.get("PUBLIC_BASE_URL"):
        app.config["PUBLIC_BASE_URL"] = env["PUBLIC_BASE_URL"]
    if env.get("TRUSTED_HOSTS"):
        app.config["TRUSTED_HOSTS"] = [h.strip() for h in env["TRUSTED_HOSTS"].split(",") if h.strip()]
    if env.get("UPLOAD_DIR"):
        app.config["UPLOAD_DIR"] = env["UPLOAD_DIR"]
    if env.get("PROXY_FIX"):
        app.config["PROXY_FIX"] = int(env["PROXY_FIX"])
    if env.get("AREA_LEVEL_LABELS"):
        app.config["AREA_LEVEL_LABELS"] = json.loads(env["AREA_LEVEL_LABELS"])
    # deployment settings: instance/config.py (never committed), then PORTAL_<NAME> variables (JSON-parsed,
    # e.g. PORTAL_WISH_VALUE_CAP=300 or PORTAL_WISH_CATEGORIES='["study","care"]')
    if name != "testing":
        app.config.from_pyfile(str(Path(app.instance_path) / "config.py"), silent=True)
        app.config.from_prefixed_env("PORTAL")
    app.config.update(overrides)

    check_deployment(app, name)

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(app.instance_path, may_create=name != "production")
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + str(Path(app.instance_path) / "portal.sqlite3")
    if app.config.get("DATABASE_URL_READ"):
        app.config["DATABASE_URL_READ"] = _database_url(str(app.config["DATABASE_URL_READ"]))
    if not app.config.get("UPLOAD_DIR"):
        app.config["UPLOAD_DIR"] = str(Path(app.instance_path) / "uploads")
        if name == "production":
            app.logger.warning(
                "UPLOAD_DIR is not set: photos are stored in %s, on this host only. With several hosts, point "
                "UPLOAD_DIR at a volume they all mount (NFS), or photos will be missing on the others.",
                app.config["UPLOAD_DIR"])
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # SQLite: one connection per thread; the busy timeout lets concurrent writers queue instead of failing.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 30, "check_same_thread": False}}
