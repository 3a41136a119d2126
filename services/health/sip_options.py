"""SIP OPTIONS probes over UDP (RFC 3261): does a carrier's SIP endpoint answer?

A prober owns one UDP socket per address family (IPv4, IPv6) for all its probes, as a SIP user
agent owns one listening socket: thousands of probes cost two file descriptors, and each reply is
matched to its request the way RFC 3261 section 17.1.3 matches a response to a client
transaction, by the top Via's branch, plus the Call-ID and CSeq. Any datagram that is oversized,
malformed or answers nothing outstanding is dropped, so a stray or forged packet cannot complete
someone else's probe.

An unconnected UDP socket normally never learns about ICMP errors. On Linux, ``IP_RECVERR`` /
``IPV6_RECVERR`` queue them on the socket's error queue together with the original destination,
which tells us whose probe failed ("ICMP port unreachable" from a closed port, at once rather
than after the timeout). Elsewhere such probes simply time out.

Requests are retransmitted like a non-INVITE client transaction over UDP (Timer E: T1 doubling up
to T2) until the probe's timeout, so one lost datagram is not a failure.
"""

import asyncio
import errno
import ipaddress
import logging
import os
import re
import secrets
import socket
import struct
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Protocol, cast

log = logging.getLogger("trunkql.health")

DEFAULT_SIP_PORT = 5060
DEFAULT_TIMEOUT = 5.0
# RFC 3261 section 17.1.2.2: retransmit after T1, doubling, at most every T2.
T1 = 0.5
T2 = 4.0
# A SIP response over UDP is far below this; anything bigger is not an answer to an OPTIONS.
MAX_DATAGRAM_BYTES = 16 * 1024
# Answers to a whole sweep's worth of concurrent probes can arrive in one burst; the default
# receive buffer (~200 KiB, charged per packet, not per byte) drops some of them, turning prompt
# answers into retransmissions. Best effort: the kernel caps it at net.core.rmem_max.
RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024
# health_last_error is a VARCHAR(255); reasons are cut here so they always fit.
MAX_REASON_LENGTH = 255
USER_AGENT = "trunkql"
# Replies that prove nothing is answering calls even though a SIP stack is up (RFC 3261 21.4.9,
# 21.5.4): a proxy that timed out forwarding, or a server refusing work.
UNREACHABLE_STATUSES = frozenset({408, 503})

# Linux values (linux/in.h, linux/in6.h); Python's socket module does not export them.
_IP_RECVERR = 11
_IPV6_RECVERR = 25
_RECVERR = {
    socket.AF_INET: (socket.IPPROTO_IP, _IP_RECVERR),
    socket.AF_INET6: (socket.IPPROTO_IPV6, _IPV6_RECVERR),
}
_ICMP_REASONS = {
    errno.ECONNREFUSED: "ICMP port unreachable",
    errno.EHOSTUNREACH: "ICMP host unreachable",
    errno.ENETUNREACH: "ICMP network unreachable",
}

Resolver = Callable[[str], Awaitable[Sequence[str]]]
"""A name → its IP addresses (as text), best first. Raise ``OSError`` (``socket.gaierror``) when
the name does not resolve."""


@dataclass(frozen=True)
class ProbeResult:
    """One probe's outcome. ``error`` is a short human reason whenever ``reachable`` is false."""

    reachable: bool
    status: int | None = None
    latency_ms: float | None = None
    error: str | None = None


class Prober(Protocol):
    """What the monitor needs from a prober (tests wrap the real one to observe it)."""

    async def probe(self, hostname: str) -> ProbeResult: ...


def _failure(reason: str) -> ProbeResult:
    return ProbeResult(reachable=False, error=reason[:MAX_REASON_LENGTH])


# --- targets ------------------------------------------------------------------------------------

# What services.validation.clean_hostname stores: a DNS name, an IPv4 address or a bracketed IPv6
# address, optionally with a port. Checked again here because the value is written verbatim into
# the request: anything else (a legacy row, say) must not reach the wire.
_HOSTPORT = re.compile(
    r"(?:\[(?P<v6>[0-9a-fA-F:.]+)\]|(?P<name>[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?))"
    r"(?::(?P<port>[0-9]{1,5}))?"
)


@dataclass(frozen=True)
class Target:
    hostport: str  # as the provider stores it, for the Request-URI and To
    host: str  # name or address, without brackets
    port: int


def parse_target(hostname: str) -> Target:
    """The host and port to probe; ``ValueError`` if ``hostname`` is not a SIP hostport."""
    match = _HOSTPORT.fullmatch(hostname)
    if match is None:
        raise ValueError(f"not a SIP host[:port]: {hostname!r}")
    port = int(match["port"]) if match["port"] else DEFAULT_SIP_PORT
    if not 1 <= port <= 65535:
        raise ValueError(f"port out of range in {hostname!r}")
    v6 = match["v6"]
    host = str(ipaddress.IPv6Address(v6)) if v6 is not None else match["name"]
    return Target(hostport=hostname, host=host, port=port)


def _ip_literal(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None


async def resolve_with_getaddrinfo(host: str) -> list[str]:
    """The default resolver: the event loop's getaddrinfo (in its executor, so never blocking the
    loop), in the system's preference order (RFC 6724)."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, None, type=socket.SOCK_DGRAM, proto=socket.IPPROTO_UDP)
    return [str(info[4][0]) for info in infos]


# --- the request --------------------------------------------------------------------------------


def _bracketed(address: str) -> str:
    return f"[{address}]" if ":" in address else address


def build_options(
    target: Target,
    *,
    local_address: str,
    local_port: int,
    branch: str,
    call_id: str,
    from_tag: str,
    cseq: int = 1,
) -> bytes:
    """An out-of-dialog OPTIONS (RFC 3261 section 11) to ``target``.

    The Request-URI has no user part: the question is about the server, not a user. ``rport``
    (RFC 3581) asks for the reply to come back to the address and port the request came from.
    """
    sent_by = f"{_bracketed(local_address)}:{local_port}"
    lines = (
        f"OPTIONS sip:{target.hostport} SIP/2.0",
        f"Via: SIP/2.0/UDP {sent_by};branch={branch};rport",
        "Max-Forwards: 70",
        f"From: <sip:{USER_AGENT}@{_bracketed(local_address)}>;tag={from_tag}",
        f"To: <sip:{target.hostport}>",
        f"Call-ID: {call_id}",
        f"CSeq: {cseq} OPTIONS",
        f"Contact: <sip:{USER_AGENT}@{sent_by}>",
        "Accept: application/sdp",
        f"User-Agent: {USER_AGENT}",
        "Content-Length: 0",
    )
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")


def new_branch() -> str:
    # The magic cookie marks an RFC 3261 branch, unique per transaction (section 8.1.1.7).
    return "z9hG4bK" + secrets.token_hex(16)


# --- responses ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SipResponse:
    """The parts of a response needed to match it and judge it."""

    status: int
    reason: str
    branch: str
    call_id: str
    cseq: int
    method: str


_STATUS_LINE = re.compile(r"SIP/2\.0 ([1-6][0-9]{2}) ([^\x00-\x1f\x7f]*)")
_LINE_BREAK = re.compile(r"\r?\n")
_HEADER_END = re.compile(r"\r?\n\r?\n")
_HEADER_LINE = re.compile(r"([A-Za-z0-9!%*_+`'~.-]+)[ \t]*:(.*)")
_BRANCH = re.compile(r";\s*branch\s*=\s*([^\s;,]+)", re.IGNORECASE)
_CSEQ = re.compile(r"([0-9]{1,10})\s+([A-Za-z]+)")
# Long and compact header names (RFC 3261 section 7.3.3) of the headers used for matching.
_WANTED = {"via": "via", "v": "via", "call-id": "call-id", "i": "call-id", "cseq": "cseq"}


def _header_fields(lines: Sequence[str]) -> list[tuple[str, str]] | None:
    """(name, value) pairs with folded lines joined; None if a line is not a header."""
    fields: list[tuple[str, str]] = []
    for line in lines:
        if line[:1] in (" ", "\t"):
            if not fields:
                return None
            name, value = fields[-1]
            fields[-1] = (name, f"{value} {line.strip()}")
            continue
        match = _HEADER_LINE.fullmatch(line)
        if match is None:
            return None
        fields.append((match[1].lower(), match[2].strip()))
    return fields


def parse_response(data: bytes) -> SipResponse | None:
    """The response in ``data``, or None for anything that is not a well-formed SIP response."""
    if len(data) > MAX_DATAGRAM_BYTES:
        return None
    # latin-1 maps every byte to one character: no decode error, and non-ASCII never matches.
    head = _HEADER_END.split(data.decode("latin-1"), maxsplit=1)[0]
    status_line, *header_lines = _LINE_BREAK.split(head)
    status = _STATUS_LINE.fullmatch(status_line)
    fields = _header_fields(header_lines)
    if status is None or fields is None:
        return None
    wanted: dict[str, str] = {}
    for name, value in fields:
        key = _WANTED.get(name)
        if key is not None:
            wanted.setdefault(key, value)  # the first Via is the top one: ours
    top_via = wanted.get("via", "").split(",", 1)[0]
    branch = _BRANCH.search(top_via)
    cseq = _CSEQ.fullmatch(wanted.get("cseq", ""))
    call_id = wanted.get("call-id", "")
    if branch is None or cseq is None or not call_id:
        return None
    return SipResponse(
        status=int(status[1]),
        reason=status[2].strip(),
        branch=branch[1],
        call_id=call_id,
        cseq=int(cseq[1]),
        method=cseq[2].upper(),
    )


def judge(response: SipResponse, latency_ms: float, *, reachable_2xx_only: bool) -> ProbeResult:
    """A final response → reachable or not. Any answer proves a SIP stack is there, except those
    saying it cannot serve (408, 503); the strict setting wants 2xx."""
    if reachable_2xx_only:
        reachable = 200 <= response.status < 300
    else:
        reachable = response.status not in UNREACHABLE_STATUSES
    error = None if reachable else f"{response.status} {response.reason}".strip()
    return ProbeResult(
        reachable=reachable,
        status=response.status,
        latency_ms=latency_ms,
        error=None if error is None else error[:MAX_REASON_LENGTH],
    )


def icmp_reason(error_number: int) -> str:
    return _ICMP_REASONS.get(error_number, f"ICMP error: {os.strerror(error_number)}")


# --- the socket ---------------------------------------------------------------------------------

Destination = tuple[str, int]  # normalised IP address text, port


def _normalised(address: str) -> str:
    return str(ipaddress.ip_address(address))


class _Channel(asyncio.DatagramProtocol):
    """One UDP socket, shared by every probe of one address family.

    Reading goes through an asyncio transport (so it works on any event loop, uvloop included);
    sending uses the socket directly, because a pending ICMP error makes ``sendto`` fail once and
    a transport would swallow that failure together with the datagram (see ``send``).
    """

    def __init__(
        self,
        sock: socket.socket,
        on_response: Callable[[SipResponse, float], None],
        on_icmp: Callable[[Destination, int], None],
    ) -> None:
        self.sock = sock
        self._on_response = on_response
        self._on_icmp = on_icmp
        self._transport: asyncio.DatagramTransport | None = None

    @property
    def port(self) -> int:
        port: int = self.sock.getsockname()[1]
        return port

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # asyncio's selector transport does not subclass DatagramTransport, but is one.
        self._transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | object, int]) -> None:
        response = parse_response(data)
        if response is not None:
            self._on_response(response, asyncio.get_running_loop().time())

    def error_received(self, exc: Exception) -> None:
        # With IP_RECVERR an ICMP error makes the next read fail once (this call), and the
        # details wait on the error queue; read them now, or the socket stays "readable".
        self.drain_errors()

    def drain_errors(self) -> None:
        if sys.platform != "linux":
            return
        while True:
            try:
                _, ancillary, _, address = self.sock.recvmsg(512, 512, socket.MSG_ERRQUEUE)
            except OSError:  # BlockingIOError: the queue is empty
                return
            for level, kind, payload in ancillary:
                if (level, kind) in _RECVERR.values() and len(payload) >= 4:
                    (error_number,) = struct.unpack_from("=I", payload)
                    self._on_icmp((_normalised(address[0]), address[1]), error_number)

    def send(self, data: bytes, address: tuple[str, int] | tuple[str, int, int, int]) -> None:
        """Send, or raise the ``OSError`` that prevents it."""
        try:
            self.sock.sendto(data, address)
        except OSError:
            # Possibly an ICMP error about another destination, reported here once instead of
            # on a read; record it and try again. A second failure is about this send.
            self.drain_errors()
            self.sock.sendto(data, address)

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()
        else:
            self.sock.close()


async def _open_channel(
    family: socket.AddressFamily,
    on_response: Callable[[SipResponse, float], None],
    on_icmp: Callable[[Destination, int], None],
) -> _Channel:
    sock = socket.socket(family, socket.SOCK_DGRAM)
    try:
        sock.setblocking(False)
        if family == socket.AF_INET6:
            # IPv4 goes through its own socket; no v4-mapped addresses here.
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER_BYTES)
        if sys.platform == "linux":
            level, option = _RECVERR[family]
            sock.setsockopt(level, option, 1)
        sock.bind(("0.0.0.0" if family == socket.AF_INET else "::", 0))  # noqa: S104 - replies may come to any local address
        channel = _Channel(sock, on_response, on_icmp)
        await asyncio.get_running_loop().create_datagram_endpoint(lambda: channel, sock=sock)
    except BaseException:
        sock.close()
        raise
    return channel


def _source_address(family: socket.AddressFamily, destination: tuple[str, int]) -> str:
    """The local address the kernel routes ``destination`` from (for Via, Contact and From).
    Connecting a UDP socket only looks up the route; nothing is sent."""
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        sock.connect(destination)
        return _normalised(str(sock.getsockname()[0]))


# --- the prober ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Final:
    response: SipResponse
    received_at: float


@dataclass(frozen=True)
class _Icmp:
    error_number: int


@dataclass
class _Outstanding:
    call_id: str
    cseq: int
    destination: Destination
    reply: "asyncio.Future[_Final | _Icmp]"


class SipOptionsProber:
    """Probes SIP servers with OPTIONS over UDP. Use as ``async with SipOptionsProber() as p``."""

    def __init__(
        self,
        timeout: float = DEFAULT_TIMEOUT,
        reachable_2xx_only: bool = False,
        resolver: Resolver = resolve_with_getaddrinfo,
        retransmit_interval: float = T1,
    ) -> None:
        if timeout <= 0 or retransmit_interval <= 0:
            raise ValueError("timeout and retransmit_interval must be positive")
        self.timeout = timeout
        self.reachable_2xx_only = reachable_2xx_only
        self._resolver = resolver
        self._retransmit_interval = retransmit_interval
        self._channels: dict[socket.AddressFamily, _Channel] = {}
        self._unavailable: dict[socket.AddressFamily, str] = {}
        self._outstanding: dict[str, _Outstanding] = {}

    async def open(self) -> None:
        """Open the IPv4 socket (required) and the IPv6 one (if this host has IPv6)."""
        self._channels[socket.AF_INET] = await _open_channel(
            socket.AF_INET, self._on_response, self._on_icmp
        )
        try:
            self._channels[socket.AF_INET6] = await _open_channel(
                socket.AF_INET6, self._on_response, self._on_icmp
            )
        except OSError as exc:
            log.info("SIP OPTIONS probes over IPv6 are unavailable: %s", exc)
            self._unavailable[socket.AF_INET6] = f"IPv6 is unavailable here ({exc.strerror})"

    async def aclose(self) -> None:
        for channel in self._channels.values():
            channel.close()
        self._channels.clear()

    async def __aenter__(self) -> "SipOptionsProber":
        await self.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    @property
    def outstanding(self) -> int:
        """Probes waiting for an answer now."""
        return len(self._outstanding)

    async def probe(self, hostname: str) -> ProbeResult:
        """Send OPTIONS to ``hostname`` (host[:port], port 5060 by default) and wait for the final
        answer, an ICMP error or the timeout, whichever comes first."""
        if not self._channels:
            raise RuntimeError("the prober is not open; use 'async with SipOptionsProber()'")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        try:
            target = parse_target(hostname)
        except ValueError:
            return _failure(f"invalid hostname {hostname!r}")
        address = _ip_literal(target.host)
        if address is None:
            try:
                async with asyncio.timeout_at(deadline):
                    address = await self._resolve(target.host)
            except TimeoutError:
                return _failure(f"cannot resolve {target.host}: timed out")
            except (OSError, UnicodeError, ValueError):
                return _failure(f"cannot resolve {target.host}")
        return await self._exchange(target, address, deadline)

    async def _resolve(self, host: str) -> str:
        for candidate in await self._resolver(host):
            address = _ip_literal(candidate)
            if address is not None:
                return address
        raise socket.gaierror(socket.EAI_NONAME, "no address")

    async def _exchange(self, target: Target, address: str, deadline: float) -> ProbeResult:
        loop = asyncio.get_running_loop()
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        channel = self._channels.get(family)
        if channel is None:
            reason = self._unavailable.get(family, "no socket")
            return _failure(f"cannot probe {address}: {reason}")
        destination = (address, target.port)
        sockaddr = (address, target.port, 0, 0) if family == socket.AF_INET6 else destination
        try:
            local_address = _source_address(family, destination)
        except OSError as exc:
            return _failure(f"cannot send to {_bracketed(address)}: {exc.strerror}")
        branch = new_branch()
        pending = _Outstanding(
            call_id=secrets.token_hex(16),
            cseq=1,
            destination=destination,
            reply=loop.create_future(),
        )
        request = build_options(
            target,
            local_address=local_address,
            local_port=channel.port,
            branch=branch,
            call_id=pending.call_id,
            from_tag=secrets.token_hex(8),
            cseq=pending.cseq,
        )
        self._outstanding[branch] = pending
        try:
            first_sent_at = loop.time()
            interval = self._retransmit_interval
            while not pending.reply.done():
                now = loop.time()
                if now >= deadline:
                    return _failure(f"timeout after {self.timeout}s")
                try:
                    channel.send(request, sockaddr)
                except OSError as exc:
                    return _failure(f"cannot send to {_bracketed(address)}: {exc.strerror}")
                await asyncio.wait({pending.reply}, timeout=min(interval, deadline - now))
                interval = min(interval * 2, T2)
        finally:
            del self._outstanding[branch]
        reply = pending.reply.result()
        if isinstance(reply, _Icmp):
            return _failure(icmp_reason(reply.error_number))
        latency_ms = (reply.received_at - first_sent_at) * 1000
        return judge(reply.response, latency_ms, reachable_2xx_only=self.reachable_2xx_only)

    def _on_response(self, response: SipResponse, received_at: float) -> None:
        pending = self._outstanding.get(response.branch)
        if (
            pending is None
            or pending.reply.done()
            or response.call_id != pending.call_id
            or (response.cseq, response.method) != (pending.cseq, "OPTIONS")
            or response.status < 200  # provisional: the final answer is still to come
        ):
            return
        pending.reply.set_result(_Final(response, received_at))

    def _on_icmp(self, destination: Destination, error_number: int) -> None:
        # The error names a destination, not a request: every probe waiting on it fails, which is
        # right, since they all went to the same unreachable place. At most `concurrency` waits.
        for pending in self._outstanding.values():
            if pending.destination == destination and not pending.reply.done():
                pending.reply.set_result(_Icmp(error_number))


__all__ = [
    "DEFAULT_SIP_PORT",
    "DEFAULT_TIMEOUT",
    "ProbeResult",
    "Prober",
    "Resolver",
    "SipOptionsProber",
    "SipResponse",
    "Target",
    "build_options",
    "judge",
    "parse_response",
    "parse_target",
    "resolve_with_getaddrinfo",
]
