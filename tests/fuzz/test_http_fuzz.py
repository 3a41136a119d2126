"""HTTP-level fuzzing of the live server, beyond what schemathesis generates:

- *variables*: one document per operation, run with variables drawn from the near-miss strategies
  of ``tests.properties.strategies`` (valid values, values at the edge of each rule, wrong JSON
  types, header names with '-', NULs). Schemathesis writes arguments as literals with random
  values, which rarely get past the first rule; these reach the deeper code (real ids, page
  sizes in range, valid cursors, phone numbers, carrier keys).
- *envelope*: the request around the document: bodies that are not JSON, not UTF-8, batches,
  wrong types for ``query`` / ``variables`` / ``operationName`` / ``extensions``, content types,
  methods, missing or broken tokens.

Every answer is judged by ``tests.fuzz.graphql_http.judge``.
"""

import json
from typing import Any

import httpx
from hypothesis import given, reject
from hypothesis import strategies as st

from tests.fuzz.conftest import KNOWN_ID, TELNYX_KEY, LiveServer
from tests.fuzz.graphql_http import judge
from tests.fuzz.known_bugs import known_bug
from tests.fuzz.probes import PROBING_FIELDS, may_probe_off_machine
from tests.properties import budget
from tests.properties.strategies import (
    affix_like,
    codecs_like,
    header_like,
    hostname_like,
    json_values,
    near_miss_text,
    typed_numbers,
)

VARIABLES_EXAMPLES = 300
ENVELOPE_EXAMPLES = 200

PROVIDER = "provider { id name hostname techPrefix techPostfix techHeaders codecs metadata }"
ROUTE = "route { id customerId providerId priority weight target tmDelete }"
ERRORS = "userErrors { field code message }"
CONNECTION = "totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor }"

DOCUMENTS: dict[str, str] = {
    "provider": "query($id: ID!, $number: String!) { provider(id: $id) "
    "{ id name tmDelete formatNumber(number: $number) } }",
    "providers": "query($first: Int!, $after: String, $filter: ProviderFilter) "
    f"{{ providers(first: $first, after: $after, filter: $filter) {{ {CONNECTION} }} }}",
    "route": "query($id: ID!) { route(id: $id) { id name provider { id name } } }",
    "routes": "query($first: Int!, $after: String, $filter: RouteFilter) "
    f"{{ routes(first: $first, after: $after, filter: $filter) {{ {CONNECTION} }} }}",
    "dialPlan": "query($destination: String!, $customerId: ID!, $seed: Int) "
    "{ dialPlan(destination: $destination, customerId: $customerId, seed: $seed) "
    "{ number attempts { position dialedNumber sipUri headers codecs demoted } } }",
    **{
        mutation: f"mutation($input: {mutation[0].upper() + mutation[1:]}Input!) "
        f"{{ {mutation}(input: $input) {{ {record} {ERRORS} }} }}"
        for mutation, record in [
            ("createProvider", PROVIDER),
            ("updateProvider", PROVIDER),
            ("updateCodecs", PROVIDER),
            ("deleteProvider", PROVIDER),
            ("setupProvider", PROVIDER),
            ("createRoute", ROUTE),
            ("updateRoute", ROUTE),
            ("deleteRoute", ROUTE),
            ("checkProviderHealth", PROVIDER),
        ]
    },
}

TEXT = st.one_of(st.text(max_size=30), near_miss_text("abcXYZ019 -_", max_size=30))
INTS = st.one_of(
    st.integers(-3, 120),
    st.integers(65530, 65540),
    st.integers(-(2**31), 2**31 - 1),
    st.sampled_from([2**31, -(2**31) - 1]),  # past GraphQL's Int
)
# Wrong JSON types, for any variable.
JUNK: st.SearchStrategy[Any] = st.one_of(
    st.none(), st.booleans(), st.floats(), st.lists(st.integers(), max_size=2), st.just({})
)


# Mostly usable values (so the operation runs), the rest junk.
IDS = st.one_of(KNOWN_ID, KNOWN_ID, KNOWN_ID, st.uuids().map(str), TEXT)
FIRST = st.one_of(st.integers(0, 100), st.integers(0, 100), INTS)
CURSORS = st.one_of(st.none(), st.none(), TEXT, st.sampled_from(["", "azE", "WyJrMSIsIDFd"]))
TYPED_NUMBERS = typed_numbers().map(lambda typed: typed[0])
NUMBERS = st.one_of(TYPED_NUMBERS, TYPED_NUMBERS, TEXT)
PROVIDER_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "name": TEXT,
    "detail": st.text(max_size=40),
    "type": st.sampled_from(["SIP", "sip", "H323"]),
    "hostname": hostname_like(),
    "techPrefix": affix_like(),
    "techPostfix": affix_like(),
    "techHeaders": header_like(),
    "codecs": codecs_like(),
    "metadata": json_values(),
}
ROUTE_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "customerId": IDS,
    "name": TEXT,
    "detail": st.text(max_size=40),
    "providerId": IDS,
    "priority": INTS,
    "weight": INTS,
    "target": near_miss_text("+0123456789allALL", max_size=18),
}


def inputs(
    fields: dict[str, st.SearchStrategy[Any]], *, required: tuple[str, ...] = ()
) -> st.SearchStrategy[Any]:
    return st.fixed_dictionaries(
        {name: fields[name] for name in required},
        optional={name: value for name, value in fields.items() if name not in required},
    )


@st.composite
def corrupted(draw: st.DrawFn, variables: dict[str, Any]) -> dict[str, Any]:
    """Now and then, one variable or input field dropped or given a value of the wrong type."""
    if draw(st.sampled_from(range(6))) != 0:
        return variables
    target = variables
    if isinstance(variables.get("input"), dict) and variables["input"] and draw(st.booleans()):
        target = variables["input"]
    if not target:
        return variables
    name = draw(st.sampled_from(sorted(target)))
    if draw(st.booleans()):
        del target[name]
    else:
        target[name] = draw(JUNK)
    return variables


VARIABLES: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "provider": st.fixed_dictionaries({"id": IDS, "number": NUMBERS}),
    "providers": st.fixed_dictionaries(
        {"first": FIRST, "after": CURSORS},
        optional={
            "filter": st.fixed_dictionaries(
                {},
                optional={
                    "nameContains": TEXT,
                    "hostname": hostname_like(),
                    "healthStatus": st.sampled_from(["UNKNOWN", "HEALTHY", "unknown"]),
                    "includeDeleted": st.booleans(),
                },
            )
        },
    ),
    "route": st.fixed_dictionaries({"id": IDS}),
    "routes": st.fixed_dictionaries(
        {"first": FIRST, "after": CURSORS},
        optional={
            "filter": st.fixed_dictionaries(
                {},
                optional={
                    "customerId": IDS,
                    "providerId": IDS,
                    "target": near_miss_text("+0123456789all", max_size=18),
                    "includeDeleted": st.booleans(),
                },
            )
        },
    ),
    "dialPlan": st.fixed_dictionaries(
        {
            "destination": NUMBERS,
            "customerId": IDS,
        },
        optional={"seed": INTS},
    ),
    "createProvider": st.fixed_dictionaries(
        {"input": inputs(PROVIDER_FIELDS, required=("name", "hostname"))}
    ),
    "updateProvider": st.fixed_dictionaries(
        {"input": inputs({"id": IDS, **PROVIDER_FIELDS}, required=("id",))}
    ),
    "updateCodecs": st.fixed_dictionaries(
        {"input": st.fixed_dictionaries({"id": IDS, "codecs": codecs_like()})}
    ),
    "deleteProvider": st.fixed_dictionaries({"input": st.fixed_dictionaries({"id": IDS})}),
    "setupProvider": st.fixed_dictionaries(
        {
            "input": st.fixed_dictionaries(
                {
                    "carrier": st.sampled_from(["TELNYX", "TWILIO", "BANDWIDTH", "telnyx"]),
                    "name": TEXT,
                    "apiKey": st.one_of(st.just(TELNYX_KEY), TEXT),
                },
                optional={
                    "detail": st.text(max_size=20),
                    "idempotencyKey": st.one_of(
                        st.from_regex(r"[A-Za-z0-9._:-]{1,8}", fullmatch=True), TEXT
                    ),
                },
            )
        }
    ),
    "createRoute": st.fixed_dictionaries(
        {
            "input": inputs(
                ROUTE_FIELDS, required=("customerId", "name", "providerId", "priority", "target")
            )
        }
    ),
    "updateRoute": st.fixed_dictionaries(
        {"input": inputs({"id": IDS, **ROUTE_FIELDS}, required=("id",))}
    ),
    "deleteRoute": st.fixed_dictionaries({"input": st.fixed_dictionaries({"id": IDS})}),
    "checkProviderHealth": st.fixed_dictionaries({"input": st.fixed_dictionaries({"id": IDS})}),
}


def _post_and_judge(
    server: LiveServer, client: httpx.Client, payload: dict[str, Any], headers: dict[str, str]
) -> None:
    if may_probe_off_machine(client, headers, payload["query"], payload.get("variables")):
        reject()
    body = json.dumps(payload).encode()
    response = client.post(
        "/graphql", content=body, headers={"Content-Type": "application/json", **headers}
    )
    verdict = judge(response, well_formed_request=True)
    if verdict.internal_errors and known_bug(verdict.internal_errors, server.log.read_text()):
        return
    assert verdict.ok, (
        f"{verdict.problems or verdict.internal_errors}\nrequest: {body[:2000]!r}\n"
        f"server log tail:\n{server.log.read_text()[-2000:]}"
    )


def test_every_operation_with_edge_case_variables(
    live_server: LiveServer, live_http: httpx.Client
) -> None:
    @budget.fuzz(VARIABLES_EXAMPLES)
    @given(
        st.sampled_from(sorted(DOCUMENTS)).flatmap(
            lambda operation: st.tuples(st.just(operation), VARIABLES[operation].flatmap(corrupted))
        )
    )
    def fuzz(sample: tuple[str, dict[str, Any]]) -> None:
        operation, variables = sample
        _post_and_judge(
            live_server,
            live_http,
            {"query": DOCUMENTS[operation], "variables": variables},
            live_server.admin_headers,
        )

    fuzz()


# --- the envelope -----------------------------------------------------------------------------

QUERIES: st.SearchStrategy[Any] = st.one_of(
    # Not the probing one: an envelope's variables are junk, and it is not worth a look-up.
    st.sampled_from(sorted(doc for name, doc in DOCUMENTS.items() if name not in PROBING_FIELDS)),
    st.sampled_from(["{ __typename }", "{ providers { totalCount } }", "{", "  ", "query { x }"]),
    st.text(max_size=40),
    JUNK,
)
ENVELOPES: st.SearchStrategy[Any] = st.fixed_dictionaries(
    {},
    optional={
        "query": QUERIES,
        "variables": st.one_of(json_values(max_leaves=6), st.text(max_size=5)),
        "operationName": st.one_of(st.none(), st.text(max_size=6), st.integers(), st.just([])),
        "extensions": st.one_of(json_values(max_leaves=4), st.text(max_size=5)),
        "junk": json_values(max_leaves=3),
    },
)
BODIES: st.SearchStrategy[bytes] = st.one_of(
    ENVELOPES.map(lambda envelope: json.dumps(envelope).encode()),
    st.lists(ENVELOPES, max_size=2).map(lambda batch: json.dumps(batch).encode()),
    ENVELOPES.map(lambda envelope: json.dumps(envelope).encode("utf-16")),
    ENVELOPES.map(lambda envelope: json.dumps(envelope).encode()[:-1]),  # cut short
    st.binary(max_size=60),
    st.text(max_size=60).map(str.encode),
)
CONTENT_TYPES = st.sampled_from(
    [
        "application/json",
        "application/json; charset=utf-8",
        "application/graphql-response+json",
        "application/graphql",
        "text/plain",
        "multipart/form-data; boundary=x",
        "application/x-www-form-urlencoded",
        "",
    ]
)
ACCEPTS = st.sampled_from(
    ["", "*/*", "application/json", "application/graphql-response+json", "text/plain"]
)


def _well_formed(method: str, content_type: str, body: bytes) -> bool:
    """A request every GraphQL server must answer with a GraphQL response: a POSTed JSON object
    with a non-empty string query and nothing of the wrong type. (A document without any
    operation and an unknown operationName are left out: see tests/fuzz/test_regressions.py.)"""
    if method != "POST" or content_type.split(";")[0] != "application/json":
        return False
    try:
        envelope = json.loads(body.decode("utf-8"))  # GraphQL over HTTP is UTF-8 (no BOM)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return False
    return (
        isinstance(envelope, dict)
        and set(envelope) <= {"query", "variables", "extensions"}
        and isinstance(envelope.get("query"), str)
        and envelope["query"] != ""
        and isinstance(envelope.get("variables"), (dict, type(None)))
        and isinstance(envelope.get("extensions"), (dict, type(None)))
    )


def test_any_request_envelope_gets_a_well_formed_answer(
    live_server: LiveServer, live_http: httpx.Client
) -> None:
    @budget.fuzz(ENVELOPE_EXAMPLES)
    @given(
        method=st.sampled_from(["POST", "POST", "POST", "GET"]),
        body=BODIES,
        content_type=CONTENT_TYPES,
        accept=ACCEPTS,
        token=st.sampled_from(["admin", "admin", "admin", "none", "junk"]),
        params=st.dictionaries(
            st.sampled_from(["query", "variables", "operationName", "extensions"]),
            st.one_of(QUERIES.filter(lambda q: isinstance(q, str)), st.text(max_size=10)),
            max_size=3,
        ),
    )
    def fuzz(
        method: str,
        body: bytes,
        content_type: str,
        accept: str,
        token: str,
        params: dict[str, str],
    ) -> None:
        headers = {"Content-Type": content_type, "Accept": accept}
        if token == "admin":
            headers.update(live_server.admin_headers)
        elif token == "junk":
            headers["Authorization"] = "Bearer " + live_server.token[:-4] + "AAAA"
        headers = {k: v for k, v in headers.items() if v}
        if method == "GET":
            response = live_http.get("/graphql", params=params, headers=headers)
            if "query" not in params and response.headers.get("content-type", "").startswith(
                "text/html"
            ):
                assert response.status_code == 200
                assert "graphiql" in response.text.lower()
                return  # GraphiQL, for a browser (it takes no token and holds no data)
            well_formed = False
        else:
            response = live_http.post("/graphql", content=body, headers=headers)
            well_formed = _well_formed(method, content_type, body)
        verdict = judge(response, well_formed_request=well_formed)
        assert verdict.ok, (
            f"{verdict.problems or verdict.internal_errors}\n"
            f"{method} {content_type!r} params={params!r} body={body[:500]!r}\n"
            f"server log tail:\n{live_server.log.read_text()[-2000:]}"
        )

    fuzz()
