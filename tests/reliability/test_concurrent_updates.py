"""Concurrent writers: partial updates never lose each other's fields, and a client that names the
version it read gets CONFLICT instead of overwriting a newer one."""

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from tests.factories import PAYLOAD, create_provider, stored_providers
from tests.graphql_client import GraphQLClient

ROUTE_PAYLOAD = "route { id name tmUpdate } userErrors { field code message }"

# One value per call; each field is set by several calls, and every call sets one field only.
FIELDS: dict[str, Callable[[int], Any]] = {
    "name": lambda i: f"name {i}",
    "detail": lambda i: f"detail {i}",
    "techPrefix": lambda i: str(i),
    "techPostfix": lambda i: f";tag={i}",
    "codecs": lambda i: ["PCMU", "PCMA", "G729", "OPUS", "G722"][i % 5],
    "techHeaders": lambda i: {"X-Call": str(i)},
    "metadata": lambda i: {"call": i},
}


async def test_50_concurrent_partial_updates_lose_nothing(admin: GraphQLClient) -> None:
    created = await create_provider(admin, name="original", detail="original")
    names = list(FIELDS)
    calls = [(i, names[i % len(names)]) for i in range(50)]

    payloads = await asyncio.gather(
        *(
            admin.mutate("updateProvider", {"id": created["id"], field: FIELDS[field](i)}, PAYLOAD)
            for i, field in calls
        )
    )

    assert all(p["userErrors"] == [] for p in payloads)
    final = (
        await admin.execute(
            "query($id: ID!) { provider(id: $id) { " + " ".join(FIELDS) + " } }",
            {"id": created["id"]},
        )
    ).data["provider"]
    for field in FIELDS:
        written = [FIELDS[field](i) for i, f in calls if f == field]
        # The last writer of each field wins; no field fell back to what it was before.
        assert final[field] in written, field
    assert final["name"] != "original"
    assert final["detail"] != "original"


async def test_a_stale_expected_version_is_a_conflict_and_writes_nothing(
    admin: GraphQLClient,
) -> None:
    created = await create_provider(admin)
    seen = created["tmUpdate"]
    newer = await admin.mutate("updateProvider", {"id": created["id"], "name": "newer"}, PAYLOAD)
    before = await stored_providers()

    stale = await admin.mutate(
        "updateProvider",
        {"id": created["id"], "name": "stale write", "expectedTmUpdate": seen},
        PAYLOAD,
    )
    stale_codecs = await admin.mutate(
        "updateCodecs",
        {"id": created["id"], "codecs": "G729", "expectedTmUpdate": seen},
        PAYLOAD,
    )

    for payload in (stale, stale_codecs):
        assert payload["provider"] is None
        assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
            (["input", "expectedTmUpdate"], "CONFLICT")
        ]
    assert newer["provider"]["tmUpdate"] in stale["userErrors"][0]["message"].replace(" ", "T")
    assert await stored_providers() == before


async def test_the_current_expected_version_lets_the_update_through(admin: GraphQLClient) -> None:
    created = await create_provider(admin)

    payload = await admin.mutate(
        "updateProvider",
        {"id": created["id"], "name": "fresh", "expectedTmUpdate": created["tmUpdate"]},
        PAYLOAD,
    )

    assert payload["userErrors"] == []
    assert payload["provider"]["name"] == "fresh"


async def test_of_two_writers_with_the_same_version_exactly_one_wins(
    admin: GraphQLClient,
) -> None:
    created = await create_provider(admin)
    version = created["tmUpdate"]

    results = await asyncio.gather(
        *(
            admin.mutate(
                "updateProvider",
                {"id": created["id"], "detail": f"writer {i}", "expectedTmUpdate": version},
                PAYLOAD,
            )
            for i in range(10)
        )
    )

    winners = [r for r in results if not r["userErrors"]]
    assert len(winners) == 1
    assert all(r["userErrors"][0]["code"] == "CONFLICT" for r in results if r["userErrors"])
    [row] = await stored_providers()
    assert row["detail"] == winners[0]["provider"]["detail"]


@pytest.mark.parametrize("value", ["2024-01-01T00:00:00", "yesterday"])
async def test_an_unusable_expected_version_is_refused(admin: GraphQLClient, value: str) -> None:
    created = await create_provider(admin)

    response = await admin.execute(
        "mutation($input: UpdateProviderInput!) { updateProvider(input: $input) { "
        "userErrors { field code } } }",
        {"input": {"id": created["id"], "name": "x", "expectedTmUpdate": value}},
    )

    body: dict[str, Any] = response.body
    if body.get("errors"):  # not a DateTime at all: refused by GraphQL itself
        assert body.get("data") is None
    else:
        assert body["data"]["updateProvider"]["userErrors"] == [
            {"field": ["input", "expectedTmUpdate"], "code": "INVALID_ARGUMENT"}
        ]
    assert (await stored_providers())[0]["name"] == "Telnyx Production"


async def test_routes_take_an_expected_version_too(admin: GraphQLClient) -> None:
    provider = await create_provider(admin)
    route = (
        await admin.mutate(
            "createRoute",
            {
                "customerId": "00000000-0000-0000-0000-000000000001",
                "name": "r",
                "providerId": provider["id"],
                "target": "all",
                "priority": 1,
            },
            ROUTE_PAYLOAD,
        )
    )["route"]
    await admin.mutate("updateRoute", {"id": route["id"], "name": "moved on"}, ROUTE_PAYLOAD)

    stale = await admin.mutate(
        "updateRoute",
        {"id": route["id"], "name": "stale", "expectedTmUpdate": route["tmUpdate"]},
        ROUTE_PAYLOAD,
    )

    assert [(e["field"], e["code"]) for e in stale["userErrors"]] == [
        (["input", "expectedTmUpdate"], "CONFLICT")
    ]
