"""Settings an operator flips for production: schema exposure, CORS origins, tighter limits —
checked against a real ``trunkql serve`` configured by environment variables."""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.databases import fresh_database
from tests.processes import clean_env, run_trunkql, serving

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

ALLOWED = "https://admin.example.com"


@pytest.fixture(scope="module")
def tmp_module(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("production")


@pytest.fixture(scope="module")
async def production(tmp_module: Path) -> AsyncIterator[tuple[str, dict[str, str]]]:
    async with fresh_database(tmp_module) as url:
        env = clean_env(
            TRUNKQL_DATABASE_URL=url,
            TRUNKQL_JWT_SECRET="p" * 48,
            TRUNKQL_SECRET_KEY="q" * 48,
            TRUNKQL_EXPOSE_SCHEMA="false",
            TRUNKQL_CORS_ORIGINS=f"{ALLOWED}, https://ops.example.com",
            TRUNKQL_MAX_ALIASES="2",
            TRUNKQL_MAX_BODY_BYTES="4096",
        )
        with serving(tmp_module, env) as (base, _):
            token = run_trunkql("token", "--role", "PROJECT_VIEWER", cwd=tmp_module, env=env)
            yield base, {"Authorization": f"Bearer {token.stdout.strip()}"}


@pytest.fixture
async def client(production: tuple[str, dict[str, str]]) -> AsyncIterator[httpx.AsyncClient]:
    base, headers = production
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=10) as http:
        yield http


async def test_introspection_is_refused_when_the_schema_is_not_exposed(
    client: httpx.AsyncClient,
) -> None:
    introspection = await client.post("/graphql", json={"query": "{ __schema { types { name } } }"})
    typename = await client.post("/graphql", json={"query": "{ __typename }"})
    normal = await client.post("/graphql", json={"query": "{ providers { totalCount } }"})

    assert "introspection" in introspection.json()["errors"][0]["message"].lower()
    assert introspection.json().get("data") is None
    assert typename.json()["data"] == {"__typename": "Query"}
    assert normal.json()["data"]["providers"]["totalCount"] == 0


async def test_graphiql_is_not_served_when_the_schema_is_not_exposed(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/graphql", headers={"Accept": "text/html"})

    assert page.status_code == 404
    assert "graphiql" not in page.text.lower()


async def test_cors_answers_configured_origins_only(client: httpx.AsyncClient) -> None:
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
    }

    allowed = await client.options("/graphql", headers={"Origin": ALLOWED, **preflight})
    other = await client.options(
        "/graphql", headers={"Origin": "https://evil.example", **preflight}
    )
    simple = await client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"Origin": ALLOWED}
    )

    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == ALLOWED
    assert "authorization" in allowed.headers["access-control-allow-headers"].lower()
    assert "access-control-allow-origin" not in other.headers
    assert simple.headers["access-control-allow-origin"] == ALLOWED
    assert "x-request-id" in simple.headers["access-control-expose-headers"].lower()


async def test_configured_limits_apply(client: httpx.AsyncClient) -> None:
    aliases = await client.post(
        "/graphql", json={"query": "{ a: __typename b: __typename c: __typename }"}
    )
    body = await client.post("/graphql", json={"query": "{ __typename }", "pad": "x" * 5000})

    assert "aliases" in aliases.json()["errors"][0]["message"].lower()
    assert body.status_code == 413


async def test_no_cors_headers_by_default(http: httpx.AsyncClient) -> None:
    reply = await http.options(
        "/graphql",
        headers={"Origin": ALLOWED, "Access-Control-Request-Method": "POST"},
    )

    assert "access-control-allow-origin" not in reply.headers


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("TRUNKQL_CORS_ORIGINS", "*", "exact origins"),
        ("TRUNKQL_JWT_ALGORITHM", "none", "must be one of"),
        ("TRUNKQL_JWT_ALGORITHM", "RS256", "needs TRUNKQL_JWT_PUBLIC_KEY_FILE"),
        ("TRUNKQL_MAX_QUERY_DEPTH", "0", "between"),
    ],
)
def test_unsafe_settings_are_refused(tmp_path: Path, name: str, value: str, message: str) -> None:
    result = run_trunkql("migrate", cwd=tmp_path, env=clean_env(**{name: value}))

    assert result.returncode == 2
    assert name in result.stderr
    assert message in result.stderr
