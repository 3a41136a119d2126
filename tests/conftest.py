"""Fixtures: one migrated database and one app per session, a clean table per test, and GraphQL
clients per role that talk to the app over HTTP (httpx's ASGI transport: the full ASGI stack,
middleware and lifespan included, without a socket)."""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from models.provider import Provider
from server.app import create_app
from server.auth import mint_token
from server.migrate import apply_migrations
from server.settings import Settings
from services.principals import Role
from tests.databases import fresh_database
from tests.graphql_client import GraphQLClient

JWT_SECRET = "test-jwt-secret-that-is-long-enough-for-hs256"
SECRET_KEY = "test-secret-key"


@pytest.fixture(scope="session")
async def database_url(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    async with fresh_database(tmp_path_factory.mktemp("db")) as url:
        await apply_migrations(url)
        yield url


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        database_url=database_url,
        jwt_secret=JWT_SECRET,
        secret_key=SECRET_KEY,
        secrets_file=tmp_path_factory.mktemp("secrets") / "secrets.json",
    )


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[Starlette]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def http(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    await Provider.all().delete()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://trunkql.test") as client:
        yield client


def token_for(*roles: Role, subject: str = "tester", ttl: int = 600) -> str:
    return mint_token(JWT_SECRET, subject, roles, ttl)


@pytest.fixture
def admin(http: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(http, token_for(Role.PROJECT_SUPER_ADMIN, subject="admin"))


@pytest.fixture
def viewer(http: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(http, token_for(Role.PROJECT_VIEWER, subject="viewer"))


@pytest.fixture
def anonymous(http: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(http, None)


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent
