"""An unexpected failure reaches the client as a generic message with a request id; the log has
the detail."""

import logging

import pytest
from tortoise import Tortoise

from tests.factories import create_provider
from tests.graphql_client import GraphQLClient


async def test_unexpected_errors_are_masked_with_a_request_id(
    admin: GraphQLClient, caplog: pytest.LogCaptureFixture
) -> None:
    provider = await create_provider(admin)
    # Corrupt the row behind the ORM's back, so reading it fails in a way no resolver expects.
    await Tortoise.get_connection("default").execute_query(
        "UPDATE provider SET health_status = 'exploded' WHERE id = $1"
        if Tortoise.get_connection("default").schema_generator.DIALECT == "postgres"
        else "UPDATE provider SET health_status = 'exploded' WHERE id = ?",
        [provider["id"]],
    )

    with caplog.at_level(logging.ERROR, logger="trunkql.graphql"):
        response = await admin.execute(
            "query($id: ID!) { provider(id: $id) { id } }", {"id": provider["id"]}
        )

    [error] = response.errors
    request_id = response.headers["x-request-id"]
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}
    assert request_id in error["message"]
    text = str(response.body)
    for leak in ("exploded", "Traceback", "health_status", ".py", "ValueError"):
        assert leak not in text
    logged = [r for r in caplog.records if request_id in r.getMessage()]
    assert logged
    assert logged[0].exc_info is not None
    # Strawberry's own line for it is kept: an ERROR with the traceback.
    assert any(r.name == "strawberry.execution" and r.exc_info for r in caplog.records)


@pytest.mark.parametrize(
    "query",
    [
        "{ providers { nope } }",  # validation
        "{ providers {",  # syntax
        '{ provider(id: "not-a-uuid") { id } }',  # refused on purpose (INVALID_ARGUMENT)
    ],
)
async def test_a_clients_mistake_is_not_an_error_in_the_log(
    admin: GraphQLClient, caplog: pytest.LogCaptureFixture, query: str
) -> None:
    with caplog.at_level(logging.DEBUG):
        response = await admin.execute(query)

    assert response.errors
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_a_client_request_id_is_echoed_when_it_is_safe(admin: GraphQLClient) -> None:
    reply = await admin.http.get("/healthz", headers={"X-Request-ID": "gateway-trace-123456"})
    unsafe = await admin.http.get("/healthz", headers={"X-Request-ID": "evil\tvalue with spaces"})
    # "$" in a Python regex matches before a final newline: that must not let a newline through.
    newline = await admin.http.get("/healthz", headers={"X-Request-ID": "trace-1234567\n"})

    assert reply.headers["x-request-id"] == "gateway-trace-123456"
    assert unsafe.headers["x-request-id"] != "evil\tvalue with spaces"
    assert len(unsafe.headers["x-request-id"]) == 32
    assert newline.headers["x-request-id"] != "trace-1234567\n"
