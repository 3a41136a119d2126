"""Schema fuzzing: schemathesis generates operations for every query and mutation of the committed
schema (``schema.graphql``, which ``tests/server`` keeps equal to the code), both valid ones
(positive: arguments of the right types, any values) and invalid ones (negative: wrong types,
missing required arguments), and sends each to a real ``trunkql serve`` with an admin token.

Every answer must be a well-formed GraphQL-over-HTTP response and none may be an internal error
(see ``tests.fuzz.graphql_http``), except for bugs already known and pinned by a strict xfail
(``tests.fuzz.known_bugs``).

Budget: ``EXAMPLES`` cases per operation and mode (14 operations x 2 modes).
"""

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import given, reject
from hypothesis import strategies as st
from schemathesis.core.result import Ok
from schemathesis.generation import GenerationMode
from schemathesis.graphql import nodes
from schemathesis.schemas import APIOperation

from tests.fuzz.conftest import KNOWN_ID, LiveServer
from tests.fuzz.graphql_http import judge
from tests.fuzz.known_bugs import known_bug
from tests.fuzz.literals import JSON_LITERAL_VALUES, value_node
from tests.fuzz.probes import may_probe_off_machine
from tests.properties import budget

EXAMPLES = 40
SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"

# JSON literals with GraphQL names as keys; ids of real records, random UUIDs and junk.
schemathesis.graphql.scalar("JSON", JSON_LITERAL_VALUES.map(value_node))
schemathesis.graphql.scalar(
    "ID", st.one_of(KNOWN_ID, st.uuids().map(str), st.text(max_size=40)).map(nodes.String)
)

Operation = APIOperation[Any, Any, Any, Any]


def _operations() -> list[Operation]:
    operations = []
    for result in schemathesis.graphql.from_path(SCHEMA_FILE).get_all_operations():
        assert isinstance(result, Ok), result.err()
        operations.append(result.ok())
    return operations


OPERATIONS = _operations()


def test_every_query_and_mutation_is_fuzzed() -> None:
    """The schema really was loaded: all the DESIGN.md operations are in the fuzzed set."""
    labels = {operation.label for operation in OPERATIONS}
    assert {
        "Query.provider",
        "Query.providers",
        "Query.route",
        "Query.routes",
        "Query.dialPlan",
        "Mutation.createProvider",
        "Mutation.updateProvider",
        "Mutation.updateCodecs",
        "Mutation.deleteProvider",
        "Mutation.setupProvider",
        "Mutation.createRoute",
        "Mutation.updateRoute",
        "Mutation.deleteRoute",
        "Mutation.checkProviderHealth",
    } <= labels


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.label)
def test_no_operation_gets_an_internal_error_or_a_malformed_answer(
    live_server: LiveServer,
    live_http: httpx.Client,
    operation: Operation,
    mode: GenerationMode,
) -> None:
    @budget.fuzz(EXAMPLES)
    @given(case=operation.as_strategy(generation_mode=mode))
    def fuzz(case: Any) -> None:
        request = case.as_transport_kwargs(base_url=live_server.graphql_url)
        payload: dict[str, Any] = request["json"]
        if may_probe_off_machine(live_http, live_server.admin_headers, payload["query"]):
            reject()
        response = live_http.request(
            request["method"],
            request["url"],
            json=payload,
            headers={**request["headers"], **live_server.admin_headers},
        )
        verdict = judge(response, well_formed_request=True)
        if verdict.internal_errors and known_bug(
            verdict.internal_errors, live_server.log.read_text()
        ):
            return
        assert verdict.ok, (
            f"{operation.label} ({mode}): {verdict.problems or verdict.internal_errors}\n"
            f"request: {json.dumps(payload)[:2000]}\nserver log tail:\n"
            f"{live_server.log.read_text()[-2000:]}"
        )

    fuzz()
