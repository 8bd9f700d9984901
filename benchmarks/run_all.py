"""Every benchmark in one run: one JSON of figures and ratios, and the README's table.

    python benchmarks/run_all.py [--out benchmarks/results.json] [--quick]

Runs each script below as its own process (figures handed back through LLMGW_BENCH_JSON,
``_harness.emit``; the OTHERS, which keep no JSON, by their goal lines), records the machine
(CPU model, cores, Python, load average before and after each script), and prints the
README's performance table from the JSON. Each script compares its targets side by side in
one run, interleaved, so machine load hits all alike: quote the ratios and medians, not the
absolute figures of another machine. It ends with the goals of issue 19 (and 17's
translation line), each met or missed. About twenty minutes on 2 cores; --quick is smaller
counts (a smoke run, not for the README).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

# name -> (script, arguments, quick arguments)
SCRIPTS: dict[str, tuple[str, list[str], list[str]]] = {
    "small": (
        "shim_overhead.py",
        ["--rounds", "3", "--seconds", "2", "--ttft-requests", "50"],
        ["--rounds", "1", "--seconds", "1", "--ttft-requests", "10"],
    ),
    "big": (
        "big_bodies.py",
        ["--rounds", "3", "--requests", "7", "--churn", "2"],
        ["--rounds", "1", "--requests", "3", "--churn", "1"],
    ),
    "translate": (
        "shim_translate_overhead.py",
        ["--rounds", "5", "--requests", "30"],
        ["--rounds", "2", "--requests", "10"],
    ),
    "streams": ("streams_500.py", [], ["--streams", "100"]),
    "env": ("env_startup.py", ["--runs", "20"], ["--runs", "5"]),
}
# The other scripts: no JSON of their own; their goal lines (or last lines) go in the table.
OTHERS: dict[str, tuple[str, list[str], list[str]]] = {
    "chain": ("chain_overhead.py", ["--rounds", "5"], ["--rounds", "1", "--ttft-requests", "20"]),
    "plugins": ("shim_plugins_overhead.py", ["--rounds", "3"], ["--rounds", "1", "--seconds", "1"]),
    "governance": ("governance_overhead.py", [], ["--repeat", "20"]),
    "translate in process": ("translate_overhead.py", [], ["--rounds", "2", "--iterations", "10"]),
    "mock": ("mock_throughput.py", [], ["--rounds", "1", "--seconds", "1"]),
    "bench accuracy": ("bench_accuracy.py", [], ["--requests-per-lane", "5"]),
    "bench capacity": ("bench_capacity.py", [], ["--rounds", "1", "--seconds", "1"]),
    "doctor": ("doctor_mock.py", [], ["-n", "2", "--deep-runs", "1"]),
    "dashboard": ("dashboard_cost.py", [], ["--n", "20000"]),
}
# (what, ratio key, "<=" or ">=", bound): issue 19's goals, and issue 17's translation goal.
GOALS: list[tuple[str, str, str, float]] = [
    ("all plugins, 1 MB body: added p50 (ms)", "big_1.0MB_added_all_ms", "<=", 4),
    ("all plugins, 5 MB body: added p50 (ms)", "big_5.0MB_added_all_ms", "<=", 15),
    ("event loop held, churned 5 MB, all plugins (ms)", "loop_lag_ms", "<=", 20),
    ("no plugins, 5 MB: added × the bare forwarder's", "big_5.0MB_plain_over_bare", "<=", 1.2),
    ("small body c=8: shim / bare forwarder", "c8_plain_over_bare", ">=", 1.3),
    ("small body c=8: default plugins / plain shim", "c8_default_over_plain", ">=", 0.9),
    ("small body c=8: all plugins / plain shim", "c8_all_over_plain", ">=", 0.75),
    ("small body c=1: added p50, plain shim (ms)", "c1_added_p50_plain_ms", "<=", 0.3),
    ("all plugins RSS over the plain shim (MB)", "rss_all_minus_plain_mb", "<=", 30),
    ("translation, 87 KB + 200 events: shim CPU (ms)", "translate_cpu_ms", "<=", 1.5),
    ("Responses ⇄ Messages, 87 KB + 200 events: p50 (ms)", "responses_wall_ms", "<=", 2),
    ("500 concurrent streams: errors", "streams_errors", "<=", 0),
    ("500 concurrent streams: RSS growth (MB)", "streams_rss_growth_mb", "<=", 50),
    ("`llmgw env` × python -c pass", "startup llmgw env --shell bash", "<=", 2),
    ("`llmgw --help` × python -c pass", "startup llmgw --help", "<=", 4),
    ("`llmgw profile list` × python -c pass", "startup llmgw profile list", "<=", 4),
]


BIG_COLUMNS = {
    "bare": "bare forwarder",
    "plain": "shim, no plugins",
    "all": "shim, all plugins",
    "base plain": "baseline, no plugins",
    "base all": "baseline, all plugins",
}


def machine() -> dict[str, Any]:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


def run(name: str, script: str, args: list[str], work: Path) -> dict[str, Any]:
    out = work / f"{name}.json"
    env = {**os.environ, "LLMGW_BENCH_JSON": str(out)}
    load_before = os.getloadavg()
    t0 = time.monotonic()
    proc = subprocess.run(
        [sys.executable, str(HERE / script), *args], env=env, capture_output=True, text=True
    )
    entry: dict[str, Any] = {
        "script": script,
        "args": args,
        "seconds": round(time.monotonic() - t0, 1),
        "load_before": load_before,
        "load_after": os.getloadavg(),
        "exit": proc.returncode,
        "stdout": proc.stdout[-6000:],
    }
    if proc.returncode not in (0, 1):  # 1: a script's goal missed, figures still there
        entry["stderr"] = proc.stderr[-3000:]
    entry["figures"] = json.loads(out.read_text()) if out.exists() else None
    print(f"{script}: {entry['seconds']} s, exit {proc.returncode}", file=sys.stderr, flush=True)
    return entry


def main() -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--out", default=str(HERE / "results.json"))
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", help="comma-separated subset of: " + ", ".join({**SCRIPTS, **OTHERS}))
    ap.add_argument("--table", help="print the table from an existing JSON, run nothing")
    ap.add_argument("--baseline", help="also time the shim of this checkout (before a change)")
    args = ap.parse_args()
    if args.table:
        print(table(json.loads(Path(args.table).read_text())))
        return 0
    every = {**SCRIPTS, **OTHERS}
    chosen = args.only.split(",") if args.only else list(every)
    unknown = [n for n in chosen if n not in every]
    if unknown:
        ap.error(f"--only: unknown {', '.join(unknown)}; known: {', '.join(every)}")
    results: dict[str, Any] = {"machine": machine(), "runs": {}}
    with tempfile.TemporaryDirectory(prefix="llmgw-run-all-") as tmp:
        for name in chosen:
            script, full, quick = every[name]
            extra = (
                ["--baseline", args.baseline]
                if args.baseline and name in ("small", "big", "env")
                else []
            )
            chosen_args = (quick if args.quick else full) + extra
            results["runs"][name] = run(name, script, chosen_args, Path(tmp))
    results["ratios"] = ratios(results["runs"])
    Path(args.out).write_text(json.dumps(results, indent=1))
    print(table(results))
    return 0


def _fig(runs: dict[str, Any], name: str) -> dict[str, Any]:
    entry = runs.get(name) or {}
    return entry.get("figures") or {}


def _target(small: dict[str, Any], prefix: str) -> dict[str, Any]:
    for name, fig in (small.get("targets") or {}).items():
        if name.startswith(prefix):
            return dict(fig)
    return {}


def _small_ratios(small: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if not small:
        return out

    direct, bare = _target(small, "mock direct"), _target(small, "bare")
    plain, default, every = (
        _target(small, "shim (no"),
        _target(small, "shim+plugins"),
        _target(small, "shim+all"),
    )
    if bare and plain:
        out["c8_plain_over_bare"] = plain["c8_rps"] / bare["c8_rps"]
    if plain and default:
        out["c8_default_over_plain"] = default["c8_rps"] / plain["c8_rps"]
    if plain and every:
        out["c8_all_over_plain"] = every["c8_rps"] / plain["c8_rps"]
    if direct and plain:
        out["c1_added_p50_plain_ms"] = plain["c1_p50_ms"] - direct["c1_p50_ms"]
    if plain.get("rss_mb") and every.get("rss_mb"):
        out["rss_all_minus_plain_mb"] = every["rss_mb"] - plain["rss_mb"]
    return out


def ratios(runs: dict[str, Any]) -> dict[str, Any]:
    out = _small_ratios(_fig(runs, "small"))
    big = _fig(runs, "big")
    for mb, fig in (big.get("sizes") or {}).items():
        out[f"big_{mb}MB_added_all_ms"] = fig["added_ms"]["all"]
        out[f"big_{mb}MB_plain_over_bare"] = fig["plain_over_bare"]
    if big.get("loop_lag"):
        out["loop_lag_ms"] = big["loop_lag"]["loop_lag_ms"]
    tr = _fig(runs, "translate")
    if tr:
        out["translate_cpu_ms"] = tr["cpu_added_ms"]
        if "responses_wall_added_ms" in tr:
            out["responses_wall_ms"] = tr["responses_wall_added_ms"]
            out["responses_cpu_ms"] = tr["responses_cpu_added_ms"]
    env = _fig(runs, "env")
    for name, ratio in (env.get("ratios") or {}).items():
        out[f"startup {name}"] = ratio
    streams = _fig(runs, "streams")
    if streams:
        out["streams_errors"] = streams["errors_shim"]
        out["streams_rss_growth_mb"] = streams["rss_growth_mb"]
        out["streams_ttft_added_ms"] = streams["ttft_added_ms"]
    return out


def _small_lines(small: dict[str, Any]) -> list[str]:
    if not small:
        return []
    lines: list[str] = []
    lines += [
        f"Small body ({small['body_bytes']} B), `wrk` against `llmgw mock`:",
        "",
        "| target | c=8 req/s | × bare forwarder | c=1 added p50 | TTFT added | RSS |",
        "|---|---|---|---|---|---|",
    ]
    targets = small["targets"]
    direct = _target(small, "mock direct")
    bare = _target(small, "bare")
    for name, fig in targets.items():
        x = fig["c8_rps"] / bare["c8_rps"] if bare else float("nan")
        added = fig["c1_p50_ms"] - direct["c1_p50_ms"]
        ttft = fig["ttft_ms"] - direct["ttft_ms"]
        rss = f"{fig['rss_mb']:.0f} MB" if fig.get("rss_mb") else "—"
        lo, hi = fig["c8_rps_min_max"]
        lines.append(
            f"| {name} | {fig['c8_rps']:,.0f} ({lo:,.0f}–{hi:,.0f}) | {x:.2f} | "
            f"{added:+.3f} ms | {ttft:+.3f} ms | {rss} |"
        )
    lines.append("")
    return lines


def table(results: dict[str, Any]) -> str:
    m = results["machine"]
    runs = results["runs"]
    lines = [
        f"Measured {m['date']} on {m['cpu']}, {m['cores']} cores, Python {m['python']} "
        "(`python benchmarks/run_all.py`; ratios from one run, each script's targets "
        "interleaved)",
        "",
    ]
    lines += _small_lines(_fig(runs, "small"))
    big = _fig(runs, "big")
    if big.get("sizes"):
        first = next(iter(big["sizes"].values()))
        keys = [k for k in BIG_COLUMNS if k in first["added_ms"]]
        lines += [
            "Claude-Code-shaped bodies, c=1, same turn resent, added p50 over direct "
            "(min–max of rounds):",
            "",
            "| body | " + " | ".join(BIG_COLUMNS[k] for k in keys) + " |",
            "|---|" + "---|" * len(keys),
        ]
        for fig in big["sizes"].values():
            mm = fig["added_min_max"]
            cells = [
                f"error ({(fig.get('failed') or {}).get(k, '?')} failed)"
                if fig["added_ms"][k] is None
                else f"{fig['added_ms'][k]:+.1f} ms ({mm[k][0]:+.1f}…{mm[k][1]:+.1f})"
                for k in keys
            ]
            lines.append(f"| {fig['bytes'] / 1e6:.2f} MB | " + " | ".join(cells) + " |")
        lag = big.get("loop_lag") or {}
        if lag and lag["loop_lag_ms"] is None:
            lines += ["", f"Event loop lag: error ({lag.get('failed')} churned requests failed)."]
        elif lag:
            lines += [
                "",
                f"Event loop held at most {lag['loop_lag_ms']:.1f} ms (worst /health probe "
                f"{lag['worst_probe_ms']:.1f} ms, p99 {lag['p99_probe_ms']:.1f} ms, vs "
                f"{lag['idle_probe_ms']:.2f} ms median and {lag['idle_worst_probe_ms']:.1f} ms "
                "worst with the shim idle: the machine's own scheduling noise) during "
                f"churned {max(float(k) for k in big['sizes']):g} MB requests, all plugins "
                f"(each {lag['churned_request_ms']:.0f} ms: all of its text new to the caches).",
            ]
        lines.append("")
    tr = _fig(runs, "translate")
    if tr:
        lines.append(
            f"Translation (87 KB Anthropic request on an OpenAI member, 200-event stream): "
            f"{tr['cpu_added_ms']:+.3f} ms shim CPU, {tr['wall_added_ms']:+.3f} ms p50 wall "
            "per request over the native path."
        )
        if "responses_wall_added_ms" in tr:
            lines.append(
                "Responses ⇄ Messages (the same conversation as a Responses request on an "
                f"Anthropic member): {tr['responses_wall_added_ms']:+.3f} ms p50 wall, "
                f"{tr['responses_cpu_added_ms']:+.3f} ms shim CPU per request."
            )
    streams = _fig(runs, "streams")
    if streams:
        lines.append(
            f"{streams['streams']} concurrent streams (default plugins): "
            f"{streams['errors_shim']} errors, shim RSS +{streams['rss_growth_mb']:.1f} MB, "
            f"TTFT p50 {streams['ttft_added_ms']:+.1f} ms over direct "
            f"({streams['ttft_p50_direct_ms']:.0f} ms direct)."
        )
    env = _fig(runs, "env")
    if env:
        parts = [
            f"`{name}` {env['medians_ms'][name]:.0f} ms ({ratio:.1f}×)"
            for name, ratio in env["ratios"].items()
            if name != "python -c pass"
        ]
        lines.append(
            f"Start-up against `python -c pass` ({env['medians_ms']['python -c pass']:.0f} ms): "
            + ", ".join(parts)
            + "."
        )
    lines += _others(runs)
    lines += _goals(ratios(runs))
    for name, entry in runs.items():
        if name in OTHERS:
            continue
        if entry.get("figures") is None:
            lines.append(
                f"{name} ({entry['script']}): no figures, exit {entry['exit']}; "
                f"{(entry.get('stderr') or entry['stdout'])[-300:]}"
            )
    lines += [
        "",
        "Load average before/after each script: "
        + ", ".join(
            f"{n} {e['load_before'][0]:.1f}/{e['load_after'][0]:.1f}" for n, e in runs.items()
        ),
    ]
    return "\n".join(lines)


def _others(runs: dict[str, Any]) -> list[str]:
    """Each other script's goal lines (else its last two lines), as it printed them."""
    out: list[str] = []
    for name, (script, _, _) in OTHERS.items():
        entry = runs.get(name)
        if entry is None:
            continue
        text = [ln.rstrip() for ln in entry["stdout"].splitlines() if ln.strip()]
        picked = [ln for ln in text if "goal" in ln.lower()] or text[-2:]
        out += ["", f"`python benchmarks/{script}` (exit {entry['exit']}):", "```", *picked, "```"]
    return out


def _goals(ratios: dict[str, Any]) -> list[str]:
    out = ["", "Goals (issue 19, and issue 17's Responses line), from this run:", ""]
    out += ["| goal | measured | bound | |", "|---|---|---|---|"]
    for what, key, op, bound in GOALS:
        value = ratios.get(key)
        if not isinstance(value, (int, float)):
            out.append(f"| {what} | not measured | {op} {bound:g} | — |")
            continue
        met = value <= bound if op == "<=" else value >= bound
        out.append(f"| {what} | {value:.2f} | {op} {bound:g} | {'met' if met else 'missed'} |")
    return out


if __name__ == "__main__":
    raise SystemExit(main())
