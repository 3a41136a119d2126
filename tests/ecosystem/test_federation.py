"""trunkql as an Apollo Federation 2 subgraph (TRUNKQL_FEDERATION=true).

The subgraph SDL is composed by Apollo's own composition library (``@apollo/composition`` from
npm, as federation tooling does), alone and beside a second subgraph that extends ``Provider``
and ``Route`` by their key; ``_entities`` is asked over HTTP, as a router asks it.
"""

import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import DocumentNode, ObjectTypeDefinitionNode, parse, print_ast
from starlette.applications import Starlette

from schema.federation import FEDERATION_SPEC
from schema.limits import SchemaLimits
from schema.schema import build_schema, schema_sdl
from server.app import create_app
from server.settings import Settings
from services.principals import Role
from tests.conftest import token_for
from tests.ecosystem.conftest import Server, run_node, trunkql_server
from tests.factories import create_provider, create_route
from tests.graphql_client import GraphQLClient
from tests.processes import clean_env, run_trunkql
from tests.sql_counter import count_statements

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

# Another team's subgraph: it knows providers and routes only by id, and adds its own fields.
BILLING = f"""
extend schema @link(url: "{FEDERATION_SPEC}", import: ["@key"])
type Provider @key(fields: "id") {{ id: ID! monthlySpendCents: Int! }}
type Route @key(fields: "id") {{ id: ID! callsToday: Int! }}
type Query {{ mostExpensiveProviders: [Provider!]! }}
"""
# A subgraph that claims Provider.name with another type and no key: must not compose.
CONFLICTING = f"""
extend schema @link(url: "{FEDERATION_SPEC}", import: ["@key"])
type Provider {{ id: ID! name: Int! }}
type Query {{ cheapProvider: Provider }}
"""
ENTITIES = """query($representations: [_Any!]!) { _entities(representations: $representations) {
  __typename
  ... on Provider { id name hostname techHeaders }
  ... on Route { id name target provider { id name } }
} }"""


@pytest.fixture(scope="module")
def subgraph(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The subgraph SDL as an operator exports it for their router's composition."""
    result = run_trunkql(
        "export-schema",
        "--federation",
        cwd=tmp_path_factory.mktemp("export"),
        env=clean_env(),
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def compose(tools: Path, **subgraphs: str) -> dict[str, Any]:
    payload = [
        {"name": name, "url": f"http://{name}.example/graphql", "sdl": sdl}
        for name, sdl in subgraphs.items()
    ]
    composed: dict[str, Any] = run_node(tools, "compose.mjs", payload)
    return composed


def _object_type(document: DocumentNode, name: str) -> ObjectTypeDefinitionNode:
    [found] = [
        d
        for d in document.definitions
        if isinstance(d, ObjectTypeDefinitionNode) and d.name.value == name
    ]
    return found


def _field_names(definition: ObjectTypeDefinitionNode) -> set[str]:
    return {field.name.value for field in definition.fields or ()}


def test_the_subgraph_composes_on_its_own(node_tools: Path, subgraph: str) -> None:
    composed = compose(node_tools, trunkql=subgraph)

    assert composed["errors"] == []
    supergraph = composed["supergraphSdl"]
    assert '@join__type(graph: TRUNKQL, key: "id")' in supergraph
    assert "providerHealthChanged" in supergraph


def test_another_subgraph_extends_providers_and_routes_by_key(
    node_tools: Path, subgraph: str
) -> None:
    composed = compose(node_tools, trunkql=subgraph, billing=BILLING)

    assert composed["errors"] == []
    supergraph = parse(composed["supergraphSdl"])
    provider = _object_type(supergraph, "Provider")
    route = _object_type(supergraph, "Route")
    assert {"name", "techHeaders", "monthlySpendCents"} <= _field_names(provider)
    assert {"target", "provider", "callsToday"} <= _field_names(route)


def test_composition_errors_are_reported(node_tools: Path, subgraph: str) -> None:
    """The control: the script does report a subgraph that cannot compose with ours."""
    composed = compose(node_tools, trunkql=subgraph, rogue=CONFLICTING)

    assert composed["errors"], "a conflicting Provider.name should not compose"
    assert composed["supergraphSdl"] is None


def test_the_subgraph_sdl_only_adds_keys_and_the_link(subgraph: str) -> None:
    """Federation leaves the default schema as it is: strip @link and @key from the subgraph
    SDL and what is left is schema.graphql."""
    document = parse(subgraph)
    [link, *definitions] = document.definitions
    keyed = {
        d.name.value
        for d in definitions
        if isinstance(d, ObjectTypeDefinitionNode)
        and [directive.name.value for directive in d.directives or ()] == ["key"]
    }
    stripped = [
        replace(d, directives=tuple(x for x in d.directives or () if x.name.value != "key"))
        if isinstance(d, ObjectTypeDefinitionNode)
        else d
        for d in definitions
    ]

    assert print_ast(link) == f'extend schema @link(url: "{FEDERATION_SPEC}", import: ["@key"])'
    assert keyed == {"Provider", "Route"}
    assert print_ast(DocumentNode(definitions=tuple(stripped))) == print_ast(parse(schema_sdl()))
    assert "_entities" not in schema_sdl()
    assert "@key" not in schema_sdl()


def test_service_sdl_is_refused_where_the_schema_is_not_exposed() -> None:
    """TRUNKQL_EXPOSE_SCHEMA=false hides the SDL from _service as it does introspection."""
    hidden = build_schema(SchemaLimits(introspection=False), federation=True)
    exposed = build_schema(federation=True)

    [error] = hidden.execute_sync("{ _service { sdl } }").errors or []
    shown = exposed.execute_sync("{ _service { sdl } }")

    assert error.extensions == {"code": "FORBIDDEN"}
    assert shown.data == {"_service": {"sdl": schema_sdl(federation=True)}}


@pytest.fixture(scope="module")
async def federated(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Server]:
    async with trunkql_server(
        tmp_path_factory.mktemp("federated"), TRUNKQL_FEDERATION="true"
    ) as running:
        yield running


async def _post(server: Server, token: str, query: str, variables: dict[str, Any]) -> Any:
    async with httpx.AsyncClient(timeout=30) as client:
        reply = await client.post(
            server.graphql_url,
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
        )
    return reply.json()


async def test_entities_resolve_provider_and_route_references(
    federated: Server, subgraph: str
) -> None:
    admin = federated.admin_token
    provider = (
        await _post(
            federated,
            admin,
            "mutation($i: CreateProviderInput!) { createProvider(input: $i) { provider { id } } }",
            {"i": {"name": "Telnyx", "hostname": "sip.telnyx.com", "techHeaders": {"X-A": "s3"}}},
        )
    )["data"]["createProvider"]["provider"]
    route = (
        await _post(
            federated,
            admin,
            "mutation($i: CreateRouteInput!) { createRoute(input: $i) { route { id } } }",
            {
                "i": {
                    "customerId": str(uuid.uuid4()),
                    "name": "UK",
                    "providerId": provider["id"],
                    "priority": 1,
                    "target": "+44",
                }
            },
        )
    )["data"]["createRoute"]["route"]
    unknown = str(uuid.uuid4())
    representations = [
        {"__typename": "Route", "id": route["id"]},
        {"__typename": "Provider", "id": provider["id"]},
        {"__typename": "Provider", "id": unknown},
    ]

    as_admin = await _post(federated, admin, ENTITIES, {"representations": representations})
    as_viewer = await _post(
        federated, federated.viewer_token, ENTITIES, {"representations": representations}
    )
    service = await _post(federated, admin, "{ _service { sdl } }", {})
    malformed = await _post(
        federated,
        admin,
        ENTITIES,
        {"representations": [{"__typename": "Provider", "id": "not-a-uuid"}]},
    )

    assert as_admin.get("errors") is None, as_admin
    assert as_admin["data"]["_entities"] == [
        {
            "__typename": "Route",
            "id": route["id"],
            "name": "UK",
            "target": "+44",
            "provider": {"id": provider["id"], "name": "Telnyx"},
        },
        {
            "__typename": "Provider",
            "id": provider["id"],
            "name": "Telnyx",
            "hostname": "sip.telnyx.com",
            "techHeaders": {"X-A": "s3"},
        },
        None,  # no such provider
    ]
    # The same masking as provider(id): header values are for super admins only.
    assert as_viewer["data"]["_entities"][1]["techHeaders"] == {"X-A": "********"}
    assert service["data"]["_service"]["sdl"] == subgraph
    [error] = malformed["errors"]
    assert error["extensions"]["code"] == "INVALID_ARGUMENT"
    assert error["extensions"]["field"] == ["representations", "0", "id"]


async def test_the_default_server_has_no_federation_fields(server: Server) -> None:
    reply = await _post(server, server.viewer_token, "{ _service { sdl } }", {})

    assert "Cannot query field '_service'" in reply["errors"][0]["message"]


@pytest.fixture
async def federated_app(app: Starlette, settings: Settings) -> Starlette:
    """The session's app, rebuilt with TRUNKQL_FEDERATION on, sharing its database and state."""
    federated_app = create_app(replace(settings, federation=True))
    federated_app.state.provider_setup = app.state.provider_setup
    federated_app.state.health = app.state.health
    return federated_app


async def test_references_are_loaded_in_one_query_per_entity_type(
    admin: GraphQLClient, federated_app: Starlette
) -> None:
    providers = [await create_provider(admin, name=f"p{i}") for i in range(6)]
    routes = [
        await create_route(admin, providers[i % 2]["id"], name=f"r{i}", priority=i)
        for i in range(4)
    ]
    representations = [{"__typename": "Provider", "id": p["id"]} for p in providers] + [
        {"__typename": "Route", "id": r["id"]} for r in routes
    ]
    query = """query($r: [_Any!]!) { _entities(representations: $r) {
      ... on Provider { name } ... on Route { name } } }"""
    transport = httpx.ASGITransport(app=federated_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://trunkql.test") as http:
        client = GraphQLClient(http, token_for(Role.PROJECT_VIEWER))
        with count_statements() as sql:
            reply = await client.execute(query, {"r": representations})

    names = [entity["name"] for entity in reply.data["_entities"]]
    assert names == [f"p{i}" for i in range(6)] + [f"r{i}" for i in range(4)]
    selects = [s for s in sql.statements if s.upper().startswith("SELECT")]
    assert len(selects) == 2, selects  # one for the providers, one for the routes
