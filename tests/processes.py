"""Running the real ``trunkql`` command in child processes, as an operator would."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx

TRUNKQL = str(Path(sys.executable).with_name("trunkql"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def clean_env(**settings: str) -> dict[str, str]:
    """The caller's environment without any TRUNKQL_ setting, plus ``settings``.

    The health monitor is off unless a test turns it on: test providers name real carrier hosts,
    and tests send traffic to loopback only.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUNKQL_")}
    env["TRUNKQL_HEALTH_CHECK_ENABLED"] = "false"
    env.update(settings)
    return env


def run_trunkql(
    *args: str, cwd: Path, env: Mapping[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [TRUNKQL, *args],
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@contextmanager
def serving(cwd: Path, env: Mapping[str, str], *args: str) -> Iterator[tuple[str, Path]]:
    """``trunkql serve`` on a free loopback port; yields its base URL and its log file."""
    with server_process(cwd, env, *args) as (_, base, log_path):
        yield base, log_path


@contextmanager
def server_process(
    cwd: Path, env: Mapping[str, str], *args: str
) -> Iterator[tuple[subprocess.Popen[bytes], str, Path]]:
    """``trunkql serve`` on a free loopback port, ready; yields the process, base URL and log."""
    port = free_port()
    log_path = cwd / f"serve-{port}.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [TRUNKQL, "serve", "--port", str(port), *args],
            cwd=cwd,
            env=dict(env),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise AssertionError(f"trunkql serve exited early:\n{log_path.read_text()}")
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"trunkql serve did not start:\n{log_path.read_text()}")
            time.sleep(0.1)
        yield process, base, log_path
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def fake_telnyx_command(port: int, *args: str) -> Iterator[str]:
    """``trunkql fake-telnyx`` on ``port``; yields its /v2 base URL once it listens."""
    process = subprocess.Popen(
        [TRUNKQL, "fake-telnyx", "--port", str(port), *args],
        env=clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        assert "fake Telnyx listening on" in banner, banner
        yield f"http://127.0.0.1:{port}/v2"
    finally:
        process.terminate()
        process.wait(timeout=10)
