"""Several processes starting at once on one PostgreSQL database (replicas, uvicorn workers) each
migrate at start: one applies the migrations, the others wait for it and find nothing left to do.
Without the lock all of them applied the first pending migration and all but one failed."""

import asyncio
from pathlib import Path

import asyncpg
import pytest

from server.migrate import MIGRATION_LOCK_KEY, MigrationLockTimeout, apply_migrations
from services.health.postgres import asyncpg_dsn
from tests.databases import BACKEND, fetch_rows, fresh_database
from tests.processes import TRUNKQL, clean_env

pytestmark = pytest.mark.skipif(
    BACKEND != "postgres", reason="the migration lock is a PostgreSQL advisory lock"
)


async def _migrate(tmp_path: Path, url: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        TRUNKQL,
        "migrate",
        cwd=tmp_path,
        env=clean_env(TRUNKQL_DATABASE_URL=url),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode is not None
    return process.returncode, stderr.decode()


async def test_processes_migrating_at_once_all_succeed_and_migrate_once(tmp_path: Path) -> None:
    async with fresh_database(tmp_path) as url:
        results = await asyncio.gather(*(_migrate(tmp_path, url) for _ in range(4)))
        applied = await fetch_rows(url, "SELECT version FROM aerich ORDER BY id")

    assert [code for code, _ in results] == [0, 0, 0, 0], [log for _, log in results]
    assert sum("applied migrations: 0_" in log for _, log in results) == 1
    versions = [row["version"] for row in applied]
    assert versions
    assert len(versions) == len(set(versions))


async def test_a_process_that_cannot_get_the_lock_in_time_says_so(tmp_path: Path) -> None:
    async with fresh_database(tmp_path) as url:
        holder = await asyncpg.connect(asyncpg_dsn(url))
        try:
            await holder.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
            with pytest.raises(MigrationLockTimeout, match=r"migration lock for over 0\.5 s"):
                await apply_migrations(url, lock_timeout=0.5)
            tables = await holder.fetch(
                "SELECT tablename FROM pg_tables WHERE tablename = 'aerich'"
            )
        finally:
            await holder.close()

    assert tables == []  # nothing was migrated without the lock
