"""Settings from the environment (all prefixed TRUNKQL_), with safe defaults.

With nothing configured, trunkql serves on 127.0.0.1:8000 from an SQLite file in the working
directory, and keeps generated secrets in a file beside it (see ``server.secrets``).
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from services.health.settings import HealthSettings

DEFAULT_DATABASE_URL = "sqlite://trunkql.sqlite3"
DEFAULT_TELNYX_BASE_URL = "https://api.telnyx.com/v2"


N = TypeVar("N", int, float)


class SettingsError(ValueError):
    """A setting has a value trunkql cannot use; the message names the variable."""


def _number(
    env: Mapping[str, str], name: str, default: N, low: N, high: N, kind: type[N], what: str
) -> N:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise SettingsError(f"{name} must be {what}, got {raw!r}") from None
    if not low <= value <= high:
        raise SettingsError(f"{name} must be between {low} and {high}, got {value}")
    return value


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    return _number(env, name, default, low, high, int, "a whole number")


def _float(env: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    return _number(env, name, default, low, high, float, "a number")


def _choice(env: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    value = (env.get(name) or default).lower()
    if value not in choices:
        raise SettingsError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name} must be true or false, got {raw!r}")


JWT_ALGORITHMS = ("HS256", "RS256", "ES256")


def _token_settings(env: Mapping[str, str]) -> dict[str, Any]:
    algorithm = (env.get("TRUNKQL_JWT_ALGORITHM") or "HS256").upper()
    if algorithm not in JWT_ALGORITHMS:
        raise SettingsError(f"TRUNKQL_JWT_ALGORITHM must be one of {', '.join(JWT_ALGORITHMS)}")
    key_file = env.get("TRUNKQL_JWT_PUBLIC_KEY_FILE") or None
    if algorithm != "HS256" and key_file is None:
        raise SettingsError(f"TRUNKQL_JWT_ALGORITHM={algorithm} needs TRUNKQL_JWT_PUBLIC_KEY_FILE")
    max_ttl = _int(env, "TRUNKQL_TOKEN_MAX_TTL_SECONDS", 24 * 3600, 60, 30 * 24 * 3600)
    ttl = _int(env, "TRUNKQL_TOKEN_TTL_SECONDS", min(3600, max_ttl), 60, max_ttl)
    return {
        "jwt_algorithm": algorithm,
        "jwt_public_key_file": Path(key_file) if key_file else None,
        "jwt_issuer": env.get("TRUNKQL_JWT_ISSUER") or "trunkql",
        "jwt_audience": env.get("TRUNKQL_JWT_AUDIENCE") or None,
        "jwt_leeway_seconds": _int(env, "TRUNKQL_JWT_LEEWAY_SECONDS", 30, 0, 300),
        "token_max_ttl_seconds": max_ttl,
        "token_ttl_seconds": ttl,
    }


def _recovery_after(env: Mapping[str, str]) -> float:
    """How old a pending setup must be before it counts as abandoned: longer than a live setup can
    take (its deadline plus its rollback), or a live one could be undone under it."""
    deadline = _float(env, "TRUNKQL_SETUP_DEADLINE", 60.0, 0.1, 600)
    after = _float(env, "TRUNKQL_SETUP_RECOVERY_AFTER", max(300.0, 2 * deadline), 0.1, 86400)
    if after <= deadline:
        raise SettingsError(
            f"TRUNKQL_SETUP_RECOVERY_AFTER ({after}) must be longer than "
            f"TRUNKQL_SETUP_DEADLINE ({deadline})"
        )
    return after


def _health(env: Mapping[str, str]) -> HealthSettings:
    return HealthSettings(
        enabled=_bool(env, "TRUNKQL_HEALTH_CHECK_ENABLED", True),
        interval=_float(env, "TRUNKQL_HEALTH_CHECK_INTERVAL", 30.0, 0.1, 86400),
        timeout=_float(env, "TRUNKQL_HEALTH_CHECK_TIMEOUT", 5.0, 0.05, 60),
        unhealthy_after=_int(env, "TRUNKQL_HEALTH_UNHEALTHY_AFTER", 3, 1, 100),
        healthy_after=_int(env, "TRUNKQL_HEALTH_HEALTHY_AFTER", 2, 1, 100),
        concurrency=_int(env, "TRUNKQL_HEALTH_CHECK_CONCURRENCY", 200, 1, 10000),
        reachable_2xx_only=_bool(env, "TRUNKQL_HEALTH_2XX_ONLY", False),
    )


def _origins(raw: str) -> tuple[str, ...]:
    """Comma-separated exact origins (scheme://host[:port]); "*" is refused on purpose: these
    endpoints take bearer tokens, and a wildcard would let any page drive them."""
    origins = tuple(o.strip().rstrip("/") for o in raw.split(",") if o.strip())
    for origin in origins:
        if origin == "*" or "://" not in origin:
            raise SettingsError(
                f"TRUNKQL_CORS_ORIGINS takes exact origins like https://admin.example.com, "
                f"got {origin!r}"
            )
    return origins


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    host: str = "127.0.0.1"
    port: int = 8000
    jwt_secret: str | None = field(default=None, repr=False)
    secret_key: str | None = field(default=None, repr=False)
    secrets_file: Path | None = None
    token_ttl_seconds: int = 3600
    telnyx_base_url: str = DEFAULT_TELNYX_BASE_URL
    carrier_request_timeout: float = 10.0
    setup_deadline: float = 60.0
    setup_recovery_after: float = 300.0
    carrier_max_attempts: int = 4
    carrier_backoff_base: float = 0.25
    carrier_backoff_max: float = 8.0
    migrate_on_start: bool = True
    shutdown_grace_seconds: int = 30
    log_level: str = "INFO"
    log_format: str = "json"
    # Tokens: which algorithm is accepted (one, fixed), with what key, and how they are bounded.
    jwt_algorithm: str = "HS256"
    jwt_public_key_file: Path | None = None
    jwt_issuer: str = "trunkql"
    jwt_audience: str | None = None
    jwt_leeway_seconds: int = 30
    token_max_ttl_seconds: int = 24 * 3600
    # Request limits (see README "Security").
    max_body_bytes: int = 1024 * 1024
    max_query_depth: int = 10
    max_aliases: int = 30
    max_tokens: int = 2000
    query_cache_size: int = 256
    expose_schema: bool = True  # introspection and GraphiQL; switch off in production
    cors_origins: tuple[str, ...] = ()
    # Serve the schema as an Apollo Federation 2 subgraph (schema.federation).
    federation: bool = False
    health: HealthSettings = field(default_factory=HealthSettings)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        env = os.environ if env is None else env
        secrets_file = env.get("TRUNKQL_SECRETS_FILE")
        log_level = env.get("TRUNKQL_LOG_LEVEL", "INFO").upper()
        if log_level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise SettingsError(
                f"TRUNKQL_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {log_level!r}"
            )
        database_url = env.get("TRUNKQL_DATABASE_URL") or DEFAULT_DATABASE_URL
        if not database_url.startswith(("sqlite://", "postgres://", "postgresql://")):
            raise SettingsError(
                "TRUNKQL_DATABASE_URL must start with sqlite:// or postgres://, "
                f"got {database_url.split('://')[0]!r}"
            )
        return cls(
            database_url=database_url,
            host=env.get("TRUNKQL_HOST") or "127.0.0.1",
            port=_int(env, "TRUNKQL_PORT", 8000, 0, 65535),
            jwt_secret=env.get("TRUNKQL_JWT_SECRET") or None,
            secret_key=env.get("TRUNKQL_SECRET_KEY") or None,
            secrets_file=Path(secrets_file) if secrets_file else None,
            telnyx_base_url=(env.get("TRUNKQL_TELNYX_BASE_URL") or DEFAULT_TELNYX_BASE_URL).rstrip(
                "/"
            ),
            carrier_request_timeout=_float(env, "TRUNKQL_CARRIER_REQUEST_TIMEOUT", 10.0, 0.01, 300),
            setup_deadline=_float(env, "TRUNKQL_SETUP_DEADLINE", 60.0, 0.1, 600),
            setup_recovery_after=_recovery_after(env),
            carrier_max_attempts=_int(env, "TRUNKQL_CARRIER_MAX_ATTEMPTS", 4, 1, 10),
            carrier_backoff_base=_float(env, "TRUNKQL_CARRIER_BACKOFF_BASE", 0.25, 0, 10),
            carrier_backoff_max=_float(env, "TRUNKQL_CARRIER_BACKOFF_MAX", 8.0, 0, 60),
            migrate_on_start=_bool(env, "TRUNKQL_MIGRATE_ON_START", True),
            shutdown_grace_seconds=_int(env, "TRUNKQL_SHUTDOWN_GRACE_SECONDS", 30, 0, 3600),
            log_level=log_level,
            log_format=_choice(env, "TRUNKQL_LOG_FORMAT", "json", ("json", "text")),
            **_token_settings(env),
            max_body_bytes=_int(env, "TRUNKQL_MAX_BODY_BYTES", 1024 * 1024, 1024, 64 * 1024 * 1024),
            max_query_depth=_int(env, "TRUNKQL_MAX_QUERY_DEPTH", 10, 2, 100),
            max_aliases=_int(env, "TRUNKQL_MAX_ALIASES", 30, 0, 1000),
            max_tokens=_int(env, "TRUNKQL_MAX_TOKENS", 2000, 100, 100_000),
            query_cache_size=_int(env, "TRUNKQL_QUERY_CACHE_SIZE", 256, 0, 100_000),
            expose_schema=_bool(env, "TRUNKQL_EXPOSE_SCHEMA", True),
            cors_origins=_origins(env.get("TRUNKQL_CORS_ORIGINS", "")),
            federation=_bool(env, "TRUNKQL_FEDERATION", False),
            health=_health(env),
        )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite://")

    @property
    def sqlite_path(self) -> Path | None:
        if not self.is_sqlite:
            return None
        path = self.database_url.removeprefix("sqlite://").split("?", 1)[0]
        return None if path in {"", ":memory:"} else Path(path)

    def resolved_secrets_file(self) -> Path:
        """Where generated secrets live: beside the embedded database, else the working folder."""
        if self.secrets_file is not None:
            return self.secrets_file
        db = self.sqlite_path
        folder = db.parent if db is not None else Path()
        return folder / "trunkql.secrets.json"
