"""Small builders of test data, and a view of what the database holds."""

from typing import Any

from tortoise import Tortoise

from models.provider import Provider
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


async def stored_providers() -> list[dict[str, Any]]:
    """Every provider row, as the database has it: to prove what a refused call did not write."""
    rows = await Provider.all().order_by("tm_create", "id").values()
    return [dict(row) for row in rows]


async def database_text() -> str:
    """Every row of every trunkql table as text: to prove a secret was never stored in the clear."""
    connection = Tortoise.get_connection("default")
    dumps = []
    for table in ("provider", "provider_credential", "setup_journal"):
        rows = await connection.execute_query_dict(f'SELECT * FROM "{table}"')
        dumps.append(f"{table}: {rows!r}")
    return "\n".join(dumps)
