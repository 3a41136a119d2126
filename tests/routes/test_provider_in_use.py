"""A provider that live routes use cannot be deleted: nothing is ever left dangling."""

import asyncio

from models.provider import Provider
from models.route import Route
from tests.factories import (
    ACME,
    PAYLOAD,
    ROUTE_PAYLOAD,
    create_provider,
    create_route,
    route_input,
    stored_providers,
    stored_routes,
)
from tests.graphql_client import GraphQLClient


async def test_deleting_a_provider_used_by_routes_is_a_conflict_naming_how_many(
    admin: GraphQLClient,
) -> None:
    provider = await create_provider(admin)
    for target in ("+1", "+44", "all"):
        await create_route(admin, provider["id"], target=target)
    gone = await create_route(admin, provider["id"], customerId=ACME)
    await admin.mutate("deleteRoute", {"id": gone["id"]}, ROUTE_PAYLOAD)  # deleted: not counted
    providers_before, routes_before = await stored_providers(), await stored_routes()

    payload = await admin.mutate("deleteProvider", {"id": provider["id"]}, PAYLOAD)

    assert payload["provider"] is None
    [error] = payload["userErrors"]
    assert (error["field"], error["code"]) == (["input", "id"], "CONFLICT")
    assert "3 routes use" in error["message"]
    assert await stored_providers() == providers_before
    assert await stored_routes() == routes_before


async def test_once_its_routes_are_deleted_the_provider_can_be(admin: GraphQLClient) -> None:
    provider = await create_provider(admin)
    route = await create_route(admin, provider["id"])
    refused = await admin.mutate("deleteProvider", {"id": provider["id"]}, PAYLOAD)
    assert [e["message"] for e in refused["userErrors"]] == [
        f"1 route uses provider {provider['id']}; delete those routes or move them to another "
        "provider first"
    ]

    await admin.mutate("deleteRoute", {"id": route["id"]}, ROUTE_PAYLOAD)
    payload = await admin.mutate("deleteProvider", {"id": provider["id"]}, PAYLOAD)

    assert payload["userErrors"] == []
    assert payload["provider"]["tmDelete"] is not None


async def test_a_route_moved_away_frees_its_old_provider(admin: GraphQLClient) -> None:
    old = await create_provider(admin, name="old")
    new = await create_provider(admin, name="new")
    route = await create_route(admin, old["id"])

    await admin.mutate("updateRoute", {"id": route["id"], "providerId": new["id"]}, ROUTE_PAYLOAD)
    payload = await admin.mutate("deleteProvider", {"id": old["id"]}, PAYLOAD)

    assert payload["userErrors"] == []
    assert (await admin.mutate("deleteProvider", {"id": new["id"]}, PAYLOAD))["userErrors"][0][
        "code"
    ] == "CONFLICT"


async def test_a_route_created_while_its_provider_is_deleted_never_dangles(
    admin: GraphQLClient,
) -> None:
    """Creating a route and deleting its provider at the same moment: exactly one wins."""
    for _ in range(15):
        provider = await create_provider(admin)

        created, deleted = await asyncio.gather(
            admin.mutate("createRoute", route_input(provider["id"]), ROUTE_PAYLOAD),
            admin.mutate("deleteProvider", {"id": provider["id"]}, PAYLOAD),
        )

        outcomes = sorted(
            [
                "route" if created["route"] else created["userErrors"][0]["code"],
                "deleted" if deleted["provider"] else deleted["userErrors"][0]["code"],
            ]
        )
        assert outcomes in (["CONFLICT", "route"], ["NOT_FOUND", "deleted"]), outcomes
    dangling = await Route.filter(tm_delete__isnull=True, provider__tm_delete__isnull=False)
    assert dangling == []


async def test_a_provider_is_never_hard_deleted_from_under_a_route(admin: GraphQLClient) -> None:
    """The foreign key restricts deletes too, should anything bypass the service."""
    provider = await create_provider(admin)
    await create_route(admin, provider["id"])

    try:
        await Provider.filter(id=provider["id"]).delete()
    except Exception as exc:  # the driver's IntegrityError, which differs per database
        assert "foreign key" in str(exc).lower()  # noqa: PT017
    else:
        raise AssertionError("a provider with routes was deleted")
    assert len(await stored_routes()) == 1
