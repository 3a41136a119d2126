"""providerHealthChanged over a real WebSocket (graphql-transport-ws) from ``trunkql serve``; on
PostgreSQL, across two server processes sharing the database."""

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.databases import BACKEND, fresh_database
from tests.health.sip_responder import SipResponder, answer
from tests.health_api.live import PROTOCOL, graphql, subscribed
from tests.processes import clean_env, run_trunkql, serving

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

CREATE = """mutation($i: CreateProviderInput!) { createProvider(input: $i) { provider { id } } }"""
CHECK = """mutation($id: ID!) { checkProviderHealth(input: {id: $id}) {
  provider { healthStatus } userErrors { code } } }"""


@pytest.fixture
async def peer() -> AsyncIterator[SipResponder]:
    responder = await SipResponder(script=answer(200)).start()
    yield responder
    responder.close()


def _env(url: str, **extra: str) -> dict[str, str]:
    return clean_env(
        TRUNKQL_DATABASE_URL=url, TRUNKQL_JWT_SECRET="w" * 48, TRUNKQL_SECRET_KEY="s" * 48, **extra
    )


async def _next(socket: object) -> dict[str, object]:
    message = json.loads(await asyncio.wait_for(socket.recv(), 15))  # type: ignore[attr-defined]
    assert message["type"] == "next", message
    data: dict[str, object] = message["payload"]["data"]["providerHealthChanged"]
    return data


async def test_a_subscriber_receives_the_transition(tmp_path: Path, peer: SipResponder) -> None:
    async with fresh_database(tmp_path) as url:
        env = _env(url)
        token = run_trunkql("token", "--role", "PROJECT_VIEWER", cwd=tmp_path, env=env).stdout
        admin = run_trunkql("token", "--role", "PROJECT_SUPER_ADMIN", cwd=tmp_path, env=env).stdout
        with serving(tmp_path, env) as (base, _):
            created = await graphql(
                base, admin.strip(), CREATE, {"i": {"name": "p", "hostname": peer.hostname}}
            )
            provider_id = created["data"]["createProvider"]["provider"]["id"]
            socket = await subscribed(base, token.strip(), provider_id)  # a viewer may watch
            try:
                for _ in range(2):  # two good probes: UNKNOWN -> HEALTHY
                    await graphql(base, admin.strip(), CHECK, {"id": provider_id})
                change = await _next(socket)
            finally:
                await socket.close()

    assert change == {
        "providerId": provider_id,
        "oldStatus": "UNKNOWN",
        "newStatus": "HEALTHY",
        "error": None,
    }


UPDATE = """mutation($i: UpdateProviderInput!) { updateProvider(input: $i) {
  provider { healthStatus } userErrors { code } } }"""


async def test_a_new_hostname_is_announced_as_a_return_to_unknown(
    tmp_path: Path, peer: SipResponder
) -> None:
    async with fresh_database(tmp_path) as url:
        env = _env(url)
        admin = run_trunkql("token", "--role", "PROJECT_SUPER_ADMIN", cwd=tmp_path, env=env).stdout
        with serving(tmp_path, env) as (base, _):
            created = await graphql(
                base, admin.strip(), CREATE, {"i": {"name": "p", "hostname": peer.hostname}}
            )
            provider_id = created["data"]["createProvider"]["provider"]["id"]
            socket = await subscribed(base, admin.strip(), provider_id)
            try:
                for _ in range(2):
                    await graphql(base, admin.strip(), CHECK, {"id": provider_id})
                healthy = await _next(socket)
                # Another field changes nothing; another hostname is another peer.
                await graphql(base, admin.strip(), UPDATE, {"i": {"id": provider_id, "name": "q"}})
                updated = await graphql(
                    base, admin.strip(), UPDATE, {"i": {"id": provider_id, "hostname": "127.0.0.2"}}
                )
                reset = await _next(socket)
            finally:
                await socket.close()

    assert healthy["newStatus"] == "HEALTHY"
    assert updated["data"]["updateProvider"]["provider"] == {"healthStatus": "UNKNOWN"}
    assert reset == {
        "providerId": provider_id,
        "oldStatus": "HEALTHY",
        "newStatus": "UNKNOWN",
        "error": None,
    }


@pytest.mark.parametrize("authorization", [None, "Bearer not-a-token"], ids=["none", "bad"])
async def test_a_socket_without_a_valid_token_is_closed(
    tmp_path: Path, authorization: str | None
) -> None:
    async with fresh_database(tmp_path) as url:
        with serving(tmp_path, _env(url)) as (base, _):
            socket = await connect(
                base.replace("http://", "ws://") + "/graphql",
                subprotocols=[PROTOCOL],  # type: ignore[list-item]
            )
            payload = {"Authorization": authorization} if authorization else {}
            await socket.send(json.dumps({"type": "connection_init", "payload": payload}))
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(socket.recv(), 10)

    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403


@pytest.mark.skipif(BACKEND != "postgres", reason="several processes share a PostgreSQL database")
async def test_two_processes_share_transitions_and_probe_each_provider_once(
    tmp_path: Path, peer: SipResponder
) -> None:
    async with fresh_database(tmp_path) as url:
        quiet = _env(url)
        admin = run_trunkql("token", "--role", "PROJECT_SUPER_ADMIN", cwd=tmp_path, env=quiet)
        token = admin.stdout.strip()
        # Both processes run the background monitor, often, against the loopback peer only.
        monitoring = _env(
            url,
            TRUNKQL_HEALTH_CHECK_ENABLED="true",
            TRUNKQL_HEALTH_CHECK_INTERVAL="0.3",
            TRUNKQL_HEALTH_HEALTHY_AFTER="1",
        )
        with serving(tmp_path, quiet) as (first, _):
            created = await graphql(
                first, token, CREATE, {"i": {"name": "p", "hostname": peer.hostname}}
            )
            provider_id = created["data"]["createProvider"]["provider"]["id"]
            socket = await subscribed(first, token, provider_id)
            try:
                with serving(tmp_path, monitoring) as (_, _), serving(tmp_path, monitoring):
                    # A transition detected by one of the monitoring processes reaches the
                    # subscriber on the first process (LISTEN/NOTIFY).
                    change = await _next(socket)
                    peer.received.clear()
                    await asyncio.sleep(2.0)  # several intervals of both monitors
                    probing = {request.source for request in peer.received}
            finally:
                await socket.close()

    assert change["newStatus"] == "HEALTHY"
    assert len(probing) == 1, f"probes came from {len(probing)} sockets (processes)"
    assert len(peer.received) >= 3  # the leader kept probing every interval
