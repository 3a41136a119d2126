"""A loopback SIP peer for the health-sweep benchmark: answers every OPTIONS with 200 OK.

    python -m bench.sip_responder --ports 20     (prints {"ports": [...]} once it listens)

Its own process, so answering costs the sweep's process nothing. It binds 127.0.0.1 only, and
answers only to the address a request came from (which is loopback too).
"""

import argparse
import asyncio
import json
import sys
from typing import cast

_COPIED = (b"via", b"v", b"from", b"f", b"to", b"t", b"call-id", b"i", b"cseq")


def answer(request: bytes) -> bytes | None:
    """200 OK to an OPTIONS request (RFC 3261 section 8.2.6: Via, From, To, Call-ID, CSeq
    copied; a To tag added); None for anything else."""
    head = request.split(b"\r\n\r\n", 1)[0]
    start, *lines = head.split(b"\r\n")
    if not start.startswith(b"OPTIONS "):
        return None
    copied = []
    for line in lines:
        name, _, value = line.partition(b":")
        key = name.strip().lower()
        if key in _COPIED:
            value = value.strip()
            if key in (b"to", b"t"):
                value += b";tag=bench"
            copied.append(name.strip() + b": " + value)
    return b"\r\n".join([b"SIP/2.0 200 OK", *copied, b"Content-Length: 0", b"", b""])


class Responder(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.transport: asyncio.DatagramTransport | None = None
        self.answered = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # asyncio's selector transport does not subclass DatagramTransport, but is one.
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | object, int]) -> None:
        reply = answer(data)
        if reply is not None and self.transport is not None:
            self.transport.sendto(reply, addr)
            self.answered += 1


async def serve(count: int, lifetime: float) -> None:
    loop = asyncio.get_running_loop()
    ports = []
    for _ in range(count):
        transport, _protocol = await loop.create_datagram_endpoint(
            Responder, local_addr=("127.0.0.1", 0)
        )
        ports.append(transport.get_extra_info("sockname")[1])
    sys.stdout.write(json.dumps({"ports": ports}) + "\n")
    sys.stdout.flush()
    await asyncio.sleep(lifetime)  # bounded: the harness stops it long before


def main() -> None:
    parser = argparse.ArgumentParser(description="loopback SIP OPTIONS responder")
    parser.add_argument("--ports", type=int, default=20)
    parser.add_argument("--lifetime", type=float, default=600.0, help="seconds before it exits")
    args = parser.parse_args()
    asyncio.run(serve(args.ports, args.lifetime))


if __name__ == "__main__":
    main()
