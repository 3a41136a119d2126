"""The load generator: its own process, driving HTTP servers over loopback at a fixed concurrency.

    python -m bench.loadgen SPEC.json        (prints the result as one JSON object)

A minimal HTTP/1.1 client on asyncio streams (uvloop when installed): each of ``concurrency``
workers holds one keep-alive connection and sends pre-built requests, so the client costs a few
tens of microseconds per request and the servers, not the generator, are what is measured.

For each scenario it runs, per target: a warm-up (not recorded); then timed rounds that alternate
between the targets (A B, then B A, ...), so drift on a noisy machine hits both alike; then,
optionally, a counting pass of sequential requests between ``/_bench/sql/start`` and ``stop``.
Every loop is bounded in time and in requests. Any non-2xx answer, or a body with a forbidden
marker (``"errors"`` for GraphQL), counts as an error and is reported with a sample.

An *operation* is a list of requests sent one after the other on one connection; its latency is
the whole sequence's (the direct carrier calls of a setup are three).
"""

import asyncio
import json
import math
import os
import sys
import time
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

REQUEST_TIMEOUT = 30.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


class HttpError(Exception):
    pass


@dataclass
class Target:
    name: str
    host: str
    port: int
    ops: list[list[bytes]]
    timed: bool = True
    unique: bool = False  # each op once at most (e.g. idempotency keys)
    sql_control: bool = False
    forbid: list[bytes] = field(default_factory=lambda: [b'"errors"'])
    next_op: int = 0
    latencies: list[float] = field(default_factory=list)
    requests: int = 0
    errors: int = 0
    error_sample: str | None = None
    elapsed: float = 0.0
    exhausted: bool = False
    statements: int | None = None
    statement_counts: list[int] = field(default_factory=list)
    statement_shapes: list[str] | None = None  # the first counted request's statements
    counted: int = 0
    pid: int | None = None  # the server's, to read its CPU time
    cpu_seconds: float = 0.0

    def take(self) -> list[bytes] | None:
        if self.unique and self.next_op >= len(self.ops):
            self.exhausted = True
            return None
        op = self.ops[self.next_op % len(self.ops)]
        self.next_op += 1
        return op


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.closed = False

    @classmethod
    async def open(cls, host: str, port: int) -> "Connection":
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer)

    async def exchange(self, request: bytes) -> tuple[int, bytes]:
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        lower = head.lower()
        body: bytes
        position = lower.find(b"\r\ncontent-length:")
        if position >= 0:
            end = lower.index(b"\r\n", position + 2)
            length = int(lower[position + 17 : end])
            body = await self.reader.readexactly(length)
        elif b"\r\ntransfer-encoding: chunked" in lower:
            parts = []
            while True:
                size_line = await self.reader.readuntil(b"\r\n")
                size = int(size_line.split(b";", 1)[0], 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                parts.append(chunk[:-2])
            body = b"".join(parts)
        else:
            raise HttpError("response without a length")
        if b"\r\nconnection: close" in lower:
            self.closed = True
        return status, body

    def close(self) -> None:
        self.writer.close()


async def _run_op(conn: Connection, target: Target, op: list[bytes]) -> bool:
    for request in op:
        status, body = await conn.exchange(request)
        bad = not 200 <= status < 300 or any(marker in body for marker in target.forbid)
        if bad:
            target.errors += 1
            if target.error_sample is None:
                target.error_sample = f"HTTP {status}: {body[:600].decode('utf-8', 'replace')}"
            return False
    return True


async def drive(target: Target, concurrency: int, seconds: float, limit: int, record: bool) -> int:
    """``concurrency`` workers send ops to ``target`` for ``seconds`` or ``limit`` ops; how many
    ops were sent."""
    deadline = time.perf_counter() + seconds
    sent = 0

    async def worker() -> None:
        nonlocal sent
        conn = await Connection.open(target.host, target.port)
        try:
            while time.perf_counter() < deadline and sent < limit:
                op = target.take()
                if op is None:
                    return
                sent += 1
                started = time.perf_counter()
                async with asyncio.timeout(REQUEST_TIMEOUT):
                    ok = await _run_op(conn, target, op)
                if record:
                    target.requests += 1
                    if ok:
                        target.latencies.append(time.perf_counter() - started)
                if conn.closed:
                    conn.close()
                    conn = await Connection.open(target.host, target.port)
        finally:
            conn.close()

    started = time.perf_counter()
    cpu_before = process_cpu_seconds(target.pid)
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    if record:
        target.elapsed += time.perf_counter() - started
        target.cpu_seconds += process_cpu_seconds(target.pid) - cpu_before
    return sent


def process_cpu_seconds(pid: int | None) -> float:
    """User + system CPU time of a process so far (Linux; 0 elsewhere or without a pid)."""
    if pid is None:
        return 0.0
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # After the command name: state is field 3, utime 14 and stime 15 (1-based, man 5 proc).
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


async def _control(target: Target, action: str) -> dict[str, Any]:
    conn = await Connection.open(target.host, target.port)
    try:
        request = (
            f"POST /_bench/sql/{action} HTTP/1.1\r\nHost: {target.host}\r\n"
            "Content-Length: 0\r\n\r\n"
        ).encode()
        status, body = await conn.exchange(request)
        if status != 200:
            raise HttpError(f"/_bench/sql/{action}: HTTP {status}")
        answer: dict[str, Any] = json.loads(body)
        return answer
    finally:
        conn.close()


async def count_statements(target: Target, requests: int) -> None:
    """Sequential ops, each between start and stop: the server's statement count for exactly
    that op, so a request that costs more than the others shows."""
    for _ in range(requests):
        await _control(target, "start")
        sent = await drive(target, 1, 60.0, 1, record=False)
        answer = await _control(target, "stop")
        if not sent:
            break
        target.counted += sent
        target.statement_counts.append(answer["statements"])
        if target.statement_shapes is None:
            target.statement_shapes = answer.get("shapes")
    target.statements = sum(target.statement_counts)


def percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def summary(target: Target) -> dict[str, Any]:
    values = sorted(target.latencies)
    ok = len(values)
    return {
        "requests": target.requests,
        "errors": target.errors,
        "error_sample": target.error_sample,
        "exhausted": target.exhausted,
        "elapsed_s": target.elapsed,
        "rps": ok / target.elapsed if target.elapsed else math.nan,
        "p50_ms": percentile(values, 0.50) * 1000,
        "p90_ms": percentile(values, 0.90) * 1000,
        "p99_ms": percentile(values, 0.99) * 1000,
        "mean_ms": (sum(values) / ok * 1000) if ok else math.nan,
        # The server's CPU time per request during the timed rounds: steadier than wall-clock
        # figures on a busy machine (None when the server's process is not known).
        "cpu_ms_per_request": (
            target.cpu_seconds / target.requests * 1000
            if target.pid is not None and target.requests
            else None
        ),
        "max_ms": (values[-1] * 1000) if ok else math.nan,
        "statements": target.statements,
        "statements_min": min(target.statement_counts, default=None),
        "statements_max": max(target.statement_counts, default=None),
        "statement_shapes": target.statement_shapes,
        "statements_per_request": (
            target.statements / target.counted
            if target.statements is not None and target.counted
            else None
        ),
    }


def _targets(spec: dict[str, Any]) -> list[Target]:
    return [
        Target(
            name=raw["name"],
            host=raw["host"],
            port=raw["port"],
            ops=[[r.encode("latin-1") for r in op] for op in raw["ops"]],
            timed=raw.get("timed", True),
            unique=raw.get("unique", False),
            sql_control=raw.get("sql_control", False),
            forbid=[m.encode() for m in raw.get("forbid", ['"errors"'])],
            pid=raw.get("pid"),
        )
        for raw in spec["targets"]
    ]


async def run(spec: dict[str, Any]) -> dict[str, Any]:
    targets = _targets(spec)
    concurrency: int = spec["concurrency"]
    rounds: int = spec.get("rounds", 2)
    limit: int = spec.get("max_requests", 1_000_000)
    timed = [t for t in targets if t.timed]

    def budget(target: Target) -> int:
        # Single-use ops are shared out equally between the warm-up and the rounds, so no round
        # finds them all spent; the counting pass has its own few set aside.
        reserve = spec.get("count_requests", 0) if target.sql_control else 0
        share = (len(target.ops) - reserve) // (rounds + 1)
        return min(limit, share) if target.unique else limit

    for target in timed:
        await drive(target, concurrency, spec["warmup_s"], budget(target), record=False)
    for number in range(rounds):
        order = timed if number % 2 == 0 else list(reversed(timed))
        for target in order:
            seconds = spec["duration_s"] / rounds
            await drive(target, concurrency, seconds, budget(target), record=True)
    for target in targets:
        if target.sql_control and spec.get("count_requests", 0):
            await count_statements(target, spec["count_requests"])
    return {"targets": {t.name: summary(t) for t in targets}}


def run_event_loop(main: Coroutine[Any, Any, dict[str, Any]]) -> dict[str, Any]:
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    result: dict[str, Any] = uvloop.run(main)
    return result


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as spec_file:
        spec = json.load(spec_file)
    result = run_event_loop(run(spec))
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
