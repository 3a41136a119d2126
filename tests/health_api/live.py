"""Helpers for talking to a real ``trunkql serve``: GraphQL over HTTP and graphql-transport-ws."""

import json
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

PROTOCOL = "graphql-transport-ws"
SUBSCRIBE = """subscription($id: ID) {
  providerHealthChanged(providerId: $id) { providerId oldStatus newStatus error }
}"""


async def graphql(base: str, token: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        reply = await client.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
        )
    body: dict[str, Any] = reply.json()
    return body


async def subscribed(base: str, token: str | None, provider_id: str | None) -> ClientConnection:
    """A WebSocket that has done connection_init (with the token) and subscribed."""
    socket = await connect(
        base.replace("http://", "ws://") + "/graphql",
        subprotocols=[PROTOCOL],  # type: ignore[list-item]
    )
    payload = {"Authorization": f"Bearer {token}"} if token else {}
    await socket.send(json.dumps({"type": "connection_init", "payload": payload}))
    ack = json.loads(await socket.recv())
    assert ack["type"] == "connection_ack", ack
    await socket.send(
        json.dumps(
            {
                "id": "1",
                "type": "subscribe",
                "payload": {"query": SUBSCRIBE, "variables": {"id": provider_id}},
            }
        )
    )
    return socket
