"""A viewer can run no mutation; every mutation attempt, allowed or refused, leaves one audit line
that names who, what and the outcome — and no input value."""

import json
import logging
from collections.abc import Callable
from typing import Any

import pytest

from carriers.fake_telnyx import FakeTelnyx
from tests.conftest import TELNYX_KEY
from tests.factories import PAYLOAD, create_provider, stored_providers
from tests.graphql_client import GraphQLClient
from tests.security.conftest import HEADER_SECRET

ALL_MUTATIONS: dict[str, Callable[[str], dict[str, Any]]] = {
    "createProvider": lambda pid: {"name": "x", "hostname": "x.example.com"},
    "updateProvider": lambda pid: {"id": pid, "name": "hijacked"},
    "updateCodecs": lambda pid: {"id": pid, "codecs": "G729"},
    "deleteProvider": lambda pid: {"id": pid},
    "setupProvider": lambda pid: {"carrier": "TELNYX", "name": "x", "apiKey": TELNYX_KEY},
}


def audit_records(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "trunkql.audit"]


@pytest.mark.parametrize("mutation", ALL_MUTATIONS)
async def test_a_viewer_is_forbidden_every_mutation_and_it_is_audited(
    admin: GraphQLClient,
    viewer: GraphQLClient,
    fake_telnyx: FakeTelnyx,
    caplog: pytest.LogCaptureFixture,
    mutation: str,
) -> None:
    created = await create_provider(admin, techHeaders={"X-Token": HEADER_SECRET})
    before = await stored_providers()
    caplog.clear()

    input_type = mutation[0].upper() + mutation[1:] + "Input"
    response = await viewer.execute(
        f"mutation($input: {input_type}!) "
        f"{{ {mutation}(input: $input) {{ userErrors {{ code }} }} }}",
        {"input": ALL_MUTATIONS[mutation](created["id"])},
    )

    assert response.error_codes == ["FORBIDDEN"]
    assert await stored_providers() == before
    assert fake_telnyx.calls == []
    [record] = audit_records(caplog)
    assert record["event"] == "mutation"
    assert record["operation"] == mutation
    assert record["subject"] == "viewer"
    assert record["roles"] == ["PROJECT_VIEWER"]
    assert record["outcome"] == "forbidden"
    assert record["errorCode"] == "FORBIDDEN"
    assert record["requestId"] == response.headers["x-request-id"]
    assert record["time"]


async def test_audit_lines_for_success_and_rejection_name_the_target(
    admin: GraphQLClient, caplog: pytest.LogCaptureFixture
) -> None:
    created = await create_provider(admin, techHeaders={"X-Token": HEADER_SECRET})
    await admin.mutate("updateCodecs", {"id": created["id"], "codecs": "MP3"}, PAYLOAD)

    created_line, rejected_line = audit_records(caplog)

    assert created_line["operation"] == "createProvider"
    assert created_line["outcome"] == "ok"
    assert created_line["targetId"] == created["id"]
    assert created_line["errorCode"] is None
    assert rejected_line["operation"] == "updateCodecs"
    assert rejected_line["outcome"] == "rejected"
    assert rejected_line["errorCode"] == "INVALID_ARGUMENT"
    assert rejected_line["targetId"] == created["id"]
    assert "MP3" not in json.dumps([created_line, rejected_line])  # no input values


async def test_a_refused_token_is_audited(
    anonymous: GraphQLClient, caplog: pytest.LogCaptureFixture
) -> None:
    response = await anonymous.execute(
        'mutation { deleteProvider(input: {id: "x"}) { userErrors { code } } }'
    )

    [record] = audit_records(caplog)
    assert record["event"] == "authentication"
    assert record["outcome"] == "unauthenticated"
    assert record["requestId"] == response.headers["x-request-id"]


async def test_setup_is_audited_without_the_api_key(
    admin: GraphQLClient, fake_telnyx: FakeTelnyx, caplog: pytest.LogCaptureFixture
) -> None:
    payload = await admin.mutate(
        "setupProvider", {"carrier": "TELNYX", "name": "Audited", "apiKey": TELNYX_KEY}, PAYLOAD
    )

    [record] = audit_records(caplog)
    assert record["operation"] == "setupProvider"
    assert record["outcome"] == "ok"
    assert record["targetId"] == payload["provider"]["id"]
    assert logging.getLogger("trunkql.audit").name == "trunkql.audit"
