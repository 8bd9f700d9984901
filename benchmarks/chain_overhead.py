"""What the resilient chain adds over a one-member shim when its first member is healthy.

    python benchmarks/chain_overhead.py [--rounds 7] [--seconds 2] [--ttft-requests 200]

Side by side in one run, against one `llmgw mock` at zero delay (plugins off everywhere, so
only the routing differs):

- mock direct                      the reference
- one-member shim                  `--profile`: the plain router, no chain machinery
- chain of 3, static               breaker, retry bookkeeping, holds the first body byte
- chain of 3, adaptive + rules     EWMA order and two routing rules (the body is parsed)

Rounds are interleaved (drift hits every target alike); each figure is the median of the
per-round medians: c=1 p50 and p99 (wrk when installed, else an aiohttp client) and
streaming time to first content event. Goal (issue 6): the static chain adds <= 0.2 ms p50
over the one-member shim.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import NO_PLUGINS, mock_profile, proxy_free_env, start_mock
from _harness import start_shim as start_shim_process
from shim_overhead import SMALL, Target, aio_run, processes, ttft_run, wrk_run

GOAL_MS = 0.2
CONFIGS = {
    "one-member shim": "chain: [m1]\n",
    "chain of 3, static": "chain: [m1, m2, m3]\n",
    "chain of 3, adaptive + rules": (
        "chain: [m1, m2, m3]\norder: adaptive\nrouting_rules:\n"
        "  - {match: {model: haiku}, route: m3}\n"
        "  - {match: {thinking: true}, route: m2}\n"
    ),
}


def start_shim(name: str, config: str, mock_url: str, work: Path, env: dict[str, str]) -> Target:
    # All healthy; with m1 answering, m2 and m3 are never asked.
    profiles = {m: mock_profile(m, mock_url) for m in ("m1", "m2", "m3")}
    url, token, proc = start_shim_process(name, work, profiles, config + NO_PLUGINS, env)
    return Target(name, url, token, proc)


def main() -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--ttft-requests", type=int, default=200)
    args = ap.parse_args()

    body = json.dumps(SMALL).encode()
    use_wrk = shutil.which("wrk") is not None
    env = proxy_free_env()
    work = Path(tempfile.mkdtemp(prefix="llmgw-chain-bench-"))
    mock_url, mock_proc = start_mock(env)
    targets = [Target("mock direct", mock_url, "none", None)]
    with processes(targets, [mock_proc]):
        for name, config in CONFIGS.items():
            targets.append(start_shim(name, config, mock_url, work, env))
        print(
            f"load client: {'wrk' if use_wrk else 'aiohttp'}; {args.rounds} rounds x "
            f"{args.seconds:g} s; {os.cpu_count()} cores"
        )
        for t in targets:  # warm up pools, caches and imports
            asyncio.run(aio_run(t, body, 2, 0.5))
        for r in range(args.rounds):
            for t in targets:
                c1 = (
                    wrk_run(t, body, 1, args.seconds, work)
                    if use_wrk
                    else asyncio.run(aio_run(t, body, 1, args.seconds))
                )
                ttft, terr = asyncio.run(ttft_run(t, SMALL, args.ttft_requests))
                t.c1_p50.append(c1[0])
                t.c1_p99.append(c1[1])
                t.ttft.append(ttft)
                t.errors += c1[3] + terr
            print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)
    return report(targets)


def report(targets: list[Target]) -> int:
    med = statistics.median
    base, one = targets[0], targets[1]
    b50, o50, ottft = med(base.c1_p50), med(one.c1_p50), med(one.ttft)
    print()
    print(
        f"{'path':30} {'c=1 p50':>9} {'vs 1-member':>12} {'c=1 p99':>9} "
        f"{'TTFT p50':>9} {'vs 1-member':>12} {'errors':>6}"
    )
    for t in targets:
        p50, p99, ttft = med(t.c1_p50), med(t.c1_p99), med(t.ttft)
        print(
            f"{t.name:30} {p50:8.3f}ms {p50 - o50:+11.3f} {p99:8.3f}ms "
            f"{ttft:8.3f}ms {ttft - ottft:+11.3f} {t.errors:6d}"
        )
    print()
    one_added = o50 - b50
    verdict = 0
    for t in targets[2:]:
        added = med(t.c1_p50) - o50
        ratio = (med(t.c1_p50) - b50) / one_added if one_added > 0 else float("nan")
        ok = added <= GOAL_MS
        if t.name == "chain of 3, static" and not ok:
            verdict = 1
        print(
            f"{t.name}: adds {added:+.3f} ms p50 over the one-member shim "
            f"({ratio:.2f}x its added latency over the mock; goal <= {GOAL_MS} ms: "
            f"{'met' if ok else 'missed'})"
        )
    print(f"(each figure: median of {len(base.c1_p50)} per-round medians)")
    return verdict


if __name__ == "__main__":
    sys.exit(main())
