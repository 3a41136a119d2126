"""Prints a normalised description of a database's schema as JSON: tables, columns, indexes.

Run as a script in its own process (``python -m tests.migrations.schema_snapshot URL [--generate]``)
so that initialising Tortoise here never disturbs another test's ORM state. With ``--generate`` it
first creates the schema straight from the models (Tortoise's generate_schemas), which is what the
migrations must be equal to.
"""

import asyncio
import json
import sqlite3
import sys
from typing import Any

import asyncpg
from tortoise import Tortoise

from models.config import tortoise_config


def _sqlite(path: str) -> dict[str, Any]:
    db = sqlite3.connect(path)
    tables: dict[str, Any] = {}
    names = [
        r[0]
        for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    for table in sorted(names):
        columns = {
            name: {"type": ctype.upper(), "not_null": bool(notnull), "default": default, "pk": pk}
            for _, name, ctype, notnull, default, pk in db.execute(f'PRAGMA table_info("{table}")')
        }
        indexes = {}
        for _, name, unique, origin, _partial in db.execute(f'PRAGMA index_list("{table}")'):
            cols = [r[2] for r in db.execute(f'PRAGMA index_info("{name}")')]
            indexes[name if origin == "c" else f"<{origin}>{','.join(cols)}"] = {
                "unique": bool(unique),
                "columns": cols,
            }
        tables[table] = {"columns": columns, "indexes": indexes}
    db.close()
    return tables


async def _postgres(url: str) -> dict[str, Any]:
    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        tables: dict[str, Any] = {}
        for row in await conn.fetch(
            "SELECT table_name, column_name, data_type, is_nullable, column_default, "
            "character_maximum_length FROM information_schema.columns "
            "WHERE table_schema = 'public' ORDER BY table_name, column_name"
        ):
            table = tables.setdefault(row["table_name"], {"columns": {}, "indexes": {}})
            table["columns"][row["column_name"]] = {
                "type": row["data_type"],
                "length": row["character_maximum_length"],
                "not_null": row["is_nullable"] == "NO",
                "default": row["column_default"],
            }
        for row in await conn.fetch(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"
        ):
            tables[row["tablename"]]["indexes"][row["indexname"]] = row["indexdef"]
        return tables
    finally:
        await conn.close()


async def main(url: str, generate: bool) -> None:
    if generate:
        await Tortoise.init(config=tortoise_config(url))
        await Tortoise.generate_schemas(safe=False)
        await Tortoise.close_connections()
    if url.startswith("sqlite://"):
        snapshot = _sqlite(url.removeprefix("sqlite://"))
    else:
        snapshot = await _postgres(url)
    print(json.dumps(snapshot, sort_keys=True))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], "--generate" in sys.argv[2:]))
