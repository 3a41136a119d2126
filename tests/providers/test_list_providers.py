"""The providers connection: newest first, keyset pages, filters, totalCount, bounded queries."""

import pytest

from models.enums import HealthStatus
from models.provider import Provider
from tests.factories import PAYLOAD, create_provider
from tests.graphql_client import GraphQLClient
from tests.sql_counter import count_statements

LIST = """
query($first: Int!, $after: String, $filter: ProviderFilter) {
  providers(first: $first, after: $after, filter: $filter) {
    totalCount
    edges { cursor node { id name hostname healthStatus tmDelete techHeaders } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


async def _names(admin: GraphQLClient, **variables: object) -> list[str]:
    response = await admin.execute(LIST, {"first": 100, **variables})
    return [edge["node"]["name"] for edge in response.data["providers"]["edges"]]


async def test_newest_first_and_pages_cover_every_row_once(admin: GraphQLClient) -> None:
    for i in range(7):
        await create_provider(admin, name=f"p{i}")

    seen: list[str] = []
    after = None
    pages = 0
    while True:
        response = await admin.execute(LIST, {"first": 3, "after": after})
        connection = response.data["providers"]
        assert connection["totalCount"] == 7
        seen += [edge["node"]["name"] for edge in connection["edges"]]
        pages += 1
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
        assert after == connection["edges"][-1]["cursor"]

    assert seen == [f"p{i}" for i in reversed(range(7))]
    assert pages == 3


async def test_rows_inserted_between_pages_do_not_shift_the_next_page(
    admin: GraphQLClient,
) -> None:
    for i in range(4):
        await create_provider(admin, name=f"old{i}")
    first = (await admin.execute(LIST, {"first": 2})).data["providers"]

    await create_provider(admin, name="newer")
    second = (
        await admin.execute(LIST, {"first": 2, "after": first["pageInfo"]["endCursor"]})
    ).data["providers"]

    assert [e["node"]["name"] for e in first["edges"]] == ["old3", "old2"]
    assert [e["node"]["name"] for e in second["edges"]] == ["old1", "old0"]
    assert second["pageInfo"]["hasNextPage"] is False


async def test_first_defaults_to_50(admin: GraphQLClient) -> None:
    await Provider.bulk_create(
        [
            Provider(
                name=f"bulk{i}",
                hostname="sip.example.com",
                tm_create=f"2024-01-01T00:00:{i:02d}+00:00",
                tm_update="2024-01-01T00:00:00+00:00",
            )
            for i in range(55)
        ]
    )

    response = await admin.execute(
        "{ providers { edges { node { id } } pageInfo { hasNextPage } } }"
    )

    assert len(response.data["providers"]["edges"]) == 50
    assert response.data["providers"]["pageInfo"]["hasNextPage"] is True


@pytest.mark.parametrize("first", [101, 1000, -1])
async def test_first_outside_0_to_100_is_an_error_not_a_silent_cut(
    admin: GraphQLClient, first: int
) -> None:
    response = await admin.execute(LIST, {"first": first})

    assert response.body["data"] is None
    assert response.error_codes == ["INVALID_ARGUMENT"]
    assert "100" in response.errors[0]["message"]


@pytest.mark.parametrize("cursor", ["garbage", "", "eyJhIjoxfQ", "WyJrMSIsIm5vdC1hLWRhdGUiLCJ4Il0"])
async def test_a_cursor_not_from_this_listing_is_refused(admin: GraphQLClient, cursor: str) -> None:
    response = await admin.execute(LIST, {"first": 10, "after": cursor})

    assert response.error_codes == ["INVALID_ARGUMENT"]


async def test_filters(admin: GraphQLClient) -> None:
    telnyx = await create_provider(admin, name="Telnyx US", hostname="sip.telnyx.com")
    await create_provider(admin, name="Telnyx EU", hostname="sip.telnyx.eu")
    twilio = await create_provider(admin, name="Twilio", hostname="sip.twilio.com")
    await Provider.filter(id=twilio["id"]).update(health_status=HealthStatus.UNHEALTHY)
    await admin.mutate("deleteProvider", {"id": telnyx["id"]}, PAYLOAD)

    assert await _names(admin, filter={"nameContains": "telnyx"}) == ["Telnyx EU"]
    assert await _names(admin, filter={"hostname": "SIP.TWILIO.COM"}) == ["Twilio"]
    assert await _names(admin, filter={"healthStatus": "UNHEALTHY"}) == ["Twilio"]
    assert await _names(admin, filter={"healthStatus": "UNKNOWN"}) == ["Telnyx EU"]
    assert await _names(admin, filter={"includeDeleted": True}) == [
        "Twilio",
        "Telnyx EU",
        "Telnyx US",
    ]
    assert await _names(admin, filter={"nameContains": "US", "includeDeleted": True}) == [
        "Telnyx US"
    ]
    response = await admin.execute(LIST, {"first": 1, "filter": {"nameContains": "telnyx"}})
    assert response.data["providers"]["totalCount"] == 1


async def test_first_zero_returns_no_edges_but_counts(admin: GraphQLClient) -> None:
    await create_provider(admin)

    connection = (await admin.execute(LIST, {"first": 0})).data["providers"]

    assert connection["edges"] == []
    assert connection["totalCount"] == 1
    assert connection["pageInfo"] == {"hasNextPage": True, "endCursor": None}


async def test_a_page_costs_the_same_number_of_statements_whatever_its_size(
    admin: GraphQLClient,
) -> None:
    for i in range(30):
        await create_provider(admin, name=f"p{i}", techHeaders={"X-N": str(i)})

    counts = []
    for size in (1, 10, 30):
        with count_statements() as counter:
            response = await admin.execute(LIST, {"first": size})
        assert len(response.data["providers"]["edges"]) == size
        counts.append(counter.count)

    assert counts[0] == counts[1] == counts[2]
    assert counts[0] == 2  # the page and its count


def _cursor(parts: object) -> str:
    import base64
    import json

    return base64.urlsafe_b64encode(json.dumps(parts).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        _cursor(["k1", "2024-05-01T12:00:00+00:00", 5]),  # id not a string
        _cursor(["k1", 5, "3fa85f64-5717-4562-b3fc-2c963f66afa6"]),  # time not a string
        _cursor(["k1", "0001-01-01T00:00:00+14:00", "3fa85f64-5717-4562-b3fc-2c963f66afa6"]),
        _cursor(["k1", "9999-12-31T23:59:59-14:00", "3fa85f64-5717-4562-b3fc-2c963f66afa6"]),
        _cursor({"k1": 1}),
        __import__("base64").urlsafe_b64encode(b"[" * 5000).decode(),  # exhausts recursion
    ],
    ids=["id-number", "time-number", "before-year-1", "after-year-9999", "object", "deep"],
)
async def test_a_forged_cursor_is_invalid_argument_not_a_crash(
    admin: GraphQLClient, cursor: str
) -> None:
    response = await admin.execute(LIST, {"first": 10, "after": cursor})

    assert response.error_codes == ["INVALID_ARGUMENT"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ('{ providers(filter: {hostname: "' + "a" * 301 + '"}) { totalCount } }', "hostname"),
        ('{ routes(filter: {target: "+' + "1" * 16 + '"}) { totalCount } }', "target"),
    ],
    ids=["hostname-301", "target-17"],
)
async def test_a_filter_longer_than_its_column_is_invalid_argument(
    admin: GraphQLClient, query: str, field: str
) -> None:
    response = await admin.execute(query)

    assert response.error_codes == ["INVALID_ARGUMENT"]
    assert response.errors[0]["extensions"]["field"] == ["filter", field]
