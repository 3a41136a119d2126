"""Which real database the suite runs on, and throw-away databases on it.

``TRUNKQL_TEST_DATABASE`` is ``sqlite`` (a real file in a temporary folder, the default) or
``postgres`` (a fresh database created on the server named by ``TRUNKQL_TEST_POSTGRES_URL``,
default the local PostgreSQL's ``test`` database, and dropped afterwards).
"""

import os
import sqlite3
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

BACKEND = os.environ.get("TRUNKQL_TEST_DATABASE", "sqlite")
POSTGRES_ADMIN_URL = os.environ.get(
    "TRUNKQL_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test"
)
if BACKEND not in {"sqlite", "postgres"}:
    raise RuntimeError(f"TRUNKQL_TEST_DATABASE must be sqlite or postgres, not {BACKEND!r}")


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@asynccontextmanager
async def fresh_database(folder: Path) -> AsyncIterator[str]:
    """A new, empty database on the configured backend; its Tortoise URL."""
    if BACKEND == "sqlite":
        yield f"sqlite://{folder / f'trunkql-{uuid.uuid4().hex[:8]}.sqlite3'}"
        return
    name = f"trunkql_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(POSTGRES_ADMIN_URL.replace("postgres://", "postgresql://", 1))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield _with_database(POSTGRES_ADMIN_URL, name)
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def fetch_rows(url: str, sql: str) -> list[dict[str, object]]:
    """Rows of ``sql`` read straight from the database at ``url`` (another process's database),
    without touching this process's ORM."""
    if url.startswith("sqlite://"):
        with sqlite3.connect(url.removeprefix("sqlite://")) as db:
            db.row_factory = sqlite3.Row
            return [dict(row) for row in db.execute(sql)]
    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        return [dict(row) for row in await conn.fetch(sql)]
    finally:
        await conn.close()
