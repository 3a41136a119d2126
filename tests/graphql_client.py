"""A GraphQL client over HTTP for tests: posts operations the way any client does."""

from dataclasses import dataclass
from typing import Any

import httpx


@dataclass
class Response:
    status: int
    body: dict[str, Any]
    headers: httpx.Headers

    @property
    def data(self) -> dict[str, Any]:
        assert self.body.get("errors") is None, self.body.get("errors")
        data: dict[str, Any] = self.body["data"]
        return data

    @property
    def errors(self) -> list[dict[str, Any]]:
        errors: list[dict[str, Any]] = self.body.get("errors") or []
        assert errors, f"expected GraphQL errors, got {self.body}"
        return errors

    @property
    def error_codes(self) -> list[str | None]:
        return [e.get("extensions", {}).get("code") for e in self.errors]


class GraphQLClient:
    def __init__(self, http: httpx.AsyncClient, token: str | None) -> None:
        self.http = http
        self.token = token

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    async def execute(self, query: str, variables: dict[str, Any] | None = None) -> Response:
        payload: dict[str, Any] = {"query": query}
        if variables is not None:
            payload["variables"] = variables
        reply = await self.http.post("/graphql", json=payload, headers=self._headers())
        return Response(reply.status_code, reply.json(), reply.headers)

    async def mutate(self, mutation: str, input: dict[str, Any], selection: str) -> dict[str, Any]:
        """Runs ``mutation(input: $input) { selection }`` and returns its payload."""
        query = (
            f"mutation($input: {_input_type(mutation)}!) "
            f"{{ {mutation}(input: $input) {{ {selection} }} }}"
        )
        response = await self.execute(query, {"input": input})
        payload: dict[str, Any] = response.data[mutation]
        return payload


def _input_type(mutation: str) -> str:
    return mutation[0].upper() + mutation[1:] + "Input"
