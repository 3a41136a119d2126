"""Small builders of test data, and a view of what the database holds."""

from typing import Any

from tortoise import Tortoise

from models.provider import Provider
from models.route import Route
from tests.graphql_client import GraphQLClient

PROVIDER_FIELDS = """
    id name detail type hostname techPrefix techPostfix techHeaders codecs metadata
    healthStatus healthCheckedAt healthLatencyMs healthLastError tmCreate tmUpdate tmDelete
"""
PAYLOAD = f"provider {{ {PROVIDER_FIELDS} }} userErrors {{ field code message }}"


def provider_input(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {"name": "Telnyx Production", "hostname": "sip.telnyx.com"}
    values.update(overrides)
    return values


async def create_provider(admin: GraphQLClient, **overrides: Any) -> dict[str, Any]:
    payload = await admin.mutate("createProvider", provider_input(**overrides), PAYLOAD)
    assert payload["userErrors"] == [], payload["userErrors"]
    provider: dict[str, Any] = payload["provider"]
    return provider


# The platform default customer, whose routes serve every customer; and two customers.
PLATFORM = "00000000-0000-0000-0000-000000000001"
ACME = "7d5e8f3a-1b2c-4d5e-8f9a-0b1c2d3e4f50"
GLOBEX = "0c9b8a7d-6e5f-4a3b-9c8d-7e6f5a4b3c2d"

ROUTE_FIELDS = """
    id customerId name detail providerId priority weight target tmCreate tmUpdate tmDelete
    provider { id name }
"""
ROUTE_PAYLOAD = f"route {{ {ROUTE_FIELDS} }} userErrors {{ field code message }}"


def route_input(provider_id: str, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "customerId": PLATFORM,
        "name": "default route",
        "providerId": provider_id,
        "priority": 0,
        "target": "all",
    }
    values.update(overrides)
    return values


async def create_route(admin: GraphQLClient, provider_id: str, **overrides: Any) -> dict[str, Any]:
    payload = await admin.mutate(
        "createRoute", route_input(provider_id, **overrides), ROUTE_PAYLOAD
    )
    assert payload["userErrors"] == [], payload["userErrors"]
    route: dict[str, Any] = payload["route"]
    return route


async def stored_routes() -> list[dict[str, Any]]:
    """Every route row, as the database has it: to prove what a refused call did not write."""
    rows = await Route.all().order_by("tm_create", "id").values()
    return [dict(row) for row in rows]


async def stored_providers() -> list[dict[str, Any]]:
    """Every provider row, as the database has it: to prove what a refused call did not write."""
    rows = await Provider.all().order_by("tm_create", "id").values()
    return [dict(row) for row in rows]


async def database_text() -> str:
    """Every row of every trunkql table as text: to prove a secret was never stored in the clear."""
    connection = Tortoise.get_connection("default")
    dumps = []
    for table in ("provider", "provider_credential", "setup_journal", "route"):
        rows = await connection.execute_query_dict(f'SELECT * FROM "{table}"')
        dumps.append(f"{table}: {rows!r}")
    return "\n".join(dumps)
