"""How fast `llmgw bench` can drive a server: it must never be the bottleneck.

Against the zero-delay `llmgw mock` (its own process), non-streaming:

1. closed loop, -c C, next to `hey` (a Go load generator, Debian package) with the same
   body and connections, in interleaved rounds; medians and bench/hey ratio, plus the CPU
   time bench and the mock spend per request (what one core could drive);
2. open loop sweep: --rate R for rising R; a rate is sustained when every arrival of the
   window completed without error, the last one ended within 250 ms of the window (no
   backlog built up), and bench typically sent on schedule (queue p50 under 1 ms; the p99
   is printed too: on a shared machine it shows the process being descheduled). The
   highest sustained rate is printed.

Mock and load generator share this machine's cores (and whatever else runs on it).

    python benchmarks/bench_capacity.py [--rounds 3] [--seconds 3] [-c 16]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from _harness import llmgw

BODY = '{"model":"claude-sonnet-4-5","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}'
RATES = (250, 500, 1000, 1500, 2000, 2500, 3000, 4000)


def bench(env: dict[str, str], out: Path, *flags: str) -> dict[str, Any]:
    cmd = [*llmgw(), "bench", "-p", "zero", "--no-stream", "--max-tokens", "16", *flags]
    subprocess.run(
        [*cmd, "--json", str(out)], check=False, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    run: dict[str, Any] = json.loads(out.read_text())["runs"][0]
    return run


def hey(url: str, seconds: int, connections: int) -> float:
    out = subprocess.run(
        ["hey", "-z", f"{seconds}s", "-c", str(connections), "-m", "POST",
         "-T", "application/json", "-d", BODY, f"{url}/v1/messages"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if match is None:
        raise SystemExit(f"hey failed:\n{out}")
    return float(match.group(1))


def per_request_us(run: dict[str, Any], who: str) -> float:
    res = run["resources"][who]
    return 1e6 * res["cpu_s"] / max(run["requests"], 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("-c", "--concurrency", type=int, default=16)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="bench-capacity-"))
    env = {**os.environ, "LLMGW_HOME": str(home), "NO_COLOR": "1"}
    mock = subprocess.Popen(
        [*llmgw(), "mock", "--port", "0", "--output-tokens", "16"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
    )  # fmt: skip
    try:
        assert mock.stdout is not None
        url = mock.stdout.readline().strip()
        subprocess.run(
            [*llmgw(), "profile", "add", "zero", "--endpoint", url, "--auth", "none",
             "--model", "claude-sonnet-4-5"],
            check=True, env=env, capture_output=True,
        )  # fmt: skip
        c, secs = args.concurrency, args.seconds
        rates: dict[str, list[float]] = {"llmgw bench": [], "hey": []}
        bench_us: list[float] = []
        mock_us: list[float] = []
        timing = ("--duration", str(secs), "--warmup", "100")
        for _ in range(args.rounds):
            run = bench(env, home / "closed.json", "-c", str(c), *timing)
            rates["llmgw bench"].append(run["request_throughput"])
            bench_us.append(per_request_us(run, "bench"))
            mock_us.append(per_request_us(run, "target"))
            if shutil.which("hey"):
                rates["hey"].append(hey(url, secs, c))
        print(f"closed loop, c={c}, non-streaming, {args.rounds} interleaved rounds of {secs} s")
        base = statistics.median(rates["hey"]) if rates["hey"] else None
        for name, values in rates.items():
            if values:
                med = statistics.median(values)
                ratio = f"{med / base:5.2f}x hey" if base else ""
                print(f"  {name:12} {med:8.0f} req/s  {ratio}")
        b, m = statistics.median(bench_us), statistics.median(mock_us)
        print(f"  CPU/request: bench {b:.0f} us (one core ~{1e6 / b:,.0f} req/s), mock {m:.0f} us")
        print(f"open loop (--rate, Poisson), {secs} s per rate")
        head = ("offered", "achieved", "e2e p50", "e2e p99", "queue p50", "queue p99")
        print("  " + " ".join(f"{h:>9}" for h in head) + "  sustained")
        best, misses = 0, 0
        for rate in RATES:
            run = bench(env, home / "open.json", "--rate", str(rate), *timing)
            done, e2e, queue = run["request_throughput"], run["e2e_ms"], run["queue_ms"]
            ok = (
                run["ok"] == run["requests"]
                and run["duration_s"] <= secs + 0.25
                and queue["p50"] < 1.0
            )
            best = rate if ok else best
            misses = 0 if ok else misses + 1
            cells = (rate, done, e2e["p50"], e2e["p99"], queue["p50"], queue["p99"])
            print("  " + " ".join(f"{v:9.2f}" if isinstance(v, float) else f"{v:9}" for v in cells)
                  + f"  {'yes' if ok else 'no'}")  # fmt: skip
            if misses == 2:
                break
        print(f"highest sustained rate: {best} requests/s (goal >= 1000)")
        return 0 if best >= 1000 else 1
    finally:
        mock.send_signal(signal.SIGTERM)
        mock.wait(timeout=15)
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
