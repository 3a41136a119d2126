"""The shipped migrations build exactly the schema the models describe, on this test run's backend
(CI runs the suite on SQLite and on PostgreSQL, so both dialects are proven)."""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.databases import fresh_database
from tests.processes import clean_env, run_trunkql


def _snapshot(url: str, repo_root: Path, *flags: str) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-m", "tests.migrations.schema_snapshot", url, *flags],
        cwd=repo_root,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    snapshot: dict[str, Any] = json.loads(result.stdout)
    return snapshot


async def test_migrations_apply_from_empty_and_match_the_models(
    tmp_path: Path, repo_root: Path
) -> None:
    async with fresh_database(tmp_path) as migrated, fresh_database(tmp_path) as generated:
        env = clean_env(TRUNKQL_DATABASE_URL=migrated)

        first = run_trunkql("migrate", cwd=tmp_path, env=env)
        again = run_trunkql("migrate", cwd=tmp_path, env=env)

        assert first.returncode == 0, first.stderr
        assert "applied migrations: 0_" in first.stderr
        assert again.returncode == 0, again.stderr
        assert "up to date" in again.stderr
        from_migrations = _snapshot(migrated, repo_root)
        from_models = _snapshot(generated, repo_root, "--generate")

    assert "provider" in from_migrations
    assert from_migrations == from_models


def test_the_last_migration_records_the_current_models(repo_root: Path) -> None:
    """aerich diffs new model changes against the state stored in the last migration; if that state
    lags the models, the next generated migration would be wrong."""
    script = (
        "import asyncio, json\n"
        "from tortoise import Tortoise\n"
        "from aerich.migrate import Migrate\n"
        "from aerich.utils import get_models_describe\n"
        "from models.config import tortoise_config\n"
        "from server.migrate import MIGRATIONS_DIR\n"
        "async def main():\n"
        "    await Tortoise.init(config=tortoise_config('sqlite://:memory:'))\n"
        "    Migrate.app = 'models'\n"
        "    Migrate.migrate_location = MIGRATIONS_DIR / 'models'\n"
        "    last = Migrate.get_last_version_module()\n"
        "    stored = Migrate.get_migration_info_for_file(last).models_state\n"
        "    current = get_models_describe('models')\n"
        "    print(json.dumps(stored == json.loads(json.dumps(current))))\n"
        "    await Tortoise.close_connections()\n"
        "asyncio.run(main())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=repo_root,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=clean_env(),
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "true", "models changed: generate a migration with aerich"
