"""The leak guard: in every security test, no secret may appear in a log record, nor in a response
body (a custom header value: in no response to a non-admin)."""

import logging
from collections.abc import Iterator

import httpx
import pytest

from carriers.fake_telnyx import FakeTelnyx
from services.principals import Role
from tests.conftest import TELNYX_KEY, TELNYX_KEY_NO_CONNECTIONS, token_for

# Header values the security tests store: they must reach super admins only.
HEADER_SECRET = "tok_live_8f14e45fceea167a"
API_KEYS = (TELNYX_KEY, TELNYX_KEY_NO_CONNECTIONS)
ADMIN_TOKEN_MARK = "admin"


class Recorder:
    def __init__(self) -> None:
        self.admin_bodies: list[str] = []
        self.other_bodies: list[str] = []

    async def __call__(self, response: httpx.Response) -> None:
        await response.aread()
        authorization = response.request.headers.get("authorization", "")
        is_admin = authorization == f"Bearer {token_for(Role.PROJECT_SUPER_ADMIN, subject='admin')}"
        (self.admin_bodies if is_admin else self.other_bodies).append(response.text)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def http(http: httpx.AsyncClient, recorder: Recorder) -> httpx.AsyncClient:
    http.event_hooks["response"].append(recorder)
    return http


@pytest.fixture(autouse=True)
def leak_guard(
    caplog: pytest.LogCaptureFixture,
    recorder: Recorder,
    fake_telnyx_server: tuple[FakeTelnyx, str],
) -> Iterator[None]:
    with caplog.at_level(logging.DEBUG):
        yield
    fake, _ = fake_telnyx_server
    secrets = [*API_KEYS, *(str(c["password"]) for c in fake.credential_connections.values())]
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    for secret in [*secrets, HEADER_SECRET]:
        assert secret not in logged, "a secret reached the log"
    for body in recorder.admin_bodies + recorder.other_bodies:
        for secret in secrets:
            assert secret not in body, "a secret reached a response"
    for body in recorder.other_bodies:
        assert HEADER_SECRET not in body, "a header value reached a non-admin"
