"""The benchmark harness, one command:

    .venv/bin/python -m bench.run [--postgres-url URL] [--duration S] [--concurrency N]
                                  [--scenarios provider,providers,...]

For each database (SQLite always unless ``--databases`` says otherwise; PostgreSQL when a URL is
given) it creates a fresh database, migrates it with ``trunkql migrate``, seeds it in bulk
(``bench.seed``, 100k providers and 100k routes, plus a copy holding 100 routes), starts trunkql
(``trunkql serve`` via ``bench.serve``: uvicorn, one worker) and the raw baseline
(``bench.baseline``) on each of the two databases, and the fake Telnyx (``trunkql fake-telnyx``),
each its own process, and drives every scenario from a separate load-generator process
(``bench.loadgen``) over loopback. The health sweep runs last, in its own process against its own
database and a loopback SIP responder. It prints one report per database and writes it to
``bench/results/<database>.md`` (and ``.json``). See BENCHMARKS.md for the method.

Every loop is bounded in time and count; every server listens on 127.0.0.1 only. Never part of
the test suite.
"""

import argparse
import asyncio
import http.client
import json
import os
import platform
import secrets
import shlex
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from importlib.util import find_spec
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit, urlunsplit

from bench import seed
from bench.procinfo import cpu_model, fsync_ms, memory_gib, peak_rss_mib, reset_peak_rss
from bench.profiles import render as render_profile
from bench.profiles import summarize
from bench.report import render, summary_table
from bench.scenarios import (
    SCENARIO_KEYS,
    SCENARIOS,
    Context,
    Endpoint,
    Scenario,
    Server,
    Target,
)

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HOST = "127.0.0.1"
TELNYX_KEY = "KEYbench0123456789abcdef"
DEFAULT_POSTGRES_ADMIN = "postgres://postgres@127.0.0.1:5432/test"
LIBRARIES = (
    "strawberry-graphql",
    "graphql-core",
    "tortoise-orm",
    "pypika-tortoise",
    "starlette",
    "uvicorn",
    "uvloop",
    "httptools",
    "aiosqlite",
    "asyncpg",
    "aiohttp",
    "pyjwt",
)


@dataclass(frozen=True)
class Options:
    databases: tuple[str, ...]
    postgres_url: str
    duration: float
    warmup: float
    concurrency: int
    rounds: int
    count_requests: int
    providers: int
    routes: int
    sweep_providers: int
    scenarios: frozenset[str]
    output_dir: Path
    keep: bool
    profile: bool
    server_env: tuple[tuple[str, str], ...]
    sqlite_params: str


def log(message: str) -> None:
    sys.stderr.write(f"[bench {datetime.now().strftime('%H:%M:%S')}] {message}\n")
    sys.stderr.flush()


# --- processes --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def child_env(settings: Mapping[str, str]) -> dict[str, str]:
    """The caller's environment without TRUNKQL_ settings, plus ``settings``; this checkout first
    on the import path, so children run the same code as the harness."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUNKQL_")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    env.update(settings)
    return env


def trunkql_cli(args: Sequence[str], env: Mapping[str, str], timeout: float = 120) -> str:
    """``trunkql ARGS`` (the console script's module, from this checkout)."""
    done = subprocess.run(
        [PYTHON, "-m", "server.cli", *args],
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"trunkql {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


@contextmanager
def process(
    name: str, args: Sequence[str], env: Mapping[str, str], workdir: Path, stdout_pipe: bool = False
) -> Iterator[subprocess.Popen[str]]:
    """A child process, its output in ``workdir/<name>.log``; terminated (then killed) at exit."""
    log_path = workdir / f"{name}.log"
    with log_path.open("w") as log_file:
        child = subprocess.Popen(
            [PYTHON, *args],
            cwd=workdir,
            env=dict(env),
            stdout=subprocess.PIPE if stdout_pipe else log_file,
            stderr=log_file,
            text=True,
        )
    try:
        yield child
    finally:
        child.terminate()
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def wait_until_serving(child: subprocess.Popen[str], port: int, path: str, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        if child.poll() is not None:
            raise RuntimeError(f"{log_path.stem} exited early:\n{log_path.read_text()[-3000:]}")
        try:
            status, _ = exchange(Endpoint(HOST, port), f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n")
            if status == 200:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{log_path.stem} did not start:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.1)


def exchange(where: Endpoint, request: str, timeout: float = 30) -> tuple[int, bytes]:
    """One pre-built request over a fresh connection (for checks, not for load)."""
    with socket.create_connection((where.host, where.port), timeout=timeout) as sock:
        sock.sendall(request.encode("latin-1"))
        response = http.client.HTTPResponse(sock)
        response.begin()
        return response.status, response.read()


# --- databases --------------------------------------------------------------------------------


def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


async def _postgres_admin(admin_url: str, sql: str) -> str:
    import asyncpg

    connection = await asyncpg.connect(admin_url.replace("postgres://", "postgresql://", 1))
    try:
        if sql.upper().startswith("SELECT"):
            return str(await connection.fetchval(sql))
        await connection.execute(sql)
        return ""
    finally:
        await connection.close()


@contextmanager
def fresh_database(
    kind: str, opts: Options, workdir: Path, label: str, copy_of: str | None = None
) -> Iterator[str]:
    """A new database's URL: empty, or a copy of the database at ``copy_of`` (which nothing may
    be connected to meanwhile). PostgreSQL databases are dropped afterwards unless --keep."""
    if kind == "sqlite":
        path = workdir / f"{label}.sqlite3"
        if copy_of is not None:
            source = Path(copy_of.removeprefix("sqlite://").split("?", 1)[0])
            for suffix in ("", "-wal", "-shm"):
                if source.with_name(source.name + suffix).exists():
                    shutil.copyfile(
                        source.with_name(source.name + suffix), path.with_name(path.name + suffix)
                    )
        yield f"sqlite://{path}" + (f"?{opts.sqlite_params}" if opts.sqlite_params else "")
        return
    name = f"trunkql_bench_{label}_{uuid.uuid4().hex[:8]}"
    template = f' TEMPLATE "{urlsplit(copy_of).path.lstrip("/")}"' if copy_of else ""
    asyncio.run(_postgres_admin(opts.postgres_url, f'CREATE DATABASE "{name}"{template}'))
    try:
        yield _with_database(opts.postgres_url, name)
    finally:
        if not opts.keep:
            asyncio.run(
                _postgres_admin(opts.postgres_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            )


def database_version(kind: str, opts: Options) -> str:
    if kind == "sqlite":
        return f"SQLite {sqlite3.sqlite_version} (WAL, as Tortoise opens it)"
    return asyncio.run(_postgres_admin(opts.postgres_url, "SELECT version()")).split(" on ")[0]


# --- seeding ----------------------------------------------------------------------------------


def run_seed(url: str, *args: str) -> dict[str, int]:
    """One ``bench.seed`` step, in its own process; the row counts after it."""
    done = subprocess.run(
        [PYTHON, "-m", "bench.seed", "--database-url", url, *args],
        env=child_env({}),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"seeding failed:\n{done.stderr[-3000:]}")
    counted: dict[str, int] = json.loads(done.stdout)
    return counted


# --- scenarios --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Process:
    where: Endpoint
    pid: int


Servers = dict[Server, Process]


def sanity_check(scenario: Scenario, targets: list[Target], servers: Servers) -> str:
    """One request to each server before the load: a 200, no errors, the scenario's check, and
    (for reads) the same data from each trunkql target and its raw counterpart."""
    data: dict[str, Any] = {}
    for target in targets:
        if target.server == "telnyx" or not target.timed:
            continue
        request = target.probe or target.ops[0][0]
        status, body = exchange(servers[target.server].where, request)
        answer = json.loads(body)
        if status != 200 or answer.get("errors"):
            raise RuntimeError(f"{scenario.key}/{target.name}: HTTP {status} {body[:500]!r}")
        problem = scenario.check(answer["data"]) if scenario.check else None
        if problem:
            raise RuntimeError(f"{scenario.key}/{target.name}: {problem}")
        data[target.name] = answer["data"]
    if not scenario.same_data:
        return "valid"
    for name, answer in data.items():
        raw = data.get(name.replace("trunkql", "raw", 1))
        if name.startswith("trunkql") and raw != answer:
            raise RuntimeError(
                f"{scenario.key}: {name} and its raw baseline answer different data:\n"
                f"{json.dumps(answer)[:800]}\n{json.dumps(raw)[:800]}"
            )
    return "valid, same data from trunkql and raw"


def run_scenario(
    scenario: Scenario, ctx: Context, servers: Servers, opts: Options, label: str, workdir: Path
) -> dict[str, Any]:
    targets = scenario.build(ctx)
    sanity = sanity_check(scenario, targets, servers)
    concurrency = scenario.concurrency or opts.concurrency
    spec = {
        "concurrency": concurrency,
        "warmup_s": opts.warmup,
        "duration_s": opts.duration,
        "rounds": opts.rounds,
        "count_requests": opts.count_requests,
        "targets": [t.spec(servers[t.server].where, servers[t.server].pid) for t in targets],
    }
    spec_path = workdir / f"spec-{scenario.key}.json"
    spec_path.write_text(json.dumps(spec))
    timed = sum(1 for t in targets if t.timed)
    budget = timed * (opts.warmup + opts.duration + 30) + len(targets) * 60 + 60
    used = {t.server for t in targets}
    for server in used:
        reset_peak_rss(servers[server].pid)
    log(f"{scenario.key}: {scenario.title} (concurrency {concurrency})")
    with profiling(opts, servers["trunkql"].pid, f"{label}-{scenario.key}"):
        done = subprocess.run(
            [PYTHON, "-m", "bench.loadgen", str(spec_path)],
            env=child_env({}),
            capture_output=True,
            text=True,
            timeout=budget,
            check=False,
        )
    if done.returncode != 0:
        raise RuntimeError(f"load generator failed on {scenario.key}:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout)
    result["rss"] = {server: peak_rss_mib(servers[server].pid) for server in sorted(used)}
    result["servers"] = {t.name: t.server for t in targets}
    result["concurrency"] = concurrency
    result["sanity"] = sanity
    for name, t in result["targets"].items():
        cpu = t["cpu_ms_per_request"]
        log(
            f"  {name:<20} {t['rps']:9.1f} req/s  p50 {t['p50_ms']:8.2f} ms  "
            f"p99 {t['p99_ms']:8.2f} ms  CPU/req {cpu if cpu is None else round(cpu, 2)} ms  "
            f"SQL/req {t['statements_per_request']}  errors {t['errors']}"
        )
        if t["errors"]:
            log(f"  !! {name}: {t['error_sample']}")
    return result


def py_spy_path() -> str:
    beside = Path(PYTHON).with_name("py-spy")
    found = str(beside) if beside.exists() else shutil.which("py-spy")
    if found is None:
        raise SystemExit("--profile needs py-spy: .venv/bin/pip install -e '.[bench]'")
    return found


@contextmanager
def profiling(opts: Options, pid: int, name: str) -> Iterator[None]:
    """With --profile: py-spy samples the trunkql process meanwhile (collapsed stacks, and a
    summary by ``bench.profiles``, in ``<output-dir>/profiles/``)."""
    if not opts.profile:
        yield
        return
    folder = opts.output_dir / "profiles"
    folder.mkdir(parents=True, exist_ok=True)
    stacks = folder / f"{name}.txt"
    py_spy = py_spy_path()
    options = ["--nonblocking", "--rate", "200", "--format", "raw", "--duration", "900"]
    spy = subprocess.Popen(
        [py_spy, "record", "--pid", str(pid), *options, "--output", str(stacks)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        spy.send_signal(signal.SIGINT)  # py-spy writes what it has and exits
        try:
            spy.wait(timeout=30)
        except subprocess.TimeoutExpired:
            spy.kill()
            spy.wait()
    if stacks.exists():
        summary = render_profile(summarize(stacks, under="Route.handle", top=40))
        stacks.with_suffix(".summary.txt").write_text(summary + "\n", encoding="utf-8")


# --- the health sweep -------------------------------------------------------------------------


def run_sweep(kind: str, opts: Options, workdir: Path) -> dict[str, Any]:
    if find_spec("services.health") is None:
        return {"skipped": "not measured: services.health is not in this checkout"}
    ports = 50
    with fresh_database(kind, opts, workdir, "sweep") as url:
        env = child_env({"TRUNKQL_DATABASE_URL": url})
        trunkql_cli(["migrate"], env)
        with process(
            "sip-responder",
            ["-m", "bench.sip_responder", "--ports", str(ports), "--lifetime", "600"],
            env,
            workdir,
            stdout_pipe=True,
        ) as responder:
            stdout: IO[str] | None = responder.stdout
            assert stdout is not None
            listening = json.loads(stdout.readline())["ports"]
            hostnames = [
                f"127.0.0.1:{listening[i % len(listening)]}" for i in range(opts.sweep_providers)
            ]
            hostnames_file = workdir / "sweep-hostnames.json"
            hostnames_file.write_text(json.dumps(hostnames))
            run_seed(url, "sweep", "--hostnames", str(hostnames_file))
            log(f"sweep: HealthMonitor.sweep() over {opts.sweep_providers:,} providers")
            done = subprocess.run(
                [PYTHON, "-m", "bench.health_sweep", "--database-url", url, "--sweeps", "3"],
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
        if done.returncode != 0:
            return {"skipped": f"sweep failed: {done.stderr.strip().splitlines()[-1:]}"}
        result: dict[str, Any] = json.loads(done.stdout)
        result["providers"] = opts.sweep_providers
        result["responder_ports"] = ports
        for n, s in enumerate(result["sweeps"], start=1):
            log(f"  sweep {n}: {s['seconds']:.2f} s, {s['probed']} probed, {s['errors']} errors")
        return result


# --- one database -----------------------------------------------------------------------------


def environment() -> dict[str, str]:
    versions = ", ".join(f"{name} {_version(name)}" for name in LIBRARIES)
    commit = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "-C", str(REPO), "status", "--porcelain"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": "python -m bench.run " + shlex.join(sys.argv[1:]),
        "commit": (commit or "unknown") + (" (with uncommitted changes)" if dirty else ""),
        "machine": f"{os.cpu_count()} cores ({cpu_model()}), {memory_gib():.1f} GiB, "
        f"{platform.system()} {platform.release()}",
        "versions": f"Python {platform.python_version()}, {versions}",
    }


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "absent"


def run_database(kind: str, opts: Options) -> dict[str, Any]:
    label = {"sqlite": "SQLite", "postgres": "PostgreSQL"}[kind]
    workdir = Path(tempfile.mkdtemp(prefix=f"trunkql-bench-{kind}-"))
    log(f"{label}: working in {workdir}")
    selected = [s for s in SCENARIOS if s.key in opts.scenarios]
    run: dict[str, Any] = {
        "database": kind,
        "database_label": label,
        "database_version": database_version(kind, opts),
        "environment": environment(),
        "settings": {
            "concurrency": opts.concurrency,
            "duration": opts.duration,
            "warmup": opts.warmup,
            "rounds": opts.rounds,
            "count_requests": opts.count_requests,
            "providers": opts.providers,
            "routes": opts.routes,
            "server_env": dict(opts.server_env),
            "sqlite_params": opts.sqlite_params if kind == "sqlite" else "",
        },
        "fsync_ms": fsync_ms(workdir),
        "scenarios": {},
    }
    server_settings = {
        # No background health sweeps in the servers: they would probe and update all 100k
        # providers every 30 s in the middle of the request figures. The sweep has its own
        # scenario, in its own process.
        "TRUNKQL_HEALTH_CHECK_ENABLED": "false",
        "TRUNKQL_JWT_SECRET": secrets.token_urlsafe(48),
        "TRUNKQL_SECRET_KEY": secrets.token_urlsafe(48),
        "TRUNKQL_SECRETS_FILE": str(workdir / "secrets.json"),
        **dict(opts.server_env),
    }
    try:
        with ExitStack() as databases:
            url = databases.enter_context(fresh_database(kind, opts, workdir, "main"))
            env = child_env({"TRUNKQL_DATABASE_URL": url, **server_settings})
            trunkql_cli(["migrate"], env)
            started = time.perf_counter()
            log(f"seeding {opts.providers:,} providers and 100 routes")
            run_seed(url, "providers", "--count", str(opts.providers))
            ids = seed.provider_ids(opts.providers)
            # The dialPlan's "100 routes" database: a copy of this state.
            small_url = databases.enter_context(
                fresh_database(kind, opts, workdir, "routes100", copy_of=url)
            )
            log(f"seeding routes up to {opts.routes:,}")
            counted = run_seed(
                url, "routes", "--providers", str(opts.providers), "--count", str(opts.routes)
            )
            run["seed_seconds"] = time.perf_counter() - started
            log(f"  now {counted['providers']:,} providers, {counted['routes']:,} routes")
            with ExitStack() as stack:
                servers = _start_servers(stack, env, small_url, workdir)
                token = trunkql_cli(
                    ["token", "--role", "PROJECT_SUPER_ADMIN", "--ttl", "14400"], env
                ).strip()
                ctx = Context(
                    trunkql=servers["trunkql"].where,
                    raw=servers["raw"].where,
                    telnyx=servers["telnyx"].where,
                    token=token,
                    telnyx_key=TELNYX_KEY,
                    provider_ids=ids,
                    last_page_cursor=seed.last_page_cursor(opts.providers),
                    unique_ops=3000 * (opts.rounds + 1) + opts.count_requests,
                )
                for scenario in selected:
                    run["scenarios"][scenario.key] = run_scenario(
                        scenario, ctx, servers, opts, kind, workdir
                    )
        if "sweep" in opts.scenarios:
            run["sweep"] = run_sweep(kind, opts, workdir)
    finally:
        if opts.keep:
            log(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return run


def _start_servers(
    stack: ExitStack, env: Mapping[str, str], small_url: str, workdir: Path
) -> Servers:
    """The fake Telnyx; trunkql and the raw baseline on the main database and on the 100-routes
    copy. Each on a free loopback port, each its own process."""
    names: tuple[Server, ...] = ("telnyx", "trunkql", "raw", "trunkql-100-routes", "raw-100-routes")
    ports: dict[Server, int] = {name: free_port() for name in names}
    telnyx_url = f"http://{HOST}:{ports['telnyx']}/v2"
    server_env = {**env, "TRUNKQL_TELNYX_BASE_URL": telnyx_url}
    small_env = {**server_env, "TRUNKQL_DATABASE_URL": small_url}
    commands: dict[Server, tuple[list[str], Mapping[str, str], str]] = {
        "telnyx": (
            ["-m", "server.cli", "fake-telnyx", "--valid-key", TELNYX_KEY, "--port"],
            env,
            "/_fake/state",
        ),
        "trunkql": (["-m", "bench.serve", "--port"], server_env, "/healthz"),
        "raw": (["-m", "bench.baseline", "--port"], server_env, "/healthz"),
        "trunkql-100-routes": (["-m", "bench.serve", "--port"], small_env, "/healthz"),
        "raw-100-routes": (["-m", "bench.baseline", "--port"], small_env, "/healthz"),
    }
    children = {
        name: stack.enter_context(
            process(name, [*args, str(ports[name])], child_environment, workdir)
        )
        for name, (args, child_environment, _) in commands.items()
    }
    for name, (_, _, ready_path) in commands.items():
        wait_until_serving(children[name], ports[name], ready_path, workdir / f"{name}.log")
    return {name: Process(Endpoint(HOST, ports[name]), children[name].pid) for name in names}


# --- the command ------------------------------------------------------------------------------


def parse_options(argv: Sequence[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run",
        description="Benchmark trunkql against a raw Starlette baseline (see BENCHMARKS.md).",
    )
    parser.add_argument(
        "--postgres-url",
        help="a PostgreSQL server to run on as well (an admin URL such as "
        f"{DEFAULT_POSTGRES_ADMIN}); a throw-away database is created beside it and dropped",
    )
    parser.add_argument(
        "--databases",
        help="comma-separated: sqlite, postgres (default: sqlite, plus postgres with a URL)",
    )
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per target (10)")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up seconds per target (2)")
    parser.add_argument("--concurrency", type=int, default=16, help="requests in flight (16)")
    parser.add_argument("--rounds", type=int, default=4, help="alternating rounds (4)")
    parser.add_argument(
        "--count-requests", type=int, default=20, help="requests per SQL counting pass (20)"
    )
    parser.add_argument("--providers", type=int, default=100_000)
    parser.add_argument("--routes", type=int, default=100_000)
    parser.add_argument("--sweep-providers", type=int, default=5_000)
    parser.add_argument(
        "--scenarios",
        default=",".join(SCENARIO_KEYS),
        help=f"comma-separated subset of: {', '.join(SCENARIO_KEYS)}",
    )
    parser.add_argument(
        "--output-dir", type=Path, default=REPO / "bench" / "results", help="where reports go"
    )
    parser.add_argument("--keep", action="store_true", help="keep the databases and logs")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="sample trunkql with py-spy during each scenario (pip install '.[bench]'); for "
        "diagnosis: sampling costs the server a little, so do not quote a profiled run's figures",
    )
    parser.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="TRUNKQL_NAME=VALUE",
        help="a setting for the servers (repeatable), to measure what it changes; the report "
        "lists it",
    )
    parser.add_argument(
        "--sqlite-params",
        default="",
        metavar="QUERY",
        help="query string for the SQLite URLs, e.g. synchronous=NORMAL (Tortoise runs each as a "
        "PRAGMA)",
    )
    args = parser.parse_args(argv)
    server_env = []
    for item in args.server_env:
        name, sep, value = item.partition("=")
        if not sep or not name.startswith("TRUNKQL_"):
            parser.error(f"--server-env takes TRUNKQL_NAME=VALUE, got {item!r}")
        server_env.append((name, value))
    if args.databases:
        databases = tuple(d.strip() for d in args.databases.split(",") if d.strip())
    else:
        databases = ("sqlite", "postgres") if args.postgres_url else ("sqlite",)
    unknown = set(databases) - {"sqlite", "postgres"}
    if unknown:
        parser.error(f"unknown database: {', '.join(sorted(unknown))}")
    scenarios = frozenset(s.strip() for s in args.scenarios.split(",") if s.strip())
    if scenarios - set(SCENARIO_KEYS):
        parser.error(f"unknown scenario: {', '.join(sorted(scenarios - set(SCENARIO_KEYS)))}")
    if args.providers <= 100 or args.routes < 100:
        parser.error("--providers must exceed 100 and --routes be at least 100")
    if not 1 <= args.concurrency <= 256 or args.duration <= 0 or args.duration > 600:
        parser.error("--concurrency must be 1-256 and --duration at most 600 s")
    if args.profile:
        py_spy_path()
    return Options(
        databases=databases,
        postgres_url=args.postgres_url or DEFAULT_POSTGRES_ADMIN,
        duration=args.duration,
        warmup=args.warmup,
        concurrency=args.concurrency,
        rounds=max(1, args.rounds),
        count_requests=args.count_requests,
        providers=args.providers,
        routes=args.routes,
        sweep_providers=args.sweep_providers,
        scenarios=scenarios,
        output_dir=args.output_dir,
        keep=args.keep,
        profile=args.profile,
        server_env=tuple(server_env),
        sqlite_params=args.sqlite_params,
    )


def main(argv: Sequence[str] | None = None) -> int:
    opts = parse_options(argv)
    opts.output_dir.mkdir(parents=True, exist_ok=True)
    runs = []
    for kind in opts.databases:
        run = run_database(kind, opts)
        runs.append(run)
        report = render(run)
        (opts.output_dir / f"{kind}.md").write_text(report + "\n", encoding="utf-8")
        (opts.output_dir / f"{kind}.json").write_text(json.dumps(run, indent=1), encoding="utf-8")
        sys.stdout.write(report + "\n\n")
        sys.stdout.flush()
    if len(runs) > 1:
        sys.stdout.write("## Goals side by side\n\n" + "\n".join(summary_table(runs)) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
