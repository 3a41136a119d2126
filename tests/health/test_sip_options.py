"""SIP OPTIONS probes against real UDP peers on loopback: the request's RFC 3261 shape, how each
answer (or its absence) is judged, and that nothing but the right answer completes a probe."""

import asyncio
import re
import socket
from collections.abc import Callable

import pytest

from services.health.sip_options import (
    ProbeResult,
    SipOptionsProber,
    parse_response,
    parse_target,
    resolve_with_getaddrinfo,
)
from tests.health.conftest import TIMEOUT, StartResponder, closed_udp_port
from tests.health.sip_responder import (
    Request,
    Send,
    SipResponder,
    answer,
    response,
    sequence,
    silence,
)

# --- the request ---------------------------------------------------------------------------------


async def test_the_request_is_a_well_formed_out_of_dialog_options(
    responder: SipResponder, prober: SipOptionsProber
) -> None:
    await prober.probe(responder.hostname)

    [request] = responder.received
    host, port = request.source
    assert request.start_line == f"OPTIONS sip:{responder.hostname} SIP/2.0"  # no user part
    assert re.fullmatch(
        rf"SIP/2\.0/UDP {re.escape(host)}:{port};branch=z9hG4bK[0-9a-f]{{32}};rport",
        request.value("Via"),
    )
    assert re.fullmatch(r"<sip:trunkql@[^>]+>;tag=[0-9a-f]+", request.value("From"))
    assert request.value("To") == f"<sip:{responder.hostname}>"  # no tag: no dialog yet
    assert re.fullmatch(r"[0-9a-f]{32}", request.value("Call-ID"))
    assert request.value("CSeq") == "1 OPTIONS"
    assert request.value("Contact") == f"<sip:trunkql@{host}:{port}>"
    assert request.value("Max-Forwards") == "70"
    assert request.value("Accept") == "application/sdp"
    assert request.value("User-Agent") == "trunkql"
    assert request.value("Content-Length") == "0"
    assert request.body == b""
    # CRLF line ends only (RFC 3261 section 7), and the header section ends with an empty line.
    assert request.raw.endswith(b"\r\n\r\n")
    assert b"\n" not in request.raw.replace(b"\r\n", b"")


async def test_every_probe_is_a_new_transaction(
    responder: SipResponder, prober: SipOptionsProber
) -> None:
    await prober.probe(responder.hostname)
    await prober.probe(responder.hostname)

    first, second = responder.received
    assert first.branch != second.branch
    assert first.value("Call-ID") != second.value("Call-ID")
    assert first.value("From") != second.value("From")  # a new tag
    assert first.source == second.source  # one shared socket


# --- how answers are judged -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "reachable", "error"),
    [
        (200, True, None),
        (404, True, None),  # a SIP stack answered: the server is up
        (486, True, None),
        (408, False, "408 Request Timeout"),
        (503, False, "503 Service Unavailable"),
    ],
)
async def test_any_final_answer_but_408_and_503_means_reachable(
    responder: SipResponder,
    prober: SipOptionsProber,
    status: int,
    reachable: bool,
    error: str | None,
) -> None:
    responder.script = answer(status)

    result = await prober.probe(responder.hostname)

    assert (result.reachable, result.status, result.error) == (reachable, status, error)
    assert result.latency_ms is not None
    assert result.latency_ms >= 0


@pytest.mark.parametrize(
    ("status", "reason", "reachable", "error"),
    [
        (200, "OK", True, None),
        (202, "Accepted", True, None),
        (302, "Moved Temporarily", False, "302 Moved Temporarily"),
        (404, "Not Found", False, "404 Not Found"),
    ],
)
async def test_the_strict_setting_wants_2xx(
    responder: SipResponder, status: int, reason: str, reachable: bool, error: str | None
) -> None:
    responder.script = answer(status, reason)
    async with SipOptionsProber(timeout=TIMEOUT, reachable_2xx_only=True) as strict:
        result = await strict.probe(responder.hostname)

    assert (result.reachable, result.status, result.error) == (reachable, status, error)


async def test_the_reason_phrase_in_an_error_is_the_peers_own(
    responder: SipResponder, prober: SipOptionsProber
) -> None:
    responder.script = answer(503, "Maintenance until 03:00")

    result = await prober.probe(responder.hostname)

    assert result.error == "503 Maintenance until 03:00"


async def test_silence_is_a_timeout_and_the_request_is_retransmitted(
    responder: SipResponder,
) -> None:
    responder.script = silence()
    async with SipOptionsProber(timeout=TIMEOUT, retransmit_interval=0.1) as prober:
        result = await prober.probe(responder.hostname)

    assert result == ProbeResult(reachable=False, error=f"timeout after {TIMEOUT}s")
    # Retransmissions are the same request (same transaction), byte for byte.
    assert len(responder.received) >= 2
    assert {request.raw for request in responder.received} == {responder.received[0].raw}


async def test_a_lost_request_is_recovered_by_retransmission(responder: SipResponder) -> None:
    def ignore_the_first_copy(request: Request, copy: int) -> list[Send]:
        return [] if copy == 1 else [Send(response(request, 200))]

    responder.script = ignore_the_first_copy
    async with SipOptionsProber(timeout=TIMEOUT, retransmit_interval=0.05) as prober:
        result = await prober.probe(responder.hostname)

    assert result.reachable
    assert result.status == 200


async def test_a_provisional_answer_does_not_complete_the_probe(
    responder: SipResponder, prober: SipOptionsProber
) -> None:
    responder.script = lambda request, _copy: [
        Send(response(request, 100)),
        Send(response(request, 503), delay=0.05),
    ]

    result = await prober.probe(responder.hostname)

    assert (result.status, result.error) == (503, "503 Service Unavailable")


async def test_only_provisional_answers_are_a_timeout(
    responder: SipResponder, prober: SipOptionsProber
) -> None:
    responder.script = sequence(lambda request: Send(response(request, 100)))

    result = await prober.probe(responder.hostname)

    assert result.error == f"timeout after {TIMEOUT}s"
    assert result.status is None


async def test_a_late_answer_to_an_earlier_probe_does_not_complete_the_next(
    responder: SipResponder, prober: SipOptionsProber
) -> None:
    def first_late_then_fine(request: Request, _copy: int) -> list[Send]:
        if len(responder.received) == 1:  # arrives while the second probe waits
            return [Send(response(request, 503), delay=TIMEOUT + 0.1)]
        return [Send(response(request, 200), delay=0.3)]

    responder.script = first_late_then_fine

    first = await prober.probe(responder.hostname)
    second = await prober.probe(responder.hostname)

    assert first.error == f"timeout after {TIMEOUT}s"
    assert (second.reachable, second.status) == (True, 200)


# --- what must not complete a probe ------------------------------------------------------------


def _oversized(request: Request) -> bytes:
    real = response(request, 503)
    return real.replace(b"Content-Length: 0", b"X-Pad: " + b"x" * 20_000 + b"\r\nContent-Length: 0")


FORGERIES: dict[str, Callable[[Request], bytes]] = {
    "wrong branch": lambda r: response(r, 503, branch="z9hG4bKsomeoneelse"),
    "wrong Call-ID": lambda r: response(r, 503, call_id="not-ours"),
    "wrong CSeq method": lambda r: response(r, 503, cseq="1 INVITE"),
    "wrong CSeq number": lambda r: response(r, 503, cseq="2 OPTIONS"),
    "oversized": _oversized,
    "empty": lambda _r: b"",
    "binary noise": lambda _r: bytes(range(256)) * 3,
    "no headers": lambda _r: b"SIP/2.0 503 Service Unavailable\r\n\r\n",
    "status out of range": lambda r: response(r, 999),
    "not SIP/2.0": lambda r: response(r, 503).replace(b"SIP/2.0 503", b"SIP/3.0 503", 1),
    "a request, not a response": lambda r: r.raw,
    "a header line without a colon": lambda r: response(r, 503).replace(
        b"Content-Length: 0", b"garbage line\r\nContent-Length: 0"
    ),
    "our Via not on top": lambda r: response(r, 503).replace(
        b"Via: ", b"Via: SIP/2.0/UDP proxy.example;branch=z9hG4bKproxy\r\nVia: ", 1
    ),
    "no Via": lambda r: re.sub(rb"Via: [^\r]*\r\n", b"", response(r, 503)),
    "no Call-ID": lambda r: re.sub(rb"Call-ID: [^\r]*\r\n", b"", response(r, 503)),
}


@pytest.mark.parametrize("forgery", FORGERIES.values(), ids=FORGERIES.keys())
async def test_stray_and_malformed_datagrams_are_ignored_and_the_real_answer_matched(
    responder: SipResponder, prober: SipOptionsProber, forgery: Callable[[Request], bytes]
) -> None:
    # Each forgery says 503 if it were believed; the real answer, just after it, says 200.
    responder.script = lambda request, _copy: [
        Send(forgery(request)),
        Send(response(request, 200), delay=0.05),
    ]

    result = await prober.probe(responder.hostname)

    assert (result.reachable, result.status) == (True, 200)


async def test_datagrams_when_nothing_is_outstanding_are_harmless(
    responder: SipResponder, prober: SipOptionsProber
) -> None:
    await prober.probe(responder.hostname)
    prober_address = responder.received[0].source
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as stranger:
        for datagram in (
            b"\x00" * 100,
            b"SIP/2.0 200 OK\r\n\r\n",
            response(responder.received[0], 503),
        ):
            stranger.sendto(datagram, prober_address)
    await asyncio.sleep(0.05)

    result = await prober.probe(responder.hostname)

    assert (result.reachable, result.status) == (True, 200)


async def test_compact_and_folded_headers_are_understood(
    responder: SipResponder, prober: SipOptionsProber
) -> None:
    def compact(request: Request) -> bytes:
        text = response(request, 503).decode()
        text = text.replace("Via: ", "v: ", 1).replace("Call-ID: ", "i: ", 1)
        return text.replace("CSeq: 1 ", "CSeq: 1\r\n  ", 1).encode()

    responder.script = sequence(lambda request: Send(compact(request)))

    result = await prober.probe(responder.hostname)

    assert (result.status, result.reachable) == (503, False)


# --- unreachable peers ---------------------------------------------------------------------------


async def test_a_closed_port_is_an_icmp_error_not_a_timeout(prober: SipOptionsProber) -> None:
    result = await prober.probe(f"127.0.0.1:{closed_udp_port()}")

    assert result == ProbeResult(reachable=False, error="ICMP port unreachable")


async def test_an_icmp_error_fails_only_the_probes_to_its_destination(
    start_responder: StartResponder, prober: SipOptionsProber
) -> None:
    slow = await start_responder(script=answer(200, delay=0.05))
    closed = f"127.0.0.1:{closed_udp_port()}"
    hostnames = [closed, slow.hostname] * 20

    results = await asyncio.gather(*(prober.probe(h) for h in hostnames))

    for hostname, result in zip(hostnames, results, strict=True):
        if hostname == closed:
            assert result.error == "ICMP port unreachable"
        else:
            assert (result.reachable, result.status) == (True, 200)


async def test_ipv6_loopback(start_responder: StartResponder, prober: SipOptionsProber) -> None:
    responder = await start_responder(host="::1")

    result = await prober.probe(responder.hostname)
    closed = await prober.probe(f"[::1]:{closed_udp_port('::1')}")

    assert (result.reachable, result.status) == (True, 200)
    [request] = responder.received
    assert request.start_line == f"OPTIONS sip:[::1]:{responder.port} SIP/2.0"
    assert request.value("Via").startswith(f"SIP/2.0/UDP [::1]:{request.source[1]};")
    assert closed.error == "ICMP port unreachable"


# --- names ---------------------------------------------------------------------------------------


async def test_an_unresolvable_name_fails_without_sending() -> None:
    # Resolution is injected: this machine's resolver would ask a DNS server over the network.
    asked: list[str] = []

    async def nxdomain(host: str) -> list[str]:
        asked.append(host)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    async with SipOptionsProber(timeout=TIMEOUT, resolver=nxdomain) as prober:
        result = await prober.probe("sip.example.invalid:5070")

    assert result == ProbeResult(reachable=False, error="cannot resolve sip.example.invalid")
    assert asked == ["sip.example.invalid"]


async def test_a_name_is_resolved_and_kept_in_the_request(responder: SipResponder) -> None:
    async def carrier_dns(host: str) -> list[str]:
        return {"sip.carrier.test": ["127.0.0.1"]}[host]

    async with SipOptionsProber(timeout=TIMEOUT, resolver=carrier_dns) as prober:
        result = await prober.probe(f"sip.carrier.test:{responder.port}")

    assert result.reachable
    [request] = responder.received
    assert request.start_line == f"OPTIONS sip:sip.carrier.test:{responder.port} SIP/2.0"
    assert request.value("To") == f"<sip:sip.carrier.test:{responder.port}>"


async def test_a_resolver_that_hangs_is_cut_by_the_timeout() -> None:
    async def hangs(host: str) -> list[str]:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    async with SipOptionsProber(timeout=0.1, resolver=hangs) as prober:
        result = await prober.probe("sip.example.invalid")

    assert result.error == "cannot resolve sip.example.invalid: timed out"


async def test_the_default_resolver_is_the_event_loops_getaddrinfo(
    start_responder: StartResponder, prober: SipOptionsProber
) -> None:
    # "localhost" comes from /etc/hosts: no DNS traffic.
    addresses = await resolve_with_getaddrinfo("localhost")
    assert addresses
    assert set(addresses) <= {"127.0.0.1", "::1"}
    responder = await start_responder(host=addresses[0])

    result = await prober.probe(f"localhost:{responder.port}")

    assert (result.reachable, result.status) == (True, 200)


async def test_a_hostname_that_is_not_a_hostport_is_refused_before_sending(
    prober: SipOptionsProber,
) -> None:
    result = await prober.probe("sip.example.com\r\nX-Injected: 1")

    assert result.reachable is False
    assert result.error is not None
    assert result.error.startswith("invalid hostname")


@pytest.mark.parametrize(
    ("hostname", "host", "port"),
    [
        ("sip.telnyx.com", "sip.telnyx.com", 5060),
        ("sip.telnyx.com:5080", "sip.telnyx.com", 5080),
        ("192.0.2.10", "192.0.2.10", 5060),
        ("192.0.2.10:5061", "192.0.2.10", 5061),
        ("[2001:db8::1]", "2001:db8::1", 5060),
        ("[2001:DB8:0::1]:5062", "2001:db8::1", 5062),
    ],
)
def test_hostnames_give_host_and_port(hostname: str, host: str, port: int) -> None:
    target = parse_target(hostname)

    assert (target.host, target.port, target.hostport) == (host, port, hostname)


@pytest.mark.parametrize(
    "hostname",
    ["", "sip:host", "user@host", "host:0", "host:70000", "[::1", "[nonsense]", "a b", "-host"],
)
def test_malformed_hostnames_are_refused(hostname: str) -> None:
    with pytest.raises(ValueError, match=r"."):
        parse_target(hostname)


def test_parse_response_reads_what_matching_needs() -> None:
    parsed = parse_response(
        b"SIP/2.0 200 OK\r\n"
        b"v: SIP/2.0/UDP 10.0.0.1:5060;rport=5060;BRANCH=z9hG4bKabc;received=10.0.0.1\r\n"
        b"Via: SIP/2.0/UDP 10.0.0.2;branch=z9hG4bKsecond\r\n"
        b"CSeq: 7\r\n  OPTIONS\r\n"
        b"i: call-1@host\r\n"
        b"\r\n"
    )

    assert parsed is not None
    assert (parsed.status, parsed.reason, parsed.branch) == (200, "OK", "z9hG4bKabc")
    assert (parsed.call_id, parsed.cseq, parsed.method) == ("call-1@host", 7, "OPTIONS")


# --- other event loops ---------------------------------------------------------------------------


def test_the_prober_works_on_uvloop() -> None:
    # `trunkql serve` runs under uvicorn, which picks uvloop when it is installed.
    uvloop = pytest.importorskip("uvloop")

    async def scenario() -> tuple[ProbeResult, ProbeResult, ProbeResult]:
        responder = await SipResponder(
            script=lambda request, _copy: [
                Send(b"\x00garbage"),
                Send(response(request, 404), delay=0.02),
            ]
        ).start()
        try:
            async with SipOptionsProber(timeout=TIMEOUT) as prober:
                return (
                    await prober.probe(responder.hostname),
                    await prober.probe(f"127.0.0.1:{closed_udp_port()}"),
                    await prober.probe(f"[::1]:{closed_udp_port('::1')}"),
                )
        finally:
            responder.close()

    answered, closed_v4, closed_v6 = uvloop.run(scenario())

    assert (answered.reachable, answered.status) == (True, 404)
    assert closed_v4.error == "ICMP port unreachable"
    assert closed_v6.error == "ICMP port unreachable"
