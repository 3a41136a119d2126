"""Requests that try to make the server do too much, or parse too much, are refused early."""

import json
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.factories import create_provider, provider_input, stored_providers
from tests.graphql_client import GraphQLClient

CREATE = """mutation($input: CreateProviderInput!) {
  createProvider(input: $input) { provider { id } userErrors { code } }
}"""


def _nested(depth: int) -> str:
    # providers > edges > node ... repeated through formatNumber-free object fields is shallow in
    # this schema, so depth is built with nested fragments-free selections on the connection.
    inner = "id"
    for _ in range(depth):
        inner = f"edges {{ node {{ {inner} }} }}"
    return inner


async def test_a_depth_bomb_is_refused(admin: GraphQLClient) -> None:
    query = "{ providers { " + _nested(6) + " } }"

    response = await admin.execute(query)

    assert response.body.get("data") is None
    assert "depth" in response.errors[0]["message"].lower()


async def test_an_alias_bomb_is_refused_before_running(admin: GraphQLClient) -> None:
    await create_provider(admin)
    aliases = " ".join(f"a{i}: providers {{ totalCount }}" for i in range(31))

    response = await admin.execute("{ " + aliases + " }")

    assert response.body.get("data") is None
    assert "aliases" in response.errors[0]["message"].lower()


async def test_aliased_mutations_cannot_multiply_writes(admin: GraphQLClient) -> None:
    calls = " ".join(
        f'c{i}: createProvider(input: {{name: "n{i}", hostname: "h{i}.example.com"}}) '
        "{ userErrors { code } }"
        for i in range(31)
    )

    response = await admin.execute("mutation { " + calls + " }")

    assert response.body.get("data") is None
    assert await stored_providers() == []


async def test_a_token_bomb_is_refused(admin: GraphQLClient) -> None:
    query = "{ providers { totalCount " + "__typename " * 2100 + "} }"

    response = await admin.execute(query)

    assert response.body.get("data") is None
    assert "token" in response.errors[0]["message"].lower()


async def test_the_introspection_query_graphiql_sends_fits_the_limits(admin: GraphQLClient) -> None:
    from graphql import get_introspection_query

    response = await admin.execute(get_introspection_query(descriptions=True))

    assert response.data["__schema"]["queryType"]["name"] == "Query"


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_a_2_mib_body_is_refused_with_413(
    http: httpx.AsyncClient, admin: GraphQLClient, chunked: bool
) -> None:
    body = json.dumps(
        {"query": CREATE, "variables": {"input": provider_input(detail="x" * 2 * 1024 * 1024)}}
    ).encode()
    headers = {"Authorization": f"Bearer {admin.token}", "Content-Type": "application/json"}

    async def stream() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 65536):
            yield body[start : start + 65536]

    reply = await http.post("/graphql", content=stream() if chunked else body, headers=headers)

    assert reply.status_code == 413
    assert reply.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert await stored_providers() == []


@pytest.mark.parametrize(
    ("content", "content_type", "expected"),
    [
        (b'{"query": ', "application/json", "Unable to parse request body as JSON"),
        (b"\xff\xfe\x00", "application/json", "Unable to parse request body as JSON"),
        (b'{"query": "{ providers { totalCount } }"}', "text/plain", "Unsupported content type"),
        (b'[{"query": "{ providers { totalCount } }"}]', "application/json", "Batching"),
        (b'{"query": 42}', "application/json", "query"),
    ],
    ids=["truncated JSON", "not UTF-8", "wrong content type", "batch", "query not a string"],
)
async def test_malformed_requests_are_refused(
    http: httpx.AsyncClient, admin: GraphQLClient, content: bytes, content_type: str, expected: str
) -> None:
    reply = await http.post(
        "/graphql",
        content=content,
        headers={"Authorization": f"Bearer {admin.token}", "Content-Type": content_type},
    )

    assert reply.status_code == 400
    assert expected.lower() in reply.text.lower()


async def test_a_mutation_over_get_is_never_run(
    http: httpx.AsyncClient, admin: GraphQLClient
) -> None:
    reply = await http.get(
        "/graphql",
        params={"query": CREATE, "variables": json.dumps({"input": provider_input()})},
        headers={"Authorization": f"Bearer {admin.token}"},
    )

    assert reply.status_code == 405
    assert await stored_providers() == []


async def test_of_several_operations_only_the_named_one_runs(admin: GraphQLClient) -> None:
    document = (
        'mutation A { createProvider(input: {name: "a", hostname: "a.example.com"}) '
        "{ userErrors { code } } } "
        'mutation B { createProvider(input: {name: "b", hostname: "b.example.com"}) '
        "{ userErrors { code } } }"
    )

    unnamed = await admin.http.post(
        "/graphql", json={"query": document}, headers={"Authorization": f"Bearer {admin.token}"}
    )
    named = await admin.http.post(
        "/graphql",
        json={"query": document, "operationName": "B"},
        headers={"Authorization": f"Bearer {admin.token}"},
    )

    assert "errors" in unnamed.json()
    assert named.json()["data"]["createProvider"]["userErrors"] == []
    assert [p["name"] for p in await stored_providers()] == ["b"]


@pytest.mark.parametrize("body", ['"{ providers { totalCount } }"', "42", "true", "null"])
async def test_a_json_body_that_is_not_an_object_is_a_400(
    http: httpx.AsyncClient, admin: GraphQLClient, body: str
) -> None:
    reply = await http.post(
        "/graphql",
        content=body.encode(),
        headers={"Authorization": f"Bearer {admin.token}", "Content-Type": "application/json"},
    )

    assert reply.status_code == 400
