"""The fuzzers' judge of answers (``tests.fuzz.graphql_http.judge``) is right: it passes what
GraphQL over HTTP allows and catches each way of breaking it."""

from typing import Any

import httpx
import pytest

from tests.fuzz.graphql_http import judge


def _json(status: int, body: Any, media_type: str = "application/json") -> httpx.Response:
    return httpx.Response(status, json=body, headers={"content-type": media_type})


GOOD = [
    _json(200, {"data": {"providers": {"totalCount": 0}}}),
    _json(
        200,
        {
            "data": None,
            "errors": [{"message": "Syntax Error", "locations": [{"line": 1, "column": 2}]}],
        },
    ),
    _json(
        200,
        {
            "data": {"x": None},
            "errors": [{"message": "m", "path": ["x", 0], "extensions": {"code": "NOT_FOUND"}}],
        },
    ),
    _json(401, {"errors": [{"message": "no token", "extensions": {"code": "UNAUTHENTICATED"}}]}),
    _json(200, {"data": {}}, "application/graphql-response+json"),
]
BAD = [
    httpx.Response(500, text="Internal Server Error"),
    httpx.Response(502, json={"data": None, "errors": [{"message": "m"}]}),
    httpx.Response(200, text="ok", headers={"content-type": "text/plain"}),
    httpx.Response(200, content=b"{not json", headers={"content-type": "application/json"}),
    _json(200, ["not", "an", "object"]),
    _json(200, {}),
    _json(200, {"data": None}),
    _json(200, {"data": 5}),
    _json(200, {"errors": []}),
    _json(200, {"errors": "boom"}),
    _json(200, {"errors": [{"msg": "no message"}]}),
    _json(200, {"errors": [{"message": "m", "locations": [{"line": 0, "column": 1}]}]}),
    _json(200, {"errors": [{"message": "m", "path": [1.5]}]}),
    _json(200, {"errors": [{"message": "m", "extensions": []}]}),
    _json(200, {"data": {}, "unexpected": 1}),
    _json(
        200,
        {
            "data": None,
            "errors": [{"message": "internal", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}],
        },
    ),
]


@pytest.mark.parametrize("response", GOOD)
def test_well_formed_answers_pass(response: httpx.Response) -> None:
    verdict = judge(response, well_formed_request=True)
    assert verdict.ok, verdict


@pytest.mark.parametrize("response", BAD)
def test_each_way_of_breaking_the_format_is_caught(response: httpx.Response) -> None:
    assert not judge(response, well_formed_request=True).ok


def test_a_plain_text_refusal_is_allowed_only_for_a_malformed_request() -> None:
    refusal = httpx.Response(400, text="Unable to parse request body as JSON")
    assert judge(refusal, well_formed_request=False).ok
    assert not judge(refusal, well_formed_request=True).ok
    assert not judge(httpx.Response(500, text="x"), well_formed_request=False).ok
