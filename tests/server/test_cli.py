"""The ``trunkql`` command as an operator uses it, against real processes and a real socket."""

import stat
from pathlib import Path

import httpx
import pytest

from tests.databases import BACKEND, fresh_database
from tests.processes import clean_env, run_trunkql, serving

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

CREATE = """mutation($input: CreateProviderInput!) {
  createProvider(input: $input) { provider { id name } userErrors { code } }
}"""


@pytest.mark.parametrize(
    "command", [[], ["serve"], ["migrate"], ["export-schema"], ["token"], ["fake-telnyx"]]
)
def test_every_command_has_help(tmp_path: Path, command: list[str]) -> None:
    result = run_trunkql(*command, "--help", cwd=tmp_path, env=clean_env())

    assert result.returncode == 0, result.stderr
    assert "usage: trunkql" in result.stdout


def test_committed_schema_matches_the_code(tmp_path: Path, repo_root: Path) -> None:
    result = run_trunkql("export-schema", cwd=tmp_path, env=clean_env())

    assert result.returncode == 0, result.stderr
    committed = (repo_root / "schema.graphql").read_text(encoding="utf-8")
    assert result.stdout == committed, (
        "schema.graphql is stale: run `trunkql export-schema -o schema.graphql`"
    )


def test_a_bad_setting_is_a_clear_error(tmp_path: Path) -> None:
    result = run_trunkql("migrate", cwd=tmp_path, env=clean_env(TRUNKQL_PORT="eighty"))

    assert result.returncode == 2
    assert "TRUNKQL_PORT must be a whole number" in result.stderr


async def test_first_start_migrates_generates_keys_and_serves(tmp_path: Path) -> None:
    async with fresh_database(tmp_path) as url:
        # The SQLite run uses the true default: no database setting at all.
        env = clean_env() if BACKEND == "sqlite" else clean_env(TRUNKQL_DATABASE_URL=url)

        with serving(tmp_path, env) as (base, log):
            secrets_file = tmp_path / "trunkql.secrets.json"
            assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600
            assert "trunkql token --role PROJECT_SUPER_ADMIN" in log.read_text()
            if BACKEND == "sqlite":
                assert (tmp_path / "trunkql.sqlite3").exists()
            token = run_trunkql("token", "--role", "PROJECT_SUPER_ADMIN", cwd=tmp_path, env=env)
            assert token.returncode == 0, token.stderr
            headers = {"Authorization": f"Bearer {token.stdout.strip()}"}

            async with httpx.AsyncClient(base_url=base, timeout=10) as client:
                assert (await client.get("/readyz")).json() == {"status": "ready", "database": "up"}
                created = await client.post(
                    "/graphql",
                    json={
                        "query": CREATE,
                        "variables": {"input": {"name": "Telnyx", "hostname": "sip.telnyx.com"}},
                    },
                    headers=headers,
                )
                assert created.json()["data"]["createProvider"]["userErrors"] == []

        # A restart keeps the keys (the same token still works) and the data.
        with serving(tmp_path, env) as (base, log):
            assert "generated keys" not in log.read_text()
            async with httpx.AsyncClient(base_url=base, timeout=10) as client:
                listed = await client.post(
                    "/graphql",
                    json={"query": "{ providers { totalCount edges { node { name } } } }"},
                    headers=headers,
                )
            assert listed.json()["data"]["providers"]["totalCount"] == 1


async def test_a_token_signed_with_another_secret_is_refused(tmp_path: Path) -> None:
    async with fresh_database(tmp_path) as url:
        env = clean_env(
            TRUNKQL_DATABASE_URL=url, TRUNKQL_JWT_SECRET="s" * 48, TRUNKQL_SECRET_KEY="k" * 48
        )
        other = run_trunkql(
            "token",
            "--role",
            "PROJECT_SUPER_ADMIN",
            cwd=tmp_path,
            env={**env, "TRUNKQL_JWT_SECRET": "o" * 48},
        ).stdout.strip()

        with serving(tmp_path, env) as (base, _):
            async with httpx.AsyncClient(base_url=base, timeout=10) as client:
                reply = await client.post(
                    "/graphql",
                    json={"query": "{ providers { totalCount } }"},
                    headers={"Authorization": f"Bearer {other}"},
                )

    assert reply.status_code == 401
    assert not (tmp_path / "trunkql.secrets.json").exists()  # configured keys: no file written
