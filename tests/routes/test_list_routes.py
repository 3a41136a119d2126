"""The routes connection: newest first, keyset pages, filters, totalCount, and providers loaded in
batches."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from models.provider import Provider
from models.route import Route
from tests.factories import ACME, GLOBEX, PLATFORM, ROUTE_PAYLOAD, create_provider, create_route
from tests.graphql_client import GraphQLClient
from tests.sql_counter import count_statements

LIST = """
query($first: Int!, $after: String, $filter: RouteFilter) {
  routes(first: $first, after: $after, filter: $filter) {
    totalCount
    edges { cursor node { id name target provider { id name techHeaders } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


async def _names(admin: GraphQLClient, **variables: object) -> list[str]:
    response = await admin.execute(LIST, {"first": 100, **variables})
    return [edge["node"]["name"] for edge in response.data["routes"]["edges"]]


async def test_newest_first_and_pages_cover_every_row_once(admin: GraphQLClient) -> None:
    provider = await create_provider(admin)
    for i in range(5):
        await create_route(admin, provider["id"], name=f"r{i}")

    seen: list[str] = []
    after = None
    while True:
        connection = (await admin.execute(LIST, {"first": 2, "after": after})).data["routes"]
        assert connection["totalCount"] == 5
        seen += [edge["node"]["name"] for edge in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]

    assert seen == ["r4", "r3", "r2", "r1", "r0"]


async def test_filters(admin: GraphQLClient) -> None:
    telnyx = await create_provider(admin, name="Telnyx")
    twilio = await create_provider(admin, name="Twilio", hostname="sip.twilio.com")
    await create_route(admin, telnyx["id"], name="acme us", customerId=ACME, target="+1")
    await create_route(admin, twilio["id"], name="acme all", customerId=ACME, target="all")
    await create_route(admin, twilio["id"], name="globex us", customerId=GLOBEX, target="+1")
    gone = await create_route(admin, telnyx["id"], name="platform all", customerId=PLATFORM)
    await admin.mutate("deleteRoute", {"id": gone["id"]}, ROUTE_PAYLOAD)

    assert await _names(admin, filter={"customerId": ACME}) == ["acme all", "acme us"]
    assert await _names(admin, filter={"providerId": twilio["id"]}) == ["globex us", "acme all"]
    assert await _names(admin, filter={"target": "+1"}) == ["globex us", "acme us"]
    assert await _names(admin, filter={"target": "ALL"}) == ["acme all"]
    assert await _names(admin, filter={"target": "+1a"}) == []  # could never match
    assert await _names(admin, filter={"customerId": ACME, "target": "+1"}) == ["acme us"]
    assert await _names(admin, filter={"includeDeleted": True, "providerId": telnyx["id"]}) == [
        "platform all",
        "acme us",
    ]
    response = await admin.execute(LIST, {"first": 1, "filter": {"providerId": twilio["id"]}})
    assert response.data["routes"]["totalCount"] == 2


@pytest.mark.parametrize("field", ["customerId", "providerId"])
async def test_a_malformed_filter_id_is_invalid_argument(admin: GraphQLClient, field: str) -> None:
    response = await admin.execute(LIST, {"first": 10, "filter": {field: "acme"}})

    assert response.error_codes == ["INVALID_ARGUMENT"]
    assert response.errors[0]["extensions"]["field"] == ["filter", field]
    assert response.errors[0]["message"].startswith(f"{field} must be a UUID string")


@pytest.mark.parametrize(("first", "after"), [(101, None), (-1, None), (10, "garbage")])
async def test_bad_page_arguments_are_refused(
    admin: GraphQLClient, first: int, after: str | None
) -> None:
    response = await admin.execute(LIST, {"first": first, "after": after})

    assert response.error_codes == ["INVALID_ARGUMENT"]


async def test_a_viewer_lists_routes_with_masked_provider_headers(
    admin: GraphQLClient, viewer: GraphQLClient
) -> None:
    provider = await create_provider(admin, techHeaders={"X-Token": "tok_live_secret"})
    await create_route(admin, provider["id"])

    response = await viewer.execute(LIST, {"first": 10})

    [edge] = response.data["routes"]["edges"]
    assert edge["node"]["provider"]["techHeaders"] == {"X-Token": "********"}
    assert "tok_live_secret" not in str(response.body)


async def _routes_each_with_its_own_provider(count: int) -> None:
    """``count`` routes, each on a provider of its own: the worst case for N+1 queries."""
    start = datetime(2024, 1, 1, tzinfo=UTC)
    providers = [
        Provider(
            id=uuid.uuid4(),
            name=f"p{i}",
            hostname=f"sip{i}.example.com",
            tm_create=start,
            tm_update=start,
        )
        for i in range(count)
    ]
    await Provider.bulk_create(providers)
    await Route.bulk_create(
        [
            Route(
                id=uuid.uuid4(),
                customer_id=uuid.UUID(PLATFORM),
                name=f"r{i}",
                provider_id=provider.id,
                priority=0,
                target="all",
                tm_create=start + timedelta(seconds=i),
                tm_update=start,
            )
            for i, provider in enumerate(providers)
        ]
    )


async def test_a_page_of_routes_with_providers_costs_a_constant_number_of_queries(
    admin: GraphQLClient,
) -> None:
    await _routes_each_with_its_own_provider(100)

    counts = []
    for size in (1, 10, 100):
        with count_statements() as counter:
            response = await admin.execute(LIST, {"first": size})
        edges = response.data["routes"]["edges"]
        assert len(edges) == size
        assert len({edge["node"]["provider"]["id"] for edge in edges}) == size
        counts.append(counter.count)

    assert counts[0] == counts[1] == counts[2]
    assert counts[0] == 3  # the page, its count, and one query for all its providers
