"""Applying the aerich migrations that ship with trunkql."""

from pathlib import Path

from aerich import Command

import migrations
from models.config import APP_LABEL, tortoise_config

MIGRATIONS_DIR = Path(migrations.__file__).parent


async def apply_migrations(database_url: str) -> list[str]:
    """Apply every pending migration; returns the names of those applied (each in a transaction)."""
    async with Command(
        tortoise_config(database_url), app=APP_LABEL, location=str(MIGRATIONS_DIR)
    ) as command:
        applied: list[str] = await command.upgrade(run_in_transaction=True)
    return applied
