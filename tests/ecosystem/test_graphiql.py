"""GraphiQL in a real browser: headless Chromium opens ``trunkql serve``'s /graphql page, the token
goes into GraphiQL's Headers editor, a query runs with the Execute button, and the result is on
the page and in a screenshot.

The page's JavaScript and CSS come from unpkg.com, out of reach here: ``node/graphiql.mjs`` answers
those requests from npm packages pinned to the exact versions (and integrity hashes) the page
asks for. Nothing else may leave the machine.
"""

import json
import struct
import uuid
import zlib
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.ecosystem.conftest import Server, run_node

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_summary(data: bytes) -> tuple[int, int, int]:
    """(width, height, distinct byte values in the pixel data) of a PNG; fails on anything else."""
    assert data.startswith(PNG_SIGNATURE), "not a PNG"
    offset, width, height, pixels = len(PNG_SIGNATURE), 0, 0, b""
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            pixels += body
        offset += 12 + length
    return width, height, len(set(zlib.decompress(pixels)))


async def test_graphiql_runs_a_query_in_chromium(
    server: Server, node_tools: Path, chromium: Path, tmp_path: Path
) -> None:
    name = f"GraphiQL Carrier {uuid.uuid4().hex[:8]}"
    async with httpx.AsyncClient(timeout=30) as client:
        created = await client.post(
            server.graphql_url,
            json={
                "query": "mutation($i: CreateProviderInput!) { createProvider(input: $i) { "
                "provider { id } userErrors { code } } }",
                "variables": {"i": {"name": name, "hostname": "sip.example.com"}},
            },
            headers={"Authorization": f"Bearer {server.admin_token}"},
        )
        page = await client.get(server.graphql_url, headers={"Accept": "text/html"})
    assert created.json()["data"]["createProvider"]["userErrors"] == []
    assert "graphiql" in page.text.lower()  # GraphiQL's page needs no token
    screenshot = tmp_path / "graphiql.png"
    query = (
        f'{{ providers(filter: {{nameContains: "{name}"}}) '
        "{ totalCount edges { node { name hostname } } } }"
    )

    report: dict[str, Any] = run_node(
        node_tools,
        "graphiql.mjs",
        {
            "url": server.graphql_url,
            "token": server.viewer_token,
            "query": query,
            "expect": name,
            "screenshot": str(screenshot),
            "userDataDir": str(tmp_path / "chromium-profile"),
            "executablePath": str(chromium),
        },
    )

    assert report["error"] is None, f"{report['error']}; where the page got to: {screenshot}"
    assert report["mismatched"] == [], (
        "Strawberry's GraphiQL page asks for other asset versions: pin them in "
        "tests/ecosystem/node/package.json"
    )
    assert report["blocked"] == [], "the page requested something that is not served locally"
    assert any("graphiql.min.js" in url for url in report["served"])
    assert report["pageErrors"] == []
    assert "Authorization" in report["headersText"]
    assert report["graphqlStatuses"], "GraphiQL sent no request"
    assert set(report["graphqlStatuses"]) == {200}  # the token from the Headers editor was used
    # The result pane shows the query's answer (CodeMirror may wrap lines; the JSON survives).
    shown = json.loads(report["resultText"].replace("\u00a0", " "))
    assert shown == {
        "data": {
            "providers": {
                "totalCount": 1,
                "edges": [{"node": {"name": name, "hostname": "sip.example.com"}}],
            }
        }
    }
    width, height, distinct = png_summary(screenshot.read_bytes())
    assert (width, height) >= (1400, 900)
    assert distinct > 16, "the screenshot is (nearly) blank"
