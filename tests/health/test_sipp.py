"""Integration with a real SIP implementation: SIPp (Debian's ``sip-tester``) as the server."""

import asyncio
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.health.sip_options import ProbeResult, SipOptionsProber
from tests.health.conftest import TIMEOUT, closed_udp_port

SIPP = shutil.which("sipp")
pytestmark = pytest.mark.skipif(
    SIPP is None, reason="sipp is not installed (apt-get install sip-tester; .ci/run does it)"
)
UNAVAILABLE_SCENARIO = Path(__file__).with_name("sipp_options_unavailable.xml")


def start_sipp(folder: Path, *scenario: str) -> tuple[subprocess.Popen[bytes], int]:
    assert SIPP is not None
    port = closed_udp_port()
    process = subprocess.Popen(
        [SIPP, *scenario, "-i", "127.0.0.1", "-p", str(port), "-nostdin", "-timeout", "120s"],
        cwd=folder,  # SIPp writes its logs to the working directory
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return process, port


@pytest.fixture
def sipp_uas(tmp_path: Path) -> Iterator[int]:
    # The built-in UAS scenario only handles INVITE dialogs; -aa makes SIPp answer OPTIONS
    # (and INFO, NOTIFY, UPDATE) with 200 OK, as a SIP server in service does.
    process, port = start_sipp(tmp_path, "-sn", "uas", "-aa")
    yield port
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def sipp_unavailable(tmp_path: Path) -> Iterator[int]:
    process, port = start_sipp(tmp_path, "-sf", str(UNAVAILABLE_SCENARIO))
    yield port
    process.terminate()
    process.wait(timeout=10)


async def probe_once_listening(hostname: str) -> ProbeResult:
    """Probe until SIPp has bound its port (a closed port answers with ICMP at once)."""
    async with SipOptionsProber(timeout=TIMEOUT) as prober:
        for _ in range(100):
            result = await prober.probe(hostname)
            if result.error != "ICMP port unreachable":
                return result
            await asyncio.sleep(0.1)
    raise AssertionError(f"SIPp never listened on {hostname}")


async def test_sipp_in_service_is_reachable(sipp_uas: int) -> None:
    result = await probe_once_listening(f"127.0.0.1:{sipp_uas}")

    assert (result.reachable, result.status, result.error) == (True, 200, None)
    assert result.latency_ms is not None


async def test_sipp_answering_503_is_unreachable(sipp_unavailable: int) -> None:
    result = await probe_once_listening(f"127.0.0.1:{sipp_unavailable}")

    assert (result.reachable, result.status) == (False, 503)
    assert result.error == "503 Service Unavailable"
