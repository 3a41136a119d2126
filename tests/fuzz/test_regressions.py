"""The bugs the fuzzers found, each pinned as the smallest request that shows it.

Open ones are strict ``xfail``s: they fail today for the reason given; once the product is fixed
they pass, strict ``xfail`` reports that as a failure, and the fixer removes the mark (and the
matching entry of ``tests.fuzz.known_bugs``, if any). Fixed ones stay as plain regressions.
"""

from typing import Any

import httpx
import pytest

from tests.factories import create_provider
from tests.fuzz.conftest import LiveServer
from tests.fuzz.graphql_http import judge
from tests.graphql_client import GraphQLClient


# Found by the envelope fuzzer: a body that is JSON but neither an object nor a list crashed
# Strawberry's body parsing ('str' object has no attribute 'get'), a plain-text HTTP 500. Fixed
# (TrunkqlGraphQL.decode_json); kept as a regression.
@pytest.mark.parametrize("body", ['"x"', "5", "1.5", "true", "null", '""'])
def test_a_json_body_that_is_not_an_object_is_a_400(
    live_server: LiveServer, live_http: httpx.Client, body: str
) -> None:
    response = live_http.post(
        "/graphql",
        content=body.encode(),
        headers={"Content-Type": "application/json", **live_server.admin_headers},
    )
    assert response.status_code == 400, response.text
    assert judge(response, well_formed_request=False).ok


# Found by the HTTP fuzzer: GraphQL request errors that Strawberry raises before execution ('Can't
# get GraphQL operation type', 'Unknown operation named "B".') were answered 400 in plain text
# instead of a GraphQL response with errors, as GraphQL over HTTP asks for a well-formed
# application/json request (audit FDE2: SHOULD use 200). Fixed (TrunkqlGraphQL.execute_single);
# kept as a regression.
@pytest.mark.parametrize(
    "envelope",
    [
        pytest.param({"query": "fragment F on Query { __typename }"}, id="no-operation"),
        pytest.param(
            {"query": "query A { __typename }", "operationName": "B"}, id="unknown-operation-name"
        ),
    ],
)
def test_a_request_error_is_a_graphql_response(
    live_server: LiveServer, live_http: httpx.Client, envelope: dict[str, Any]
) -> None:
    response = live_http.post("/graphql", json=envelope, headers=live_server.admin_headers)
    assert judge(response, well_formed_request=True).ok, (response.status_code, response.text)
    assert response.status_code == 200
    [error] = response.json()["errors"]
    assert error["message"] in {"Can't get GraphQL operation type", 'Unknown operation named "B".'}


# Found by the fuzzers on PostgreSQL (which refuses NUL in text and jsonb): a NUL in a listing
# filter or in metadata reached the database and came back as INTERNAL_SERVER_ERROR. Fixed
# (services.filters.filter_text, validation._check_no_nul); kept as regressions, both backends.
FILTERS = [
    ("providers", {"nameContains": "Tel\x00nyx"}),
    ("providers", {"hostname": "sip\x00.telnyx.com"}),
    ("routes", {"target": "+4\x004"}),
]


@pytest.mark.parametrize(
    ("listing", "flt"), FILTERS, ids=["nameContains", "hostname", "route-target"]
)
async def test_nul_characters_are_answered_not_crashed_on(
    admin: GraphQLClient, listing: str, flt: dict[str, str]
) -> None:
    await _assert_refused_or_empty(admin, listing, flt)  # nothing stored can hold a NUL


@pytest.mark.parametrize(
    "metadata", [{"note": "a\x00b"}, {"a\x00b": 1}], ids=["in-a-value", "in-a-key"]
)
@pytest.mark.parametrize("mutation", ["createProvider", "updateProvider"])
async def test_nul_characters_in_metadata_are_stored_or_refused(
    admin: GraphQLClient, mutation: str, metadata: dict[str, Any]
) -> None:
    provider = await create_provider(admin, hostname="127.0.0.1")
    values: dict[str, Any] = {"metadata": metadata}
    if mutation == "createProvider":
        values |= {"name": "NUL", "hostname": "127.0.0.1"}
    else:
        values |= {"id": provider["id"]}
    query = (
        f"mutation($i: {mutation[0].upper() + mutation[1:]}Input!) {{ {mutation}(input: $i) "
        "{ provider { metadata } userErrors { field code } } }"
    )
    response = await admin.execute(query, {"i": values})

    assert not response.body.get("errors"), response.body
    payload = response.data[mutation]
    if payload["userErrors"]:
        [error] = payload["userErrors"]
        assert error["code"] == "INVALID_ARGUMENT"
        assert error["field"][:2] == ["input", "metadata"]
    else:
        assert payload["provider"]["metadata"] == metadata


@pytest.mark.parametrize(
    ("listing", "flt"),
    [
        ("routes", {"target": "+" + "1" * 16}),
        ("routes", {"target": "everything-and-all"}),
        ("providers", {"hostname": "a" * 301}),
    ],
    ids=["target-17-digits", "target-text", "hostname-301"],
)
async def test_an_overlong_filter_is_answered_not_crashed_on(
    admin: GraphQLClient, listing: str, flt: dict[str, str]
) -> None:
    await _assert_refused_or_empty(admin, listing, flt)


async def _assert_refused_or_empty(admin: GraphQLClient, listing: str, flt: dict[str, str]) -> None:
    """A filter no stored value can match: INVALID_ARGUMENT, or an empty answer — never a crash."""
    await create_provider(admin, hostname="127.0.0.1")
    filter_type = "ProviderFilter" if listing == "providers" else "RouteFilter"
    response = await admin.execute(
        f"query($f: {filter_type}) {{ {listing}(filter: $f) {{ totalCount }} }}", {"f": flt}
    )
    if response.body.get("errors"):
        assert response.error_codes == ["INVALID_ARGUMENT"], response.body
    else:
        assert response.data[listing]["totalCount"] == 0
