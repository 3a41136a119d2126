"""Load: 1,000 concurrent ``createProvider`` calls over real HTTP against a real ``trunkql serve``
process on the configured backend (a fresh SQLite file, or a fresh PostgreSQL database).

What must hold, however the requests interleave:

- no request fails with an internal error (no 5xx, no ``INTERNAL_SERVER_ERROR``, no dropped
  connection): every answer is a well-formed GraphQL response;
- every acknowledged record (a ``provider`` with no ``userErrors``) exists afterwards, as it was
  acknowledged, and nothing exists that was not acknowledged;
- a refusal, if any, says why (a ``userErrors`` entry with a code and a message).

The clients hold at most ``CLIENTS * CONNECTIONS_PER_CLIENT`` (100) connections, so the test
machine (2 cores in CI) is not swamped by sockets, and the whole run is bounded in time.
"""

import asyncio
import time
import uuid
from collections import Counter
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from server.auth import mint_token
from services.principals import Role
from tests.databases import BACKEND, fresh_database
from tests.processes import clean_env, free_port, serving

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

REQUESTS = 1000
# 100 connections in all, spread over 10 clients: httpx's connection pool does work per waiting
# request on every state change, so one client with 100 connections and 1,000 queued requests
# spends most of a minute of CPU on its own bookkeeping (measured on 2 cores), which would be a
# load test of the client rather than of the server.
CLIENTS = 10
CONNECTIONS_PER_CLIENT = 10
# The whole burst must be answered within this; it takes a few seconds on 2 cores.
BURST_DEADLINE_SECONDS = 120.0
JWT_SECRET = "load-test-jwt-secret-" + "j" * 32

CREATE = """
mutation($input: CreateProviderInput!) {
  createProvider(input: $input) {
    provider { id name hostname techPrefix codecs }
    userErrors { field code message }
  }
}
"""
LIST = """
query($after: String, $name: String) {
  providers(first: 100, after: $after, filter: {nameContains: $name}) {
    totalCount
    edges { node { id name hostname techPrefix codecs } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


@dataclass
class Outcomes:
    """What the clients were told, request by request."""

    acknowledged: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> provider
    refused: list[tuple[str, list[dict[str, Any]]]] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # why, for the failure message


def _input(run: str, index: int) -> dict[str, Any]:
    # Loopback hostnames only: nothing this test stores may ever send traffic off the machine.
    return {
        "name": f"{run}-{index:04d}",
        "hostname": f"127.0.0.{1 + index % 250}:{5060 + index % 7}",
        "techPrefix": str(index % 10),
        "codecs": "PCMU,PCMA" if index % 2 else "",
    }


async def _create(
    client: httpx.AsyncClient, run: str, index: int, outcomes: Outcomes, admin: dict[str, str]
) -> None:
    sent = _input(run, index)
    try:
        reply = await client.post(
            "/graphql", json={"query": CREATE, "variables": {"input": sent}}, headers=admin
        )
    except httpx.HTTPError as exc:
        outcomes.failed.append(f"#{index}: {type(exc).__name__}: {exc}")
        return
    if reply.status_code != 200:
        outcomes.failed.append(f"#{index}: HTTP {reply.status_code}: {reply.text[:300]}")
        return
    body = reply.json()
    if body.get("errors"):
        outcomes.failed.append(f"#{index}: GraphQL errors {body['errors']}")
        return
    payload = body["data"]["createProvider"]
    if payload["userErrors"]:
        outcomes.refused.append((sent["name"], payload["userErrors"]))
        return
    provider = payload["provider"]
    if {k: provider[k] for k in sent} != sent:
        outcomes.failed.append(f"#{index}: acknowledged {provider}, sent {sent}")
        return
    outcomes.acknowledged[provider["id"]] = provider


async def _stored(client: httpx.AsyncClient, run: str, admin: dict[str, str]) -> list[Any]:
    """Every provider of this run, as the listing returns them (pages of 100)."""
    rows: list[Any] = []
    after = None
    while True:
        reply = await client.post(
            "/graphql",
            json={"query": LIST, "variables": {"after": after, "name": run}},
            headers=admin,
        )
        assert reply.status_code == 200, reply.text
        body = reply.json()
        assert not body.get("errors"), body["errors"]
        connection = body["data"]["providers"]
        rows += [edge["node"] for edge in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            return rows
        after = connection["pageInfo"]["endCursor"]


def _server_env(url: str) -> dict[str, str]:
    return clean_env(
        TRUNKQL_DATABASE_URL=url,
        TRUNKQL_JWT_SECRET=JWT_SECRET,
        TRUNKQL_SECRET_KEY="load-test-secret-key-" + "k" * 32,
        # createProvider never calls a carrier; should anything try, it finds a closed port on
        # loopback rather than the real Telnyx.
        TRUNKQL_TELNYX_BASE_URL=f"http://127.0.0.1:{free_port()}/v2",
        # The access log would print one line per request; errors are still logged.
        TRUNKQL_LOG_LEVEL="WARNING",
        # Not what is measured here, and 1,000 new providers would each get a SIP probe.
        TRUNKQL_HEALTH_CHECK_ENABLED="false",
    )


async def _burst(base: str, run: str) -> tuple[Outcomes, list[Any]]:
    """All REQUESTS at once (they queue for the connections), then everything stored."""
    token = mint_token(JWT_SECRET, "load", [Role.PROJECT_SUPER_ADMIN], 900)
    admin = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(
        max_connections=CONNECTIONS_PER_CLIENT, max_keepalive_connections=CONNECTIONS_PER_CLIENT
    )
    # The pool timeout covers the wait for a free connection: most requests queue a while.
    timeout = httpx.Timeout(60.0, pool=BURST_DEADLINE_SECONDS)
    outcomes = Outcomes()
    async with AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(
                httpx.AsyncClient(base_url=base, limits=limits, timeout=timeout)
            )
            for _ in range(CLIENTS)
        ]
        async with asyncio.timeout(BURST_DEADLINE_SECONDS):
            await asyncio.gather(
                *(_create(clients[i % CLIENTS], run, i, outcomes, admin) for i in range(REQUESTS))
            )
        stored = await _stored(clients[0], run, admin)
    return outcomes, stored


async def test_1000_concurrent_creates_are_all_kept_or_refused_with_a_reason(
    tmp_path: Path,
) -> None:
    run = f"load-{uuid.uuid4().hex[:8]}"
    async with fresh_database(tmp_path) as url:
        with serving(tmp_path, _server_env(url)) as (base, log):
            started = time.monotonic()
            outcomes, stored = await _burst(base, run)
            elapsed = time.monotonic() - started
            server_log = log.read_text()

    answered = len(outcomes.acknowledged) + len(outcomes.refused) + len(outcomes.failed)
    assert answered == REQUESTS
    assert not outcomes.failed, (
        f"{len(outcomes.failed)} of {REQUESTS} requests failed on {BACKEND} "
        f"(in {elapsed:.1f}s); first ones: {outcomes.failed[:5]}\nserver log tail:\n"
        f"{server_log[-3000:]}"
    )
    for name, errors in outcomes.refused:
        for error in errors:
            assert error["code"], f"{name}: a refusal without a code: {error}"
            assert error["message"], f"{name}: a refusal without a message: {error}"
    # Nothing the clients were told was stored is missing, and nothing else was stored.
    stored_by_id = {row["id"]: row for row in stored}
    assert len(stored_by_id) == len(stored), "the listing returned a provider twice"
    assert stored_by_id == outcomes.acknowledged
    assert Counter(row["name"] for row in stored).most_common(1)[0][1] == 1
    assert "Traceback" not in server_log, server_log[-3000:]
