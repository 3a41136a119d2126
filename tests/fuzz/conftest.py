"""One real ``trunkql serve`` for the fuzzers, on the configured backend (a fresh SQLite file or
a fresh PostgreSQL database), with ``trunkql fake-telnyx`` on loopback as its carrier so that
``setupProvider`` never leaves the machine, and a few records whose ids the fuzzers use (so
updates and deletes reach real rows, not only NOT_FOUND).

Both are child processes: the fuzz tests are synchronous (schemathesis drives them) and the
servers must keep answering while pytest's event loop is idle.
"""

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import strategies as st

from server.auth import mint_token
from services.principals import Role
from tests.databases import fresh_database
from tests.factories import ACME, PLATFORM
from tests.processes import clean_env, fake_telnyx_command, free_port, serving

JWT_SECRET = "fuzz-jwt-secret-" + "j" * 40
TELNYX_KEY = "KEYfuzz0123456789abcdef"


# Ids of the records the live server was seeded with (filled in by ``live_server``), for the
# fuzzers' id strategies: with them, updates and deletes reach real rows, not only NOT_FOUND.
KNOWN_IDS: list[str] = []
KNOWN_ID = st.deferred(lambda: st.sampled_from(KNOWN_IDS))


@dataclass
class LiveServer:
    base_url: str
    log: Path
    token: str
    known_ids: list[str] = field(default_factory=list)

    @property
    def graphql_url(self) -> str:
        return f"{self.base_url}/graphql"

    @property
    def admin_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def _mutate(
    client: httpx.AsyncClient, server: LiveServer, name: str, value: dict[str, Any], record: str
) -> str:
    input_type = name[0].upper() + name[1:] + "Input"
    reply = await client.post(
        "/graphql",
        json={
            "query": f"mutation($i: {input_type}!) {{ {name}(input: $i) "
            f"{{ {record} {{ id }} userErrors {{ code message }} }} }}",
            "variables": {"i": value},
        },
        headers=server.admin_headers,
    )
    payload = reply.json()["data"][name]
    assert payload["userErrors"] == [], payload
    record_id: str = payload[record]["id"]
    return record_id


async def _seed(server: LiveServer) -> None:
    """Providers (one in use by routes, one deleted) and routes (one deleted)."""
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as client:

        async def provider(**values: Any) -> str:
            return await _mutate(client, server, "createProvider", values, "provider")

        used = await provider(
            name="Used",
            hostname="127.0.0.1:5060",
            techPrefix="1",
            techPostfix="@127.0.0.2",
            techHeaders={"X-Account": "acme-7"},
            codecs="PCMU,PCMA",
            metadata={"tier": 1},
        )
        spare = await provider(name="Spare", hostname="127.0.0.3")
        gone = await provider(name="Gone", hostname="[::1]:5070")
        await _mutate(client, server, "deleteProvider", {"id": gone}, "provider")
        route_values = {"name": "r", "providerId": used, "priority": 0, "target": "all"}
        live_route = await _mutate(
            client, server, "createRoute", {**route_values, "customerId": ACME}, "route"
        )
        old_route = await _mutate(
            client,
            server,
            "createRoute",
            {**route_values, "customerId": PLATFORM, "target": "+44"},
            "route",
        )
        await _mutate(client, server, "deleteRoute", {"id": old_route}, "route")
    server.known_ids += [used, spare, gone, live_route, old_route, ACME, PLATFORM]


@pytest.fixture(scope="session")
async def live_server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[LiveServer]:
    folder = tmp_path_factory.mktemp("fuzz")
    with fake_telnyx_command(free_port(), "--valid-key", TELNYX_KEY) as telnyx:
        async with fresh_database(folder) as url:
            env = clean_env(
                TRUNKQL_DATABASE_URL=url,
                TRUNKQL_JWT_SECRET=JWT_SECRET,
                TRUNKQL_SECRET_KEY="fuzz-secret-key-" + "k" * 40,
                TRUNKQL_TELNYX_BASE_URL=telnyx,
                # setupProvider cases stay quick even when the fake is made to stall.
                TRUNKQL_CARRIER_REQUEST_TIMEOUT="2",
                TRUNKQL_CARRIER_MAX_ATTEMPTS="2",
                TRUNKQL_CARRIER_BACKOFF_BASE="0.01",
                TRUNKQL_CARRIER_BACKOFF_MAX="0.05",
                TRUNKQL_SETUP_DEADLINE="5",
                # Fuzzed hostnames are never probed: no background monitor, and
                # checkProviderHealth is only sent for loopback hostnames (tests.fuzz.probes).
                TRUNKQL_HEALTH_CHECK_ENABLED="false",
                TRUNKQL_HEALTH_CHECK_TIMEOUT="0.2",
                # One access-log line per request would drown the errors the log is kept for.
                TRUNKQL_LOG_LEVEL="WARNING",
            )
            with serving(folder, env) as (base, log):
                token = mint_token(JWT_SECRET, "fuzzer", [Role.PROJECT_SUPER_ADMIN], 3600)
                server = LiveServer(base_url=base, log=log, token=token)
                await _seed(server)
                KNOWN_IDS[:] = server.known_ids
                yield server


@pytest.fixture(scope="session")
def live_http(live_server: LiveServer) -> Iterator[httpx.Client]:
    """A keep-alive client for the live server (the fuzz tests are synchronous)."""
    with httpx.Client(base_url=live_server.base_url, timeout=30) as client:
        yield client
