"""Every operation needs a valid bearer token; only GraphiQL's page and health endpoints do not."""

import base64
import json
import time

import httpx
import jwt
import pytest

from services.principals import Role
from tests.conftest import JWT_SECRET, token_for
from tests.factories import create_provider, provider_input, stored_providers
from tests.graphql_client import GraphQLClient

CREATE = (
    "mutation($input: CreateProviderInput!) { createProvider(input: $input) { provider { id } } }"
)


_NOW = int(time.time())


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _claims(**overrides: object) -> dict[str, object]:
    now = int(time.time())
    claims: dict[str, object] = {
        "sub": "mallory",
        "roles": ["PROJECT_SUPER_ADMIN"],
        "iss": "trunkql",
        "iat": now,
        "exp": now + 600,
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _signed(claims: dict[str, object], secret: str = JWT_SECRET, alg: str = "HS256") -> str:
    return jwt.encode(claims, secret, algorithm=alg)


BAD_AUTHORIZATION = {
    "no header": None,
    "empty bearer": "Bearer ",
    "wrong scheme": f"Token {token_for(Role.PROJECT_SUPER_ADMIN)}",
    "garbage token": "Bearer not.a.jwt",
    "expired": f"Bearer {_signed(_claims(exp=_NOW - 3600, iat=_NOW - 7200))}",
    "no exp": f"Bearer {_signed(_claims(exp=None))}",
    "wrong secret": f"Bearer {_signed(_claims(), secret='another-secret-of-sufficient-length!!')}",
    "tampered payload": "Bearer "
    + ".".join(
        [
            token_for(Role.PROJECT_VIEWER).split(".")[0],
            _b64(_claims()),
            token_for(Role.PROJECT_VIEWER).split(".")[2],
        ]
    ),
    "alg none": f"Bearer {_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_claims())}.",
    "wrong algorithm": f"Bearer {_signed(_claims(), alg='HS512', secret=JWT_SECRET + 'x' * 40)}",
    "wrong issuer": f"Bearer {_signed(_claims(iss='someone-else'))}",
    "no roles": f"Bearer {_signed(_claims(roles=[]))}",
    "unknown role only": f"Bearer {_signed(_claims(roles=['ROOT']))}",
}


@pytest.mark.parametrize("authorization", BAD_AUTHORIZATION.values(), ids=BAD_AUTHORIZATION.keys())
async def test_bad_credentials_are_refused_and_nothing_is_written(
    http: httpx.AsyncClient, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}

    reply = await http.post(
        "/graphql",
        json={"query": CREATE, "variables": {"input": provider_input()}},
        headers=headers,
    )

    assert reply.status_code == 401
    assert reply.headers["www-authenticate"].startswith("Bearer")
    body = reply.json()
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "data" not in body
    assert await stored_providers() == []


async def test_queries_need_a_token_too(anonymous: GraphQLClient) -> None:
    response = await anonymous.execute("{ providers { totalCount } }")

    assert response.status == 401
    assert response.error_codes == ["UNAUTHENTICATED"]


async def test_a_viewer_may_read(admin: GraphQLClient, viewer: GraphQLClient) -> None:
    created = await create_provider(admin)

    response = await viewer.execute(
        "query($id: ID!) { provider(id: $id) { name } providers { totalCount } }",
        {"id": created["id"]},
    )

    assert response.data == {
        "provider": {"name": "Telnyx Production"},
        "providers": {"totalCount": 1},
    }


VIEWER_MUTATIONS = {
    "createProvider": lambda pid: provider_input(),
    "updateProvider": lambda pid: {"id": pid, "name": "hijacked"},
    "updateCodecs": lambda pid: {"id": pid, "codecs": "G729"},
    "deleteProvider": lambda pid: {"id": pid},
}


@pytest.mark.parametrize("mutation", VIEWER_MUTATIONS)
async def test_a_viewer_may_not_change_anything(
    admin: GraphQLClient, viewer: GraphQLClient, mutation: str
) -> None:
    created = await create_provider(admin)
    before = await stored_providers()
    input_type = mutation[0].upper() + mutation[1:] + "Input"

    response = await viewer.execute(
        f"mutation($input: {input_type}!) {{ {mutation}(input: $input) {{ provider {{ id }} }} }}",
        {"input": VIEWER_MUTATIONS[mutation](created["id"])},
    )

    assert response.error_codes == ["FORBIDDEN"]
    assert "PROJECT_SUPER_ADMIN" in response.errors[0]["message"]
    assert await stored_providers() == before


async def test_graphiql_page_is_served_without_a_token(http: httpx.AsyncClient) -> None:
    reply = await http.get("/graphql", headers={"Accept": "text/html"})

    assert reply.status_code == 200
    assert "graphiql" in reply.text.lower()


async def test_get_runs_queries_but_never_mutations(
    http: httpx.AsyncClient, admin: GraphQLClient
) -> None:
    provider = await create_provider(admin)
    before = await stored_providers()
    headers = {"Authorization": f"Bearer {admin.token}"}
    delete = "mutation($id: ID!) { deleteProvider(input: {id: $id}) { userErrors { code } } }"

    query = await http.get(
        "/graphql", params={"query": "{ providers { totalCount } }"}, headers=headers
    )
    mutation = await http.get(
        "/graphql",
        params={"query": delete, "variables": json.dumps({"id": provider["id"]})},
        headers=headers,
    )

    assert query.status_code == 200
    assert query.json()["data"]["providers"]["totalCount"] == 1
    assert mutation.status_code == 405  # GraphQL over HTTP: Method Not Allowed
    assert mutation.headers["allow"] == "POST"
    assert "mutations are not allowed when using GET" in mutation.text
    assert await stored_providers() == before


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
async def test_health_endpoints_need_no_token(http: httpx.AsyncClient, path: str) -> None:
    reply = await http.get(path)

    assert reply.status_code == 200
    assert reply.headers["x-request-id"]
