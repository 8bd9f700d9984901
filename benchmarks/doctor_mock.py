"""How long `llmgw doctor` takes against a healthy local `llmgw mock` (the goal: under 1 s),
and `llmgw doctor --deep` (Claude Code's own request replayed; the first --deep run records
the installed Claude Code's request shape once, later runs reuse it).

The mock runs as its own process (`llmgw mock --port 0`); `llmgw doctor --profile mock
--json` runs N times as a user would run it (a fresh process each time, so the figure
includes start-up and `import httpx`), next to `llmgw --help` as the start-up baseline.
Prints the median and worst wall-clock times and the per-check medians.

    python benchmarks/doctor_mock.py [-n 10] [--deep-runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import select
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from _harness import llmgw, proxy_free_env

KEY = "sk-bench-doctor-0123456789"


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    return time.perf_counter() - start, done


def start_mock(env: dict[str, str]) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [*llmgw(), "mock", "--port", "0", "--require-key", KEY, "--context-window", "200000"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], 60)
    if not ready:
        proc.kill()
        raise SystemExit("llmgw mock printed no URL within 60 s")
    return proc, proc.stdout.readline().strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=10, help="doctor runs (default 10)")
    parser.add_argument("--deep-runs", type=int, default=3, help="doctor --deep runs (default 3)")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="llmgw-bench-doctor-"))
    env = proxy_free_env()
    env.update(LLMGW_HOME=str(home), NO_COLOR="1", BENCH_KEY=KEY)
    mock, url = start_mock(env)
    try:
        add = [
            *llmgw(),
            "profile",
            "add",
            "mock",
            "--endpoint",
            url,
            "--format",
            "anthropic",
            "--format",
            "openai",
            "--secret-env",
            "BENCH_KEY",
        ]
        subprocess.run(add, env=env, check=True, capture_output=True)
        helps = [timed([*llmgw(), "--help"], env)[0] for _ in range(args.n)]
        runs, per_check = [], {}
        for _ in range(args.n):
            seconds, done = timed([*llmgw(), "doctor", "--profile", "mock", "--json"], env)
            if done.returncode != 0:
                raise SystemExit(f"doctor failed ({done.returncode}): {done.stdout}{done.stderr}")
            runs.append(seconds)
            for c in json.loads(done.stdout)["results"][0]["checks"]:
                per_check.setdefault(c["id"], []).append(c["duration_ms"])
        deeps = [_deep(env) for _ in range(args.deep_runs + 1)]  # the first one records
    finally:
        mock.terminate()
        mock.wait(timeout=30)
    print(f"doctor vs mock ({args.n} runs, a fresh process each, {os.cpu_count()} cores)")
    print(
        f"  doctor wall clock: median {statistics.median(runs) * 1000:.0f} ms, "
        f"max {max(runs) * 1000:.0f} ms (goal < 1000 ms)"
    )
    print(
        f"  llmgw --help:      median {statistics.median(helps) * 1000:.0f} ms (start-up baseline)"
    )
    print(
        "  per check (median ms): "
        + ", ".join(f"{k} {statistics.median(v):.1f}" for k, v in per_check.items())
    )

    if deeps:
        (first, first_check, source), rest = deeps[0], deeps[1:]
        print(
            f"  doctor --deep ({source}): first run {first * 1000:.0f} ms (deep check "
            f"{first_check:.0f} ms, records the shape when Claude Code is installed)"
        )
        if rest:
            print(
                "  doctor --deep, shape reused: median "
                f"{statistics.median(r[0] for r in rest) * 1000:.0f} ms"
                f" (deep check {statistics.median(r[1] for r in rest):.0f} ms, {len(rest)} runs)"
            )


def _deep(env: dict[str, str]) -> tuple[float, float, str]:
    seconds, done = timed([*llmgw(), "doctor", "--profile", "mock", "--deep", "--json"], env)
    if done.returncode != 0:
        raise SystemExit(f"doctor --deep failed ({done.returncode}): {done.stdout}{done.stderr}")
    checks = {c["id"]: c for c in json.loads(done.stdout)["results"][0]["checks"]}
    deep = checks["deep"]
    return (
        seconds,
        float(deep["duration_ms"]),
        f"Claude Code {deep['detail']['claude_code']}, {deep['detail']['source']}",
    )


if __name__ == "__main__":
    main()
