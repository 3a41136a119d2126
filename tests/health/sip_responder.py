"""A SIP peer on a loopback UDP port, scripted per test: it answers OPTIONS with any status, a
provisional then a final answer, late, to the wrong transaction, with garbage, or not at all; and
it records every request so tests can check its shape.

Deliberately independent of ``services.health.sip_options``: its own (small) parser, so a bug in
the prober's parsing cannot hide behind the same bug here.
"""

import asyncio
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import cast

REASONS = {
    100: "Trying",
    180: "Ringing",
    200: "OK",
    404: "Not Found",
    408: "Request Timeout",
    486: "Busy Here",
    503: "Service Unavailable",
}


@dataclass(frozen=True)
class Request:
    """One received datagram, parsed leniently."""

    raw: bytes
    source: tuple[str, int]
    start_line: str
    headers: list[tuple[str, str]]  # in order, names as sent
    body: bytes

    def values(self, name: str) -> list[str]:
        return [v for n, v in self.headers if n.lower() == name.lower()]

    def value(self, name: str) -> str:
        [only] = self.values(name)
        return only

    @property
    def branch(self) -> str:
        match = re.search(r";branch=([^;,\s]+)", self.value("Via"))
        assert match is not None, self.value("Via")
        return match[1]


def parse_request(raw: bytes, source: tuple[str, int]) -> Request:
    head, _, body = raw.partition(b"\r\n\r\n")
    start_line, *lines = head.decode("utf-8", "replace").split("\r\n")
    headers = []
    for line in lines:
        name, _, value = line.partition(":")
        headers.append((name.strip(), value.strip()))
    return Request(raw=raw, source=source, start_line=start_line, headers=headers, body=body)


def response(
    request: Request,
    status: int,
    reason: str | None = None,
    *,
    branch: str | None = None,
    call_id: str | None = None,
    cseq: str | None = None,
) -> bytes:
    """A response to ``request`` as RFC 3261 section 8.2.6 builds it (Via, From, To, Call-ID and
    CSeq copied; a To tag on finals); keyword arguments forge a response to something else."""
    via = request.value("Via")
    if branch is not None:
        via = re.sub(r"branch=[^;,\s]+", f"branch={branch}", via)
    to = request.value("To") + (";tag=responder" if status >= 200 else "")
    lines = [
        f"SIP/2.0 {status} {reason if reason is not None else REASONS.get(status, 'Whatever')}",
        f"Via: {via};received={request.source[0]}",
        f"From: {request.value('From')}",
        f"To: {to}",
        f"Call-ID: {call_id if call_id is not None else request.value('Call-ID')}",
        f"CSeq: {cseq if cseq is not None else request.value('CSeq')}",
        "Content-Length: 0",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


@dataclass(frozen=True)
class Send:
    """One datagram the responder sends back, ``delay`` seconds after the request arrived."""

    data: bytes
    delay: float = 0.0


Script = Callable[[Request, int], Sequence[Send]]
"""(request, how many times this branch was received so far, 1 for the first) → what to send."""


def answer(status: int, reason: str | None = None, delay: float = 0.0) -> Script:
    return lambda request, _copy: [Send(response(request, status, reason), delay)]


def silence() -> Script:
    return lambda _request, _copy: []


def sequence(*steps: Callable[[Request], Send]) -> Script:
    """Several datagrams for each request, in order (e.g. garbage, then 100, then 200)."""
    return lambda request, _copy: [step(request) for step in steps]


@dataclass
class SipResponder(asyncio.DatagramProtocol):
    host: str = "127.0.0.1"
    script: Script = field(default_factory=lambda: answer(200))
    received: list[Request] = field(default_factory=list)
    _transport: asyncio.DatagramTransport | None = None
    _copies: dict[str, int] = field(default_factory=dict)

    async def start(self) -> "SipResponder":
        loop = asyncio.get_running_loop()
        await loop.create_datagram_endpoint(lambda: self, local_addr=(self.host, 0))
        return self

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()

    @property
    def port(self) -> int:
        assert self._transport is not None
        port: int = self._transport.get_extra_info("sockname")[1]
        return port

    @property
    def hostname(self) -> str:
        """How a provider would store this peer: ``127.0.0.1:PORT`` or ``[::1]:PORT``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # asyncio's selector transport does not subclass DatagramTransport, but is one.
        self._transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | object, int]) -> None:
        source = (str(addr[0]), addr[1])
        request = parse_request(data, source)
        self.received.append(request)
        copy = self._copies[request.branch] = self._copies.get(request.branch, 0) + 1
        loop = asyncio.get_running_loop()
        for send in self.script(request, copy):
            loop.call_later(send.delay, self._send, send.data, source)

    def _send(self, data: bytes, destination: tuple[str, int]) -> None:
        if self._transport is not None and not self._transport.is_closing():
            self._transport.sendto(data, destination)
