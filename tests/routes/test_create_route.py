"""An administrator adds routes to the dial plan; every input rule refuses bad values and writes
nothing."""

from typing import Any

import pytest

from tests.factories import (
    ACME,
    PAYLOAD,
    PLATFORM,
    ROUTE_PAYLOAD,
    create_provider,
    create_route,
    route_input,
    stored_routes,
)
from tests.graphql_client import GraphQLClient

UNKNOWN_ID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"


async def test_the_provider_id_from_create_is_referenced_by_a_route_at_once(
    admin: GraphQLClient,
) -> None:
    provider = await create_provider(admin, name="Telnyx Production")

    route = await create_route(
        admin, provider["id"], customerId=ACME, name="US via Telnyx", target="+1", priority=5
    )

    assert route["customerId"] == ACME
    assert route["name"] == "US via Telnyx"
    assert route["detail"] == ""
    assert route["providerId"] == provider["id"]
    assert route["provider"] == {"id": provider["id"], "name": "Telnyx Production"}
    assert route["priority"] == 5
    assert route["weight"] == 10  # the default share
    assert route["target"] == "+1"
    assert route["tmDelete"] is None
    assert route["tmUpdate"] == route["tmCreate"]
    [row] = await stored_routes()
    assert str(row["id"]) == route["id"]
    assert str(row["provider_id"]) == provider["id"]


async def test_the_route_reads_back_by_id(admin: GraphQLClient) -> None:
    provider = await create_provider(admin)
    created = await create_route(admin, provider["id"], weight=65535, target="ALL")

    response = await admin.execute(
        "query($id: ID!) { route(id: $id) { id target weight provider { hostname } } }",
        {"id": created["id"]},
    )

    assert response.data["route"] == {
        "id": created["id"],
        "target": "all",  # stored in canonical form
        "weight": 65535,
        "provider": {"hostname": "sip.telnyx.com"},
    }


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"target": "44"}, ["input", "target"]),  # no '+'
        ({"target": "+"}, ["input", "target"]),
        ({"target": "+1234567890123456"}, ["input", "target"]),  # 16 digits
        ({"target": "+1a"}, ["input", "target"]),
        ({"target": ""}, ["input", "target"]),
        ({"target": "+44 20"}, ["input", "target"]),
        ({"target": "+\u0664\u0664"}, ["input", "target"]),  # Arabic-Indic digits
        ({"target": "any"}, ["input", "target"]),
        ({"target": None}, ["input", "target"]),
        ({"priority": -1}, ["input", "priority"]),
        ({"priority": 65536}, ["input", "priority"]),
        ({"priority": None}, ["input", "priority"]),
        ({"weight": 0}, ["input", "weight"]),
        ({"weight": 65536}, ["input", "weight"]),
        ({"customerId": "acme"}, ["input", "customerId"]),
        ({"customerId": None}, ["input", "customerId"]),
        ({"providerId": "provider-uuid-123"}, ["input", "providerId"]),
        ({"providerId": None}, ["input", "providerId"]),
        ({"name": "  "}, ["input", "name"]),
        ({"name": None}, ["input", "name"]),
        ({"name": "bad\nname"}, ["input", "name"]),
        ({"detail": "x" * 4097}, ["input", "detail"]),
    ],
    ids=lambda v: repr(v)[:50],
)
async def test_invalid_input_is_refused_and_nothing_is_written(
    admin: GraphQLClient, overrides: dict[str, Any], field: list[str]
) -> None:
    provider = await create_provider(admin)

    payload = await admin.mutate(
        "createRoute", route_input(provider["id"], **overrides), ROUTE_PAYLOAD
    )

    assert payload["route"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(field, "INVALID_ARGUMENT")]
    assert payload["userErrors"][0]["message"]
    assert await stored_routes() == []


@pytest.mark.parametrize(
    ("target", "hint"),
    [("44", "no leading '+'"), ("+", "without digits"), ("+1234567890123456", "16 digits")],
)
async def test_a_bad_target_is_explained(admin: GraphQLClient, target: str, hint: str) -> None:
    provider = await create_provider(admin)

    payload = await admin.mutate(
        "createRoute", route_input(provider["id"], target=target), ROUTE_PAYLOAD
    )

    assert hint in payload["userErrors"][0]["message"]
    assert "'+44'" in payload["userErrors"][0]["message"]  # and says what is allowed


@pytest.mark.parametrize("target", ["+1", "+44", "+4420", "+123456789012345", "all"])
async def test_good_targets_are_stored_as_given(admin: GraphQLClient, target: str) -> None:
    provider = await create_provider(admin)

    route = await create_route(admin, provider["id"], target=target)

    assert route["target"] == target


async def test_missing_required_fields_are_all_reported(admin: GraphQLClient) -> None:
    payload = await admin.mutate("createRoute", {}, ROUTE_PAYLOAD)

    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        (["input", name], "INVALID_ARGUMENT")
        for name in ("customerId", "name", "providerId", "priority", "target")
    ]
    assert await stored_routes() == []


async def test_an_unknown_provider_is_not_found(admin: GraphQLClient) -> None:
    await create_provider(admin)

    payload = await admin.mutate("createRoute", route_input(UNKNOWN_ID), ROUTE_PAYLOAD)

    assert payload["route"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        (["input", "providerId"], "NOT_FOUND")
    ]
    assert await stored_routes() == []


async def test_a_deleted_provider_is_not_found(admin: GraphQLClient) -> None:
    provider = await create_provider(admin)
    await admin.mutate("deleteProvider", {"id": provider["id"]}, PAYLOAD)

    payload = await admin.mutate("createRoute", route_input(provider["id"]), ROUTE_PAYLOAD)

    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        (["input", "providerId"], "NOT_FOUND")
    ]
    assert await stored_routes() == []


async def test_a_viewer_cannot_create_routes(admin: GraphQLClient, viewer: GraphQLClient) -> None:
    provider = await create_provider(admin)

    response = await viewer.execute(
        "mutation($input: CreateRouteInput!) { createRoute(input: $input) { route { id } } }",
        {"input": route_input(provider["id"], customerId=PLATFORM)},
    )

    assert response.error_codes == ["FORBIDDEN"]
    assert await stored_routes() == []
