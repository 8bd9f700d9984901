"""Accuracy of `llmgw bench` against known injected latencies.

`llmgw mock --ttft-ms 50 --itl-ms 10 --output-tokens 20` runs as its own process and sends
delta i at start + 50 + 10·i ms, so the true TTFT is 50 ms, every inter-token gap 10 ms and
the end-to-end time 240 ms (plus loopback and the mock's own request handling). `llmgw
bench` (the CLI, --json) measures it at -c 4 and at -c 32 (mock and bench then share this
machine's cores); the p50s are printed with their error against the truth and the goal.

    python benchmarks/bench_accuracy.py [--requests-per-lane 25]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from _harness import llmgw

MOCK_FLAGS = ("--ttft-ms", "50", "--itl-ms", "10", "--output-tokens", "20")
TRUE = {"ttft_ms": 50.0, "itl_ms": 10.0, "e2e_ms": 240.0}
GOALS = {4: {"ttft_ms": 2.0, "itl_ms": 1.0, "e2e_ms": 5.0}, 32: {"ttft_ms": 8.0, "e2e_ms": 12.0}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests-per-lane", type=int, default=25)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="bench-accuracy-"))
    env = {**os.environ, "LLMGW_HOME": str(home), "NO_COLOR": "1"}
    mock = subprocess.Popen(
        [*llmgw(), "mock", "--port", "0", *MOCK_FLAGS],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
    )  # fmt: skip
    failed = False
    try:
        assert mock.stdout is not None
        url = mock.stdout.readline().strip()
        subprocess.run(
            [*llmgw(), "profile", "add", "mock", "--endpoint", url, "--auth", "none",
             "--model", "claude-sonnet-4-5"],
            check=True, env=env, capture_output=True,
        )  # fmt: skip
        print("llmgw mock --ttft-ms 50 --itl-ms 10 --output-tokens 20 (own process); bench CLI")
        print(f"{'c':>3} {'n':>5} {'metric':7} {'true':>7} {'p50':>8} {'error':>7} {'goal':>7}  ok")
        for c, goals in GOALS.items():
            n = c * args.requests_per_lane
            out = home / f"c{c}.json"
            subprocess.run(
                [*llmgw(), "bench", "-p", "mock", "-n", str(n), "-c", str(c), "--warmup", str(c),
                 "--json", str(out)],
                check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            run = json.loads(out.read_text())["runs"][0]
            for key, goal in goals.items():
                p50 = run[key]["p50"]
                err = p50 - TRUE[key]
                ok = abs(err) <= goal
                failed |= not ok
                print(
                    f"{c:>3} {n:>5} {key[:-3]:7} {TRUE[key]:7.1f} {p50:8.2f} {err:+7.2f} "
                    f"{'±' + format(goal, 'g'):>7}  {'yes' if ok else 'NO'}"
                )
            cpu = run["resources"]
            print(
                f"{'':9} bench CPU {cpu['bench']['cpu_percent']}%, "
                f"mock CPU {cpu['target']['cpu_percent']}%, ok {run['ok']}/{run['requests']}"
            )
    finally:
        mock.send_signal(signal.SIGTERM)
        mock.wait(timeout=15)
        shutil.rmtree(home, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
