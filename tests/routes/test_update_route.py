"""Partial route updates and soft deletes."""

from typing import Any

import pytest

from tests.factories import (
    ACME,
    GLOBEX,
    PAYLOAD,
    ROUTE_PAYLOAD,
    create_provider,
    create_route,
    stored_routes,
)
from tests.graphql_client import GraphQLClient

UNKNOWN_ID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"


async def test_update_changes_only_the_given_fields(admin: GraphQLClient) -> None:
    provider = await create_provider(admin)
    created = await create_route(
        admin, provider["id"], customerId=ACME, target="+44", priority=3, weight=7, detail="d"
    )

    payload = await admin.mutate(
        "updateRoute", {"id": created["id"], "priority": 9, "target": "+4420"}, ROUTE_PAYLOAD
    )

    assert payload["userErrors"] == []
    updated = payload["route"]
    assert (updated["priority"], updated["target"]) == (9, "+4420")
    for unchanged in ("customerId", "name", "detail", "providerId", "weight", "tmCreate"):
        assert updated[unchanged] == created[unchanged]
    assert updated["tmUpdate"] > created["tmUpdate"]


async def test_a_route_moves_to_another_provider_and_customer(admin: GraphQLClient) -> None:
    telnyx = await create_provider(admin, name="Telnyx")
    twilio = await create_provider(admin, name="Twilio", hostname="sip.twilio.com")
    created = await create_route(admin, telnyx["id"], customerId=ACME)

    payload = await admin.mutate(
        "updateRoute",
        {"id": created["id"], "providerId": twilio["id"], "customerId": GLOBEX},
        ROUTE_PAYLOAD,
    )

    assert payload["userErrors"] == []
    assert payload["route"]["provider"] == {"id": twilio["id"], "name": "Twilio"}
    assert payload["route"]["customerId"] == GLOBEX


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"target": "44"}, ["input", "target"], "INVALID_ARGUMENT"),
        ({"target": "+1a"}, ["input", "target"], "INVALID_ARGUMENT"),
        ({"target": None}, ["input", "target"], "INVALID_ARGUMENT"),
        ({"priority": 65536}, ["input", "priority"], "INVALID_ARGUMENT"),
        ({"weight": 0}, ["input", "weight"], "INVALID_ARGUMENT"),
        ({"weight": None}, ["input", "weight"], "INVALID_ARGUMENT"),
        ({"name": ""}, ["input", "name"], "INVALID_ARGUMENT"),
        ({"customerId": "nope"}, ["input", "customerId"], "INVALID_ARGUMENT"),
        ({"providerId": "nope"}, ["input", "providerId"], "INVALID_ARGUMENT"),
        ({"providerId": UNKNOWN_ID}, ["input", "providerId"], "NOT_FOUND"),
    ],
    ids=lambda v: repr(v)[:50],
)
async def test_invalid_update_changes_nothing(
    admin: GraphQLClient, changes: dict[str, Any], field: list[str], code: str
) -> None:
    provider = await create_provider(admin)
    created = await create_route(admin, provider["id"])
    before = await stored_routes()

    payload = await admin.mutate("updateRoute", {"id": created["id"], **changes}, ROUTE_PAYLOAD)

    assert payload["route"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(field, code)]
    assert await stored_routes() == before


async def test_moving_a_route_to_a_deleted_provider_is_not_found(admin: GraphQLClient) -> None:
    kept = await create_provider(admin, name="kept")
    gone = await create_provider(admin, name="gone")
    created = await create_route(admin, kept["id"])
    await admin.mutate("deleteProvider", {"id": gone["id"]}, PAYLOAD)
    before = await stored_routes()

    payload = await admin.mutate(
        "updateRoute", {"id": created["id"], "providerId": gone["id"]}, ROUTE_PAYLOAD
    )

    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        (["input", "providerId"], "NOT_FOUND")
    ]
    assert await stored_routes() == before


@pytest.mark.parametrize("mutation", ["updateRoute", "deleteRoute"])
async def test_unknown_id_is_not_found(admin: GraphQLClient, mutation: str) -> None:
    provider = await create_provider(admin)
    await create_route(admin, provider["id"])
    before = await stored_routes()

    payload = await admin.mutate(mutation, {"id": UNKNOWN_ID}, ROUTE_PAYLOAD)

    assert payload["route"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        (["input", "id"], "NOT_FOUND")
    ]
    assert await stored_routes() == before


@pytest.mark.parametrize("mutation", ["updateRoute", "deleteRoute"])
async def test_malformed_id_is_invalid_argument(admin: GraphQLClient, mutation: str) -> None:
    payload = await admin.mutate(mutation, {"id": "route-1"}, ROUTE_PAYLOAD)

    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        (["input", "id"], "INVALID_ARGUMENT")
    ]


async def test_delete_is_soft_and_the_route_stays_readable(admin: GraphQLClient) -> None:
    provider = await create_provider(admin)
    created = await create_route(admin, provider["id"])

    payload = await admin.mutate("deleteRoute", {"id": created["id"]}, ROUTE_PAYLOAD)

    assert payload["userErrors"] == []
    assert payload["route"]["tmDelete"] is not None
    response = await admin.execute(
        "query($id: ID!) { route(id: $id) { tmDelete provider { id } } }", {"id": created["id"]}
    )
    assert response.data["route"] == {
        "tmDelete": payload["route"]["tmDelete"],
        "provider": {"id": provider["id"]},
    }
    listing = await admin.execute("{ routes { totalCount } }")
    assert listing.data["routes"]["totalCount"] == 0


@pytest.mark.parametrize(
    ("mutation", "extra"), [("deleteRoute", {}), ("updateRoute", {"name": "again"})]
)
async def test_a_deleted_route_cannot_be_changed_or_deleted_again(
    admin: GraphQLClient, mutation: str, extra: dict[str, Any]
) -> None:
    provider = await create_provider(admin)
    created = await create_route(admin, provider["id"])
    await admin.mutate("deleteRoute", {"id": created["id"]}, ROUTE_PAYLOAD)
    before = await stored_routes()

    payload = await admin.mutate(mutation, {"id": created["id"], **extra}, ROUTE_PAYLOAD)

    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        (["input", "id"], "NOT_FOUND")
    ]
    assert await stored_routes() == before


@pytest.mark.parametrize("mutation", ["updateRoute", "deleteRoute"])
async def test_a_viewer_cannot_change_routes(
    admin: GraphQLClient, viewer: GraphQLClient, mutation: str
) -> None:
    provider = await create_provider(admin)
    created = await create_route(admin, provider["id"])
    before = await stored_routes()

    response = await viewer.execute(
        f"mutation($input: {mutation[0].upper() + mutation[1:]}Input!) "
        f"{{ {mutation}(input: $input) {{ route {{ id }} }} }}",
        {"input": {"id": created["id"]}},
    )

    assert response.error_codes == ["FORBIDDEN"]
    assert await stored_routes() == before
