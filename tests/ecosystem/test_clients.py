"""The README's examples, run by a real GraphQL client library against a real ``trunkql serve``.

``gql`` (Python) fetches the served schema by introspection and validates every document against it
before sending, so a README example that drifted from the schema fails here. Queries and mutations
go over its aiohttp transport; ``providerHealthChanged`` over its websockets transport, speaking
graphql-transport-ws with the token in ``connection_init``.
"""

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from gql import Client, GraphQLRequest
from gql.client import AsyncClientSession
from gql.transport.aiohttp import AIOHTTPTransport
from gql.transport.exceptions import TransportQueryError
from gql.transport.websockets import WebsocketsTransport

from tests.ecosystem.conftest import TELNYX_KEY, Server
from tests.health.sip_responder import SipResponder, answer

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

# The README's "The API by example" operations, with its literal values as variables.
CREATE = """mutation($input: CreateProviderInput!) { createProvider(input: $input) {
  provider { id name hostname techHeaders codecs tmCreate } userErrors { field code message } } }"""
LIST = """query($name: String!) { providers(first: 10, filter: {nameContains: $name}) {
  totalCount edges { node { id name hostname healthStatus } }
  pageInfo { hasNextPage endCursor } } }"""
UPDATE_CODECS = """mutation($id: ID!, $codecs: String!) {
  updateCodecs(input: {id: $id, codecs: $codecs}) {
    provider { codecs } userErrors { field code message } } }"""
UPDATE = """mutation($id: ID!) {
  updateProvider(input: {id: $id, techPrefix: "1", techPostfix: "@provider.com"}) {
    provider { techPrefix techPostfix } userErrors { field code message } } }"""
FORMAT = """query($id: ID!) { provider(id: $id) { formatNumber(number: "+1 (555) 123-4567") } }"""
DELETE = """mutation($id: ID!) { deleteProvider(input: {id: $id}) {
  provider { tmDelete } userErrors { code } } }"""
DELETED = """query($id: ID!) { provider(id: $id) { name tmDelete } }"""
SETUP = """mutation($input: SetupProviderInput!) { setupProvider(input: $input) {
  provider { id name hostname techHeaders metadata } userErrors { field code message } } }"""
CHECK = """mutation($id: ID!) { checkProviderHealth(input: {id: $id}) {
  provider { healthStatus healthLatencyMs healthLastError }
  probe { reachable statusCode latencyMs error } userErrors { field code message } } }"""
WATCH = """subscription($id: ID) { providerHealthChanged(providerId: $id) {
  providerId oldStatus newStatus checkedAt latencyMs error } }"""


@asynccontextmanager
async def http_session(server: Server, token: str) -> AsyncIterator[AsyncClientSession]:
    transport = AIOHTTPTransport(
        url=server.graphql_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    async with Client(transport=transport, fetch_schema_from_transport=True) as session:
        assert isinstance(session, AsyncClientSession)
        yield session


async def run(session: AsyncClientSession, document: str, **variables: Any) -> dict[str, Any]:
    return await session.execute(GraphQLRequest(document, variable_values=variables or None))


def unique(name: str) -> str:
    return f"{name} {uuid.uuid4().hex[:8]}"


async def test_the_provider_examples_from_create_to_delete(server: Server) -> None:
    name = unique("Telnyx Production")
    async with http_session(server, server.admin_token) as admin:
        created = await run(
            admin,
            CREATE,
            input={
                "name": name,
                "hostname": "sip.telnyx.com",
                "techHeaders": {"X-Custom-Header": "value"},
                "codecs": "pcmu, pcma",
            },
        )
        provider = created["createProvider"]["provider"]
        listed = await run(admin, LIST, name=name.split()[-1])
        codecs = await run(admin, UPDATE_CODECS, id=provider["id"], codecs="g722, PCMU")
        updated = await run(admin, UPDATE, id=provider["id"])
        formatted = await run(admin, FORMAT, id=provider["id"])
        deleted = await run(admin, DELETE, id=provider["id"])
        after = await run(admin, DELETED, id=provider["id"])
        listed_after = await run(admin, LIST, name=name.split()[-1])
        again = await run(admin, DELETE, id=provider["id"])

    assert created["createProvider"]["userErrors"] == []
    assert provider["name"] == name
    assert provider["techHeaders"] == {"X-Custom-Header": "value"}
    assert provider["codecs"] == "PCMU,PCMA"  # stored canonical
    assert listed["providers"]["totalCount"] == 1
    assert listed["providers"]["edges"][0]["node"]["id"] == provider["id"]
    assert listed["providers"]["edges"][0]["node"]["healthStatus"] == "UNKNOWN"
    assert codecs["updateCodecs"] == {"provider": {"codecs": "G722,PCMU"}, "userErrors": []}
    assert updated["updateProvider"]["provider"] == {
        "techPrefix": "1",
        "techPostfix": "@provider.com",
    }
    assert formatted == {"provider": {"formatNumber": "1+15551234567@provider.com"}}
    assert deleted["deleteProvider"]["userErrors"] == []
    assert deleted["deleteProvider"]["provider"]["tmDelete"] is not None
    assert after["provider"]["tmDelete"] == deleted["deleteProvider"]["provider"]["tmDelete"]
    assert listed_after["providers"]["totalCount"] == 0  # listings leave deleted ones out
    assert again["deleteProvider"] == {"provider": None, "userErrors": [{"code": "NOT_FOUND"}]}


async def test_a_viewer_client_sees_forbidden_as_a_graphql_error(server: Server) -> None:
    async with http_session(server, server.viewer_token) as viewer:
        with pytest.raises(TransportQueryError) as refused:
            await run(viewer, CREATE, input={"name": unique("Nope"), "hostname": "sip.x.com"})
        listed = await run(viewer, LIST, name="Nope")

    [error] = refused.value.errors or []
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert listed["providers"]["totalCount"] == 0  # nothing was written


async def test_setup_provider_against_the_fake_telnyx(server: Server) -> None:
    name = unique("Telnyx Production")
    async with http_session(server, server.admin_token) as admin:
        setup = await run(
            admin,
            SETUP,
            input={
                "carrier": "TELNYX",
                "name": name,
                "apiKey": TELNYX_KEY,
                "idempotencyKey": f"setup-{uuid.uuid4()}",
            },
        )
        provider = setup["setupProvider"]["provider"]
        # "The returned id can be used at once (e.g. in updateCodecs)."
        codecs = await run(admin, UPDATE_CODECS, id=provider["id"], codecs="PCMU,PCMA")
        rejected = await run(
            admin, SETUP, input={"carrier": "TELNYX", "name": unique("Bad"), "apiKey": "KEYwrong"}
        )
    fake_root = server.fake_telnyx.removesuffix("/v2")
    async with httpx.AsyncClient() as client:
        state = (await client.get(f"{fake_root}/_fake/state")).json()

    assert setup["setupProvider"]["userErrors"] == []
    assert provider["name"] == name
    assert provider["hostname"] == "sip.telnyx.com"
    assert provider["metadata"]["carrier"] == "telnyx"
    connection_id = provider["metadata"]["connection_id"]
    assert connection_id in state["credential_connections"]  # made at the (fake) carrier
    assert list(provider["techHeaders"]) == ["X-Telnyx-Username"]
    assert codecs["updateCodecs"] == {"provider": {"codecs": "PCMU,PCMA"}, "userErrors": []}
    [error] = rejected["setupProvider"]["userErrors"]
    assert (error["code"], error["field"]) == ("CARRIER_CREDENTIALS_REJECTED", ["input", "apiKey"])
    assert TELNYX_KEY not in server.log.read_text()


async def test_a_websocket_client_receives_a_health_transition(server: Server) -> None:
    peer = await SipResponder(script=answer(200)).start()
    try:
        async with http_session(server, server.admin_token) as admin:
            created = await run(
                admin, CREATE, input={"name": unique("p"), "hostname": peer.hostname}
            )
            provider_id = created["createProvider"]["provider"]["id"]
            transport = WebsocketsTransport(
                url=server.websocket_url,
                init_payload={"Authorization": f"Bearer {server.viewer_token}"},  # any role
                subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
            )
            async with Client(transport=transport, fetch_schema_from_transport=True) as ws:
                assert isinstance(ws, AsyncClientSession)

                async def first_transition() -> dict[str, Any]:
                    request = GraphQLRequest(WATCH, variable_values={"id": provider_id})
                    async for result in ws.subscribe(request):
                        return result
                    raise AssertionError("the subscription ended without a transition")

                watching = asyncio.create_task(first_transition())
                await asyncio.sleep(0.5)  # let the server register the subscriber
                probes = [await run(admin, CHECK, id=provider_id) for _ in range(2)]
                change = await asyncio.wait_for(watching, 15)
    finally:
        peer.close()

    assert [p["checkProviderHealth"]["probe"]["reachable"] for p in probes] == [True, True]
    assert probes[-1]["checkProviderHealth"]["provider"]["healthStatus"] == "HEALTHY"
    transition = change["providerHealthChanged"]
    assert transition["providerId"] == provider_id
    assert (transition["oldStatus"], transition["newStatus"]) == ("UNKNOWN", "HEALTHY")
    assert transition["error"] is None
    assert transition["checkedAt"] is not None
