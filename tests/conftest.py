"""Fixtures: one migrated database and one app per session, a clean table per test, and GraphQL
clients per role that talk to the app over HTTP (httpx's ASGI transport: the full ASGI stack,
middleware and lifespan included, without a socket)."""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from carriers.fake_telnyx import FakeTelnyx, start_fake_telnyx
from models.provider import Provider
from models.route import Route
from models.setup import SetupJournal
from server.app import create_app
from server.auth import mint_token
from server.migrate import apply_migrations
from server.settings import Settings
from services.health.settings import HealthSettings
from services.principals import Role
from tests.databases import fresh_database
from tests.graphql_client import GraphQLClient

JWT_SECRET = "test-jwt-secret-that-is-long-enough-for-hs256"
SECRET_KEY = "test-secret-key"
# Distinctive, so a test can search logs, responses and the database for any trace of them.
TELNYX_KEY = "KEY0123456789ABCDEF_valid_telnyx_key_zq"
TELNYX_KEY_NO_CONNECTIONS = "KEY0123456789ABCDEF_no_connections_key_zq"


@pytest.fixture(scope="session")
async def database_url(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    async with fresh_database(tmp_path_factory.mktemp("db")) as url:
        await apply_migrations(url)
        yield url


@pytest.fixture(scope="session")
async def fake_telnyx_server() -> AsyncIterator[tuple[FakeTelnyx, str]]:
    """A fake Telnyx on a loopback port for the whole session; tests reset it (``fake_telnyx``)."""
    fake = FakeTelnyx(
        valid_keys={TELNYX_KEY},
        forbidden_keys={TELNYX_KEY_NO_CONNECTIONS: {"credential_connections"}},
    )
    runner, base_url = await start_fake_telnyx(fake)
    try:
        yield fake, base_url
    finally:
        await runner.cleanup()


@pytest.fixture
def fake_telnyx(fake_telnyx_server: tuple[FakeTelnyx, str]) -> FakeTelnyx:
    fake, _ = fake_telnyx_server
    fake.reset()
    return fake


@pytest.fixture(scope="session")
def settings(
    database_url: str,
    tmp_path_factory: pytest.TempPathFactory,
    fake_telnyx_server: tuple[FakeTelnyx, str],
) -> Settings:
    return Settings(
        database_url=database_url,
        jwt_secret=JWT_SECRET,
        secret_key=SECRET_KEY,
        secrets_file=tmp_path_factory.mktemp("secrets") / "secrets.json",
        telnyx_base_url=fake_telnyx_server[1],
        # Short, so timeout cases stay quick; loopback answers in well under a millisecond.
        carrier_request_timeout=0.5,
        carrier_max_attempts=3,
        carrier_backoff_base=0.01,
        carrier_backoff_max=0.05,
        setup_deadline=10.0,
        # No background probes: test providers name real carrier hosts (loopback traffic only).
        health=HealthSettings(enabled=False),
    )


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[Starlette]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


async def clear_tables() -> None:
    """Every trunkql table emptied, in an order the foreign keys allow."""
    await Route.all().delete()  # first: routes restrict deleting their providers
    await Provider.all().delete()  # credentials go with them (ON DELETE CASCADE)
    await SetupJournal.all().delete()


@pytest.fixture
async def http(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    await clear_tables()
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
