"""Turning one run's measurements into tables: per scenario, and the issue's goals."""

import argparse
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.scenarios import SCENARIOS

RSS_LIMIT_MIB = 200.0
SWEEP_LIMIT_S = 10.0
SETUP_OVERHEAD_LIMIT_MS = 10.0


def _num(value: object, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, int | float):
        return f"{value:,.{digits}f}"
    return str(value)


def _ratio(a: object, b: object) -> float | None:
    if not isinstance(a, int | float) or not isinstance(b, int | float) or not b:
        return None
    if math.isnan(a) or math.isnan(b):
        return None
    return a / b


def _fmt_ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def _statements(t: dict[str, Any]) -> str:
    """Mean statements per request; the range when requests differed."""
    mean = _num(t["statements_per_request"], 2)
    low, high = t.get("statements_min"), t.get("statements_max")
    if low is not None and high is not None and low != high:
        return f"{mean} ({low}-{high})"
    return mean


def counterpart(name: str, targets: dict[str, Any]) -> str | None:
    """The baseline a trunkql target is compared with: same label with raw for trunkql, else the
    first target that is not trunkql's."""
    if not name.startswith("trunkql"):
        return None
    same = name.replace("trunkql", "raw", 1)
    if same in targets:
        return same
    return next((n for n in targets if not n.startswith("trunkql")), None)


def scenario_table(result: dict[str, Any]) -> list[str]:
    targets: dict[str, Any] = result["targets"]
    rss: dict[str, Any] = result.get("rss", {})
    servers: dict[str, str] = result.get("servers", {})
    lines = [
        "| target | req/s | vs baseline | p50 ms | vs baseline | p99 ms | vs baseline "
        "| server CPU ms/req | vs baseline | SQL/req | server peak RSS MiB | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, t in targets.items():
        timed = bool(t["elapsed_s"])
        other = counterpart(name, targets)
        o = targets.get(other) if other else None
        server = servers.get(name, "")
        cells = [
            name,
            _num(t["rps"]) if timed else "(counted only)",
            _fmt_ratio(_ratio(t["rps"], o["rps"])) if o and timed else "",
            _num(t["p50_ms"], 2) if timed else "",
            _fmt_ratio(_ratio(t["p50_ms"], o["p50_ms"])) if o and timed else "",
            _num(t["p99_ms"], 2) if timed else "",
            _fmt_ratio(_ratio(t["p99_ms"], o["p99_ms"])) if o and timed else "",
            _num(t.get("cpu_ms_per_request"), 2) if timed else "",
            _fmt_ratio(_ratio(t.get("cpu_ms_per_request"), o.get("cpu_ms_per_request")))
            if o and timed
            else "",
            _statements(t),
            _num(rss.get(server)) if server in rss else "",
            str(t["errors"]) + (" (ran out of ops)" if t.get("exhausted") else ""),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


@dataclass(frozen=True)
class Goal:
    scenario: str
    measured: str
    reference: str
    ratio: str
    goal: str
    met: bool | None  # None: not measured

    @property
    def verdict(self) -> str:
        return {True: "yes", False: "**no**", None: "not measured"}[self.met]


def _t(run: dict[str, Any], key: str, name: str) -> dict[str, Any] | None:
    scenario = run["scenarios"].get(key)
    if scenario is None:
        return None
    target: dict[str, Any] | None = scenario["targets"].get(name)
    return target


_SHOWN: dict[str, Callable[[float], str]] = {
    "p50_ms": lambda value: f"p50 {_num(value, 2)} ms",
    "rps": lambda value: f"{_num(value)} req/s",
}


def _against_raw(
    scenario: str,
    trunkql: dict[str, Any] | None,
    raw_target: dict[str, Any] | None,
    metric: str,
    goal: str,
    *,
    at_most: float | None = None,
    at_least: float | None = None,
    raw: str = "raw",
) -> Goal:
    """A goal on trunkql's ``metric`` divided by the raw baseline's."""
    if not (trunkql and raw_target):
        return Goal(scenario, "not run", "", "", goal, None)
    ratio = _ratio(trunkql[metric], raw_target[metric])
    met = ratio is not None and (
        (at_most is None or ratio <= at_most) and (at_least is None or ratio >= at_least)
    )
    shown = _SHOWN[metric]
    return Goal(
        scenario,
        shown(trunkql[metric]),
        f"{raw} {shown(raw_target[metric])}",
        _fmt_ratio(ratio),
        goal,
        met,
    )


def goals(run: dict[str, Any]) -> list[Goal]:
    rows: list[Goal] = []
    missing = "not run"

    t, r = _t(run, "provider", "trunkql"), _t(run, "provider", "raw")
    rows.append(
        _against_raw("`provider(id)` all fields", t, r, "p50_ms", "p50 ≤ 1.5x raw", at_most=1.5)
    )

    t, r = _t(run, "providers", "trunkql"), _t(run, "providers", "raw")
    rows.append(
        _against_raw(
            "`providers(first: 100)` all fields", t, r, "rps", "throughput ≥ 0.5x raw", at_least=0.5
        )
    )
    if t and r:
        last = _t(run, "providers", "trunkql last page")
        raw_last = _t(run, "providers", "raw last page")
        if last:
            ratio = _ratio(last["p50_ms"], t["p50_ms"])
            raw_ratio = _ratio(raw_last["p50_ms"], r["p50_ms"]) if raw_last else None
            rows.append(
                Goal(
                    "last page vs first page of 100k providers",
                    f"last page p50 {_num(last['p50_ms'], 2)} ms",
                    f"first page p50 {_num(t['p50_ms'], 2)} ms (raw: {_fmt_ratio(raw_ratio)})",
                    _fmt_ratio(ratio),
                    "≤ 1.2",
                    ratio is not None and ratio <= 1.2,
                )
            )

    t = _t(run, "routes", "trunkql")
    if t:
        pages = {
            1: _t(run, "routes", "trunkql first: 1") or {},
            10: _t(run, "routes", "trunkql first: 10") or {},
            100: t,
        }
        most = {first: page.get("statements_max") for first, page in pages.items()}
        r = _t(run, "routes", "raw")
        rows.append(
            Goal(
                "`routes(first: 100) { provider }`",
                f"{_statements(t)} statements/request at first: 100",
                f"first: 1 → {_statements(pages[1])}, first: 10 → {_statements(pages[10])}; "
                f"raw: {_statements(r) if r else '-'}",
                "",
                "constant (no N+1)",
                # The most a request costs does not grow with the page.
                None not in most.values() and most[100] == most[1] == most[10],
            )
        )
    else:
        rows.append(Goal("`routes(first: 100) { provider }`", missing, "", "", "constant", None))

    big, small = _t(run, "dialplan", "trunkql"), _t(run, "dialplan", "trunkql 100 routes")
    if big and small:
        ratio = _ratio(big["p50_ms"], small["p50_ms"])
        raw_big, raw_small = _t(run, "dialplan", "raw"), _t(run, "dialplan", "raw 100 routes")
        raw_ratio = (
            _ratio(raw_big["p50_ms"], raw_small["p50_ms"]) if raw_big and raw_small else None
        )
        rows.append(
            Goal(
                "`dialPlan` with 100k routes vs 100",
                f"100k: p50 {_num(big['p50_ms'], 2)} ms",
                f"100: p50 {_num(small['p50_ms'], 2)} ms (raw: {_fmt_ratio(raw_ratio)})",
                _fmt_ratio(ratio),
                "≤ 1.2",
                ratio is not None and ratio <= 1.2,
            )
        )
    else:
        rows.append(Goal("`dialPlan` with 100k routes vs 100", missing, "", "", "≤ 1.2", None))

    t, r = _t(run, "create", "trunkql"), _t(run, "create", "raw")
    rows.append(
        _against_raw(
            "`createProvider`", t, r, "rps", "throughput ≥ 0.5x raw", at_least=0.5, raw="raw insert"
        )
    )

    t, c = _t(run, "setup", "trunkql"), _t(run, "setup", "telnyx direct")
    if t and c:
        overhead = t["p50_ms"] - c["p50_ms"]
        rows.append(
            Goal(
                "`setupProvider` (fake Telnyx)",
                f"p50 {_num(t['p50_ms'], 2)} ms; overhead {_num(overhead, 2)} ms",
                f"the 3 carrier calls direct: p50 {_num(c['p50_ms'], 2)} ms",
                _fmt_ratio(_ratio(t["p50_ms"], c["p50_ms"])),
                f"overhead < {SETUP_OVERHEAD_LIMIT_MS:g} ms",
                overhead < SETUP_OVERHEAD_LIMIT_MS,
            )
        )
    else:
        rows.append(Goal("`setupProvider` (fake Telnyx)", missing, "", "", "< 10 ms", None))

    sweep = run.get("sweep") or {}
    if sweep.get("sweeps"):
        seconds = [s["seconds"] for s in sweep["sweeps"]]
        probed = sweep["sweeps"][0]["probed"]
        rows.append(
            Goal(
                f"health sweep of {sweep['providers']:,} providers",
                f"worst of {len(seconds)} sweeps {max(seconds):.2f} s",
                "sweeps: " + ", ".join(f"{s:.2f} s" for s in seconds) + f"; {probed:,} probed",
                "",
                f"< {SWEEP_LIMIT_S:g} s",
                max(seconds) < SWEEP_LIMIT_S,
            )
        )
    else:
        reason = sweep.get("skipped", missing)
        rows.append(Goal("health sweep of 5,000 providers", reason, "", "", "< 10 s", None))

    peaks = [
        (rss, f"{key}, {server}")
        for key, s in run["scenarios"].items()
        for server, rss in s.get("rss", {}).items()
        if server.startswith("trunkql") and rss is not None
    ]
    if sweep.get("peak_rss_mib") is not None:
        peaks.append((sweep["peak_rss_mib"], "sweep"))
    if peaks:
        peak, where = max(peaks)
        raw_peaks = [
            rss
            for s in run["scenarios"].values()
            for server, rss in s.get("rss", {}).items()
            if server.startswith("raw")
        ]
        raw_peak = max((p for p in raw_peaks if p is not None), default=None)
        rows.append(
            Goal(
                "server RSS, any scenario",
                f"peak {_num(peak)} MiB ({where})",
                f"raw baseline peak {_num(raw_peak)} MiB",
                _fmt_ratio(_ratio(peak, raw_peak)),
                f"< {RSS_LIMIT_MIB:g} MB",
                peak < RSS_LIMIT_MIB,
            )
        )
    return rows


def goals_table(rows: list[Goal]) -> list[str]:
    lines = [
        "| scenario | measured | compared with | ratio | goal | met? |",
        "|---|---|---|---:|---|---|",
    ]
    for g in rows:
        lines.append(
            f"| {g.scenario} | {g.measured} | {g.reference} | {g.ratio} | {g.goal} | {g.verdict} |"
        )
    return lines


def _shapes(result: dict[str, Any]) -> list[str]:
    """The SQL statements one request sent (verb and table), per target that was counted."""
    lines = []
    for name, t in result["targets"].items():
        shapes = t.get("statement_shapes")
        if shapes and name in ("trunkql", "raw"):
            lines.append(f"- statements of one {name} request: " + ", ".join(shapes))
    return [*lines, ""] if lines else []


def render(run: dict[str, Any]) -> str:
    env = run["environment"]
    settings = run["settings"]
    out = [
        f"## {run['database_label']}",
        "",
        f"- date: {env['date']}",
        f"- command: `{env['command']}`",
        f"- commit: {env['commit']}",
        f"- machine: {env['machine']}",
        f"- versions: {env['versions']}",
        f"- database: {run['database_version']}; a 4 KiB write + fsync in the work folder took "
        f"{run.get('fsync_ms', math.nan):.2f} ms (median) when the run started",
        f"- load: concurrency {settings['concurrency']}, {settings['duration']:g} s per target "
        f"in {settings['rounds']} alternating rounds after {settings['warmup']:g} s warm-up; "
        f"SQL counted over {settings['count_requests']} sequential requests",
        f"- data: {settings['providers']:,} providers and {settings['routes']:,} routes (the "
        f"dialPlan's comparison: a copy with 100 routes); seeding took {run['seed_seconds']:.1f} s",
        *(
            [f"- server settings changed: `{settings['server_env']}`"]
            if settings.get("server_env")
            else []
        ),
        *(
            [f"- SQLite URL parameters: `?{settings['sqlite_params']}`"]
            if settings.get("sqlite_params")
            else []
        ),
        "",
        "### Goals",
        "",
        *goals_table(goals(run)),
        "",
    ]
    for scenario in SCENARIOS:
        result = run["scenarios"].get(scenario.key)
        if result is None:
            continue
        out += [
            f"### {scenario.title}",
            "",
            f"concurrency {result['concurrency']}; answers checked: {result['sanity']}",
            "",
            *scenario_table(result),
            "",
            *_shapes(result),
        ]
    sweep = run.get("sweep") or {}
    if sweep.get("sweeps"):
        out += [
            f"### Health sweep of {sweep['providers']:,} providers",
            "",
            f"{sweep['concurrency']} probes in flight, loopback UDP responder on "
            f"{sweep['responder_ports']} ports; peak RSS of the sweeping process "
            f"{_num(sweep['peak_rss_mib'])} MiB",
            "",
            "| sweep | seconds | probed | reachable | transitions | errors |",
            "|---:|---:|---:|---:|---:|---:|",
            *(
                f"| {n} | {s['seconds']:.2f} | {s['probed']:,} | {s['reachable']:,} "
                f"| {s['transitions']:,} | {s['errors']} |"
                for n, s in enumerate(sweep["sweeps"], start=1)
            ),
            "",
        ]
    return "\n".join(out)


def summary_table(runs: list[dict[str, Any]]) -> list[str]:
    """The goals of several runs (one per database) side by side."""
    rows = [goals(run) for run in runs]
    head = "| scenario | goal | " + " | ".join(f"{r['database_label']} | met?" for r in runs) + " |"
    lines = [head, "|---|---|" + "---|---|" * len(runs)]
    for index, first in enumerate(rows[0]):
        cells = [first.scenario, first.goal]
        for run_rows in rows:
            g = run_rows[index]
            figure = f"{g.measured}; {g.reference}" if g.reference else g.measured
            cells += [f"{figure} ({g.ratio})" if g.ratio else figure, g.verdict]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description="re-render reports from bench/results/*.json")
    parser.add_argument("runs", nargs="+", type=Path, help="JSON results, one per database")
    parser.add_argument("--summary", action="store_true", help="only the goals, side by side")
    args = parser.parse_args()
    runs = [json.loads(path.read_text()) for path in args.runs]
    if args.summary:
        print("\n".join(summary_table(runs)))
    else:
        print("\n\n".join(render(run) for run in runs))


if __name__ == "__main__":
    main()
