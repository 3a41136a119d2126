"""The Tortoise ORM configuration, built from a database URL.

The one place that knows how a URL becomes a Tortoise config, so the server, the CLI, aerich and
the tests all open the database the same way.
"""

from typing import Any

from tortoise.backends.base.config_generator import expand_db_url

from models import MODEL_MODULES

APP_LABEL = "models"
# asyncpg waits 60 s for a connection by default; an unreachable database should fail requests
# quickly (and /readyz should say so) rather than hold them. A URL's own ?timeout= wins.
POSTGRES_CONNECT_TIMEOUT_SECONDS = 5


def connection_config(database_url: str) -> dict[str, Any]:
    connection: dict[str, Any] = expand_db_url(database_url)
    if connection["engine"] == "tortoise.backends.asyncpg":
        connection["credentials"].setdefault("timeout", POSTGRES_CONNECT_TIMEOUT_SECONDS)
    return connection


def tortoise_config(database_url: str) -> dict[str, Any]:
    return {
        "connections": {"default": connection_config(database_url)},
        "apps": {APP_LABEL: {"models": list(MODEL_MODULES), "default_connection": "default"}},
        "use_tz": True,
        "timezone": "UTC",
    }
