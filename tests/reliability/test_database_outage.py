"""PostgreSQL going away mid-run: requests fail fast with DATABASE_UNAVAILABLE, /readyz says not
ready, nothing is half-written, and the same server process recovers when the database returns.

The database is the real PostgreSQL, reached through a loopback TCP proxy that the test cuts and
restores: to the server that is the database going down, while other tests' server stays up.
"""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.databases import BACKEND, fresh_database
from tests.processes import clean_env, run_trunkql, serving
from tests.reliability.tcp_proxy import TcpProxy

pytestmark = [
    pytest.mark.skipif(BACKEND != "postgres", reason="an outage of a server database (PostgreSQL)"),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
]

LIST = {"query": "{ providers { totalCount edges { node { name } } } }"}
CREATE = {
    "query": "mutation($i: CreateProviderInput!) { createProvider(input: $i) { "
    "provider { id } userErrors { code } } }",
    "variables": {"i": {"name": "during outage", "hostname": "sip.example.com"}},
}


async def _post(client: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    reply = await client.post("/graphql", json=body)
    result: dict[str, Any] = reply.json()
    return result


@pytest.fixture
async def outage_rig(
    tmp_path: Path,
) -> AsyncIterator[tuple[httpx.AsyncClient, TcpProxy, Path]]:
    async with fresh_database(tmp_path) as url:
        # The server migrates at start (never in this process: that would re-initialise the ORM
        # that the other tests' app is using).
        proxy = TcpProxy("127.0.0.1", 5432)
        port = proxy.start()
        proxied = url.replace("@127.0.0.1:5432/", f"@127.0.0.1:{port}/")
        env = clean_env(
            TRUNKQL_DATABASE_URL=proxied,
            TRUNKQL_JWT_SECRET="o" * 48,
            TRUNKQL_SECRET_KEY="u" * 48,
        )
        token = run_trunkql("token", "--role", "PROJECT_SUPER_ADMIN", cwd=tmp_path, env=env)
        try:
            with serving(tmp_path, env) as (base, log):
                # A hang would trip this client timeout: "fail fast" is a bound, not a benchmark.
                async with httpx.AsyncClient(
                    base_url=base,
                    headers={"Authorization": f"Bearer {token.stdout.strip()}"},
                    timeout=5,
                ) as client:
                    yield client, proxy, log
                # One start-up in the log: the server recovered without a restart.
                assert log.read_text().count("Application startup complete") == 1
        finally:
            proxy.close()


async def test_an_outage_is_reported_clearly_and_recovered_from(
    outage_rig: tuple[httpx.AsyncClient, TcpProxy, Path],
) -> None:
    client, proxy, _ = outage_rig
    assert (await _post(client, LIST))["data"]["providers"]["totalCount"] == 0

    proxy.cut()
    listed = await _post(client, LIST)
    created = await _post(client, CREATE)
    ready = await client.get("/readyz")
    alive = await client.get("/healthz")

    for body in (listed, created):
        [error] = body["errors"]
        assert error["extensions"]["code"] == "DATABASE_UNAVAILABLE"
        assert error["extensions"]["requestId"]
        assert "retry" in error["message"]
    assert ready.status_code == 503
    assert ready.json() == {"status": "unavailable", "database": "down"}
    assert alive.status_code == 200  # the process itself is fine

    proxy.restore()
    for _ in range(50):  # the pool reconnects on its own; bounded wait
        if (await client.get("/readyz")).status_code == 200:
            break
        await asyncio.sleep(0.1)
    listed = await _post(client, LIST)

    assert listed["data"]["providers"]["totalCount"] == 0  # the refused create wrote nothing
    assert (await _post(client, CREATE))["data"]["createProvider"]["userErrors"] == []


async def test_connections_dropped_mid_use_recover_too(
    outage_rig: tuple[httpx.AsyncClient, TcpProxy, Path],
) -> None:
    client, proxy, _ = outage_rig
    await _post(client, CREATE)  # the pool now holds an open connection

    proxy.cut()
    proxy.restore()  # the open connection is dead, but the database is back
    results = [await _post(client, LIST) for _ in range(3)]

    codes = [e["extensions"]["code"] for r in results for e in r.get("errors", [])]
    assert set(codes) <= {"DATABASE_UNAVAILABLE"}  # at worst the stale connection's request
    assert results[-1]["data"]["providers"]["totalCount"] == 1
