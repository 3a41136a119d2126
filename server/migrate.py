"""Applying the aerich migrations that ship with trunkql."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
from aerich import Command

import migrations
from models.config import APP_LABEL, POSTGRES_CONNECT_TIMEOUT_SECONDS, tortoise_config
from services.health.postgres import asyncpg_dsn, is_postgres_url

MIGRATIONS_DIR = Path(migrations.__file__).parent

# The PostgreSQL advisory lock every trunkql process takes to migrate: "trunkqlM" in ASCII. Not
# the health monitor's leader lock ("trunkql"), which its holder keeps as long as it runs.
MIGRATION_LOCK_KEY = int.from_bytes(b"trunkqlM", "big")
# How long a starting process waits for another one's migrations before giving up.
MIGRATION_LOCK_TIMEOUT_SECONDS = 300.0


class MigrationLockTimeout(RuntimeError):
    """Another process held the migration lock for longer than the wait allowed."""


async def apply_migrations(
    database_url: str, lock_timeout: float = MIGRATION_LOCK_TIMEOUT_SECONDS
) -> list[str]:
    """Apply every pending migration; returns the names of those applied (each in a transaction).

    On PostgreSQL, one process at a time: several processes starting together (replicas, uvicorn
    workers) would otherwise all apply the same migration, and all but one fail half-way."""
    async with (
        _one_migrator_at_a_time(database_url, lock_timeout),
        Command(
            tortoise_config(database_url), app=APP_LABEL, location=str(MIGRATIONS_DIR)
        ) as command,
    ):
        applied: list[str] = await command.upgrade(run_in_transaction=True)
    return applied


@asynccontextmanager
async def _one_migrator_at_a_time(database_url: str, wait: float) -> AsyncIterator[None]:
    """A session-level advisory lock, held on a connection of its own while migrations run and
    released by closing it (so also when the process dies). SQLite needs none: a file is migrated
    by the one process that owns it (see the README on several processes)."""
    if not is_postgres_url(database_url):
        yield
        return
    connection = await asyncpg.connect(
        asyncpg_dsn(database_url), timeout=POSTGRES_CONNECT_TIMEOUT_SECONDS
    )
    try:
        try:
            async with asyncio.timeout(wait):
                await connection.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
        except TimeoutError:
            raise MigrationLockTimeout(
                f"another process has held the migration lock for over {wait:g} s; "
                "is a migration stuck? (pg_locks, locktype 'advisory')"
            ) from None
        yield
    finally:
        await connection.close(timeout=POSTGRES_CONNECT_TIMEOUT_SECONDS)
