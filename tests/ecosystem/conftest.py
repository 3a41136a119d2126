"""Fixtures for the ecosystem tests: the JavaScript tools in ``node/`` (installed by ``.ci/run``
with ``npm ci``), and a real ``trunkql serve`` with a fake Telnyx for the client tests."""

import json
import os
import shutil
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.databases import fresh_database
from tests.processes import clean_env, fake_telnyx_command, free_port, run_trunkql, serving

NODE_DIR = Path(__file__).resolve().parent / "node"
TELNYX_KEY = "KEYecosystem0123456789abcdef"
CHROMIUM = Path("/usr/bin/chromium")


def _missing_node_packages() -> list[str]:
    manifest = json.loads((NODE_DIR / "package.json").read_text(encoding="utf-8"))
    return [
        name
        for name in manifest["dependencies"]
        if not (NODE_DIR / "node_modules" / name / "package.json").exists()
    ]


@pytest.fixture(scope="session")
def node_tools() -> Path:
    """The folder of the Node scripts, with their packages installed. Missing tools fail the test
    (a skip would hide a broken CI install)."""
    if shutil.which("node") is None:
        pytest.fail("node is not installed (Node.js 20 or later is needed by tests/ecosystem)")
    if missing := _missing_node_packages():
        pytest.fail(
            f"npm packages missing in {NODE_DIR}: {', '.join(missing)}; "
            "run `npm ci --prefix tests/ecosystem/node` (.ci/run does)"
        )
    return NODE_DIR


def run_node(tools: Path, script: str, payload: object, timeout: float = 120) -> Any:
    """Runs ``node <script>`` with ``payload`` as JSON on standard input; its JSON output."""
    result = subprocess.run(
        ["node", str(tools / script)],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        cwd=tools,
    )
    assert result.returncode == 0, f"node {script} failed:\n{result.stderr}"
    return json.loads(result.stdout)


@dataclass(frozen=True)
class Server:
    """A running ``trunkql serve`` and what a client needs to use it."""

    base: str
    admin_token: str
    viewer_token: str
    log: Path
    fake_telnyx: str  # the fake's /v2 base URL

    @property
    def graphql_url(self) -> str:
        return f"{self.base}/graphql"

    @property
    def websocket_url(self) -> str:
        return self.graphql_url.replace("http://", "ws://", 1)


@asynccontextmanager
async def trunkql_server(folder: Path, **settings: str) -> AsyncIterator[Server]:
    """``trunkql serve`` on a fresh database, its Telnyx the ``trunkql fake-telnyx`` command,
    configured by environment variables as an operator would; tokens from ``trunkql token``."""
    telnyx_port = free_port()
    with fake_telnyx_command(telnyx_port, "--valid-key", TELNYX_KEY) as telnyx:
        async with fresh_database(folder) as url:
            env = clean_env(
                TRUNKQL_DATABASE_URL=url,
                TRUNKQL_TELNYX_BASE_URL=telnyx,
                TRUNKQL_JWT_SECRET="e" * 48,
                TRUNKQL_SECRET_KEY="c" * 48,
                **settings,
            )
            tokens = {
                role: run_trunkql("token", "--role", role, cwd=folder, env=env).stdout.strip()
                for role in ("PROJECT_SUPER_ADMIN", "PROJECT_VIEWER")
            }
            with serving(folder, env) as (base, log):
                yield Server(
                    base=base,
                    admin_token=tokens["PROJECT_SUPER_ADMIN"],
                    viewer_token=tokens["PROJECT_VIEWER"],
                    log=log,
                    fake_telnyx=telnyx,
                )


@pytest.fixture(scope="session")
async def server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Server]:
    """One default (non-federated) server shared by the client and browser tests; each test
    makes its own, distinctly named, data."""
    async with trunkql_server(tmp_path_factory.mktemp("ecosystem-serve")) as running:
        yield running


@pytest.fixture
def chromium() -> Path:
    """Debian's Chromium (``apt-get install chromium``, done by .ci/run). Skipped only where it is
    not installed, outside CI; in CI (CI=true) its absence is a failure."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs it (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is not installed: apt-get install -y chromium chromium-driver")
    return CHROMIUM
