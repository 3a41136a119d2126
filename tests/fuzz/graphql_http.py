"""What every answer of ``/graphql`` must look like, whatever was sent (GraphQL over HTTP).

- Never a server error: no 5xx, and no GraphQL error with ``extensions.code``
  ``INTERNAL_SERVER_ERROR`` (trunkql's mask for unexpected exceptions).
- A JSON answer is a GraphQL response: an object with ``data`` and/or ``errors`` (and at most
  ``extensions``); ``data`` an object or null; ``errors`` a non-empty list of objects, each with a
  string ``message`` (and, if present, well-formed ``locations``, ``path`` and ``extensions``);
  no ``data`` or a null one comes with errors.
- A request that is well formed (a JSON object with a string ``query``, as every schemathesis case
  is) gets a JSON answer. A malformed request may be refused with a 4xx and a plain body: the
  GraphQL-over-HTTP spec allows that for requests it cannot read as GraphQL requests.
"""

import json
from dataclasses import dataclass
from typing import Any

import httpx

INTERNAL_ERROR_CODE = "INTERNAL_SERVER_ERROR"
JSON_TYPES = ("application/json", "application/graphql-response+json")


@dataclass(frozen=True)
class Verdict:
    problems: list[str]
    internal_errors: list[dict[str, Any]]  # the GraphQL errors masked as internal, if any

    @property
    def ok(self) -> bool:
        return not self.problems and not self.internal_errors


def _media_type(response: httpx.Response) -> str:
    content_type = str(response.headers.get("content-type", ""))
    return content_type.split(";")[0].strip().lower()


def _error_problems(index: int, error: object) -> list[str]:
    where = f"errors[{index}]"
    if not isinstance(error, dict):
        return [f"{where} is not an object: {error!r}"]
    problems = []
    if not isinstance(error.get("message"), str):
        problems.append(f"{where} has no string message: {error!r}")
    locations = error.get("locations")
    if locations is not None and not (
        isinstance(locations, list)
        and all(
            isinstance(loc, dict)
            and {"line", "column"} <= set(loc)
            and all(type(loc[k]) is int and loc[k] >= 1 for k in ("line", "column"))
            for loc in locations
        )
    ):
        problems.append(f"{where}.locations is malformed: {locations!r}")
    path = error.get("path")
    if path is not None and not (
        isinstance(path, list) and all(isinstance(p, (str, int)) for p in path)
    ):
        problems.append(f"{where}.path is malformed: {path!r}")
    extensions = error.get("extensions")
    if extensions is not None and not isinstance(extensions, dict):
        problems.append(f"{where}.extensions is not an object: {extensions!r}")
    return problems


def judge(response: httpx.Response, *, well_formed_request: bool) -> Verdict:
    """The problems with ``response`` as a GraphQL-over-HTTP answer (empty when it is fine)."""
    status = response.status_code
    if status >= 500:
        return Verdict([f"HTTP {status}: {response.text[:300]!r}"], [])
    if _media_type(response) not in JSON_TYPES:
        if well_formed_request or status < 400:
            return Verdict(
                [f"HTTP {status} answered with {_media_type(response)!r}: {response.text[:200]!r}"],
                [],
            )
        return Verdict([], [])  # a malformed request refused in plain text: allowed
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return Verdict([f"HTTP {status}: a JSON content type but no JSON: {exc}"], [])
    if not isinstance(body, dict):
        return Verdict([f"HTTP {status}: the body is not an object: {body!r}"], [])
    problems: list[str] = []
    unknown = set(body) - {"data", "errors", "extensions"}
    if unknown:
        problems.append(f"unexpected top-level keys {sorted(unknown)}")
    if "data" not in body and "errors" not in body:
        problems.append(f"neither data nor errors: {body!r}")
    data = body.get("data")
    if data is not None and not isinstance(data, dict):
        problems.append(f"data is neither an object nor null: {data!r}")
    errors = body.get("errors")
    internal: list[dict[str, Any]] = []
    if "errors" in body:
        if not isinstance(errors, list) or not errors:
            problems.append(f"errors is not a non-empty list: {errors!r}")
        else:
            for index, error in enumerate(errors):
                problems += _error_problems(index, error)
                if isinstance(error, dict):
                    extensions = error.get("extensions")
                    if (
                        isinstance(extensions, dict)
                        and extensions.get("code") == INTERNAL_ERROR_CODE
                    ):
                        internal.append(error)
    elif data is None:
        problems.append("data is null but there are no errors")
    return Verdict(problems, internal)
