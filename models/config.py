"""The Tortoise ORM configuration, built from a database URL.

The one place that knows how a URL becomes a Tortoise config, so the server, the CLI, aerich and
the tests all open the database the same way.
"""

from typing import Any

from models import MODEL_MODULES

APP_LABEL = "models"


def tortoise_config(database_url: str) -> dict[str, Any]:
    return {
        "connections": {"default": database_url},
        "apps": {APP_LABEL: {"models": list(MODEL_MODULES), "default_connection": "default"}},
        "use_tz": True,
        "timezone": "UTC",
    }
