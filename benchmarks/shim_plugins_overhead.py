"""What the governance plugins add through the real shim, on a Claude-Code-shaped request.

    python benchmarks/shim_plugins_overhead.py [--rounds 5] [--seconds 3] [--requests 100]

Three targets side by side in one run, in front of one `llmgw mock` at zero delay: the mock
direct; `llmgw shim start` with no plugins; and with EVERY plugin on (metrics, audit, pii in
redact mode, budget with a daily limit in SQLite). The request is the ~87 KB Claude Code
turn of benchmarks/governance_overhead.py (12 tools, a long system prompt, 23 tool round
trips full of code, paths and numbers, `thinking`, `max_tokens: 32000`).

Two measurements per target and round, interleaved so drift hits all alike:
- same turn: one fixed body, not streamed, c=1 for --seconds with `wrk` (p50/p99) — warm
  caches, as when a client retries;
- next turn: --requests streamed requests at c=1 (aiohttp), each ending with a tool result
  nobody sent before (so PII and token caches see new text every time, as in a real
  session) — p50 time to the first content event and to the end of the stream.
Figures are the median over rounds of each round's median; "added" is against the direct
mock in the same round. Goal (issue 7): added p50 <= 2 ms with every plugin on.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _harness import get, mock_profile, proxy_free_env, start_mock  # noqa: E402
from _harness import start_shim as start_shim_process  # noqa: E402
from governance_overhead import claude_request  # noqa: E402
from shim_overhead import wrk_run  # noqa: E402

ALL_PLUGINS = (
    "plugins:\n"
    "  metrics: {enabled: true}\n"
    "  audit: {enabled: true}\n"
    "  pii: {enabled: true, mode: redact}\n"
    "  budget: {enabled: true, daily_usd: 1000000000}\n"
)
NO_PLUGINS = "plugins: {audit: {enabled: false}, metrics: {enabled: false}}\n"
ONE_BY_ONE = {
    "metrics": "{enabled: true}",
    "audit": "{enabled: true}",
    "pii": "{enabled: true, mode: redact}",
    "budget": "{enabled: true, daily_usd: 1000000000}",
}


def only(name: str) -> str:
    sections = {n: (spec if n == name else "{enabled: false}") for n, spec in ONE_BY_ONE.items()}
    return "plugins:\n" + "".join(f"  {n}: {spec}\n" for n, spec in sections.items())


TURNS = 23


@dataclass
class Target:
    name: str
    url: str
    token: str
    proc: subprocess.Popen[bytes] | None = None
    same_p50: list[float] = field(default_factory=list)
    same_p99: list[float] = field(default_factory=list)
    next_ttft: list[float] = field(default_factory=list)
    next_e2e: list[float] = field(default_factory=list)
    errors: int = 0


def start_shim(name: str, config: str, mock_url: str, work: Path, env: dict[str, str]) -> Target:
    profiles = {"mock": mock_profile("mock", mock_url)}
    url, token, proc = start_shim_process(name, work, profiles, "chain: [mock]\n" + config, env)
    return Target(name, url, token, proc)


def next_turn_body(base: dict[str, Any], serial: int) -> bytes:
    """The session's next request: the same conversation plus a tool result never seen."""
    body = json.loads(json.dumps(base))
    body["messages"][-1]["content"][0]["content"] += (
        f"\n# run {serial}: module_{serial}.py line {serial * 7} returned {serial * 13 % 997}"
    )
    return json.dumps(body).encode()


async def next_turns(target: Target, bodies: list[bytes]) -> tuple[float, float, int]:
    """(p50 ms to the first content event, p50 ms to the end of the stream, errors)."""
    headers = {
        "Content-Type": "application/json",
        "anthropic-version": "2023-06-01",
        "Authorization": f"Bearer {target.token}",
    }
    ttft: list[float] = []
    e2e: list[float] = []
    errors = 0
    async with aiohttp.ClientSession() as session:
        for data in bodies:
            t = time.perf_counter()
            first = None
            async with session.post(target.url + "/v1/messages", data=data, headers=headers) as r:
                async for chunk in r.content.iter_any():
                    if first is None and b"content_block_delta" in chunk:
                        first = time.perf_counter()
                ok = r.status == 200 and first is not None
            if not ok or first is None:
                errors += 1
                continue
            ttft.append((first - t) * 1000)
            e2e.append((time.perf_counter() - t) * 1000)
    if not ttft:
        return float("nan"), float("nan"), errors
    return statistics.median(ttft), statistics.median(e2e), errors


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=3.0, help="wrk run per target and round")
    ap.add_argument("--requests", type=int, default=100, help="next-turn requests per round")
    ap.add_argument("--per-plugin", action="store_true", help="also a shim with each plugin alone")
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is required (Debian package wrk)", file=sys.stderr)
        return 2

    base = claude_request(TURNS)
    same = json.dumps({**base, "stream": False}).encode()
    env = proxy_free_env()
    work = Path(tempfile.mkdtemp(prefix="llmgw-plugins-bench-"))
    mock_url, mock_proc = start_mock(env)
    procs: list[subprocess.Popen[bytes]] = [mock_proc]
    try:
        targets = [Target("mock direct", mock_url, "none")]
        shims = [("shim, no plugins", NO_PLUGINS), ("shim, all plugins", ALL_PLUGINS)]
        if args.per_plugin:
            shims += [(f"shim, {name} only", only(name)) for name in ONE_BY_ONE]
        for i, (name, config) in enumerate(shims):
            shim = start_shim(f"shim{i}", config, mock_url, work, env)
            shim.name = name
            targets.append(shim)
            if shim.proc is not None:
                procs.append(shim.proc)
        health = json.loads(get(targets[2].url + "/health"))
        print(
            f"request {len(same) / 1024:.1f} KB (12 tools, {TURNS} tool round trips); "
            f"plugins on: {', '.join(health.get('plugins') or [])}; "
            f"{args.rounds} rounds; {os.cpu_count()} cores"
        )
        time.sleep(3)  # the plugins warm their tokenizer and phone data in the background
        measure(targets, base, same, args, work)
    finally:
        stop(procs)
    report(targets)
    return 0


def measure(
    targets: list[Target], base: dict[str, Any], same: bytes, args: argparse.Namespace, work: Path
) -> None:
    """Warm every target, then per round: wrk on the same turn, then fresh next turns."""
    serial = 0
    for t in targets:  # warm pools and caches
        asyncio.run(next_turns(t, [next_turn_body(base, -1 - i) for i in range(5)]))
        wrk_run(t, same, 1, 1.0, work)  # type: ignore[arg-type]
    for r in range(args.rounds):
        bodies = []
        for _ in range(args.requests):
            serial += 1
            bodies.append(next_turn_body(base, serial))
        for t in targets:
            p50, p99, _, errs = wrk_run(t, same, 1, args.seconds, work)  # type: ignore[arg-type]
            ttft, e2e, terr = asyncio.run(next_turns(t, bodies))
            t.same_p50.append(p50)
            t.same_p99.append(p99)
            t.next_ttft.append(ttft)
            t.next_e2e.append(e2e)
            t.errors += errs + terr
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)


def stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()


def added(mine: list[float], base: list[float]) -> float:
    """Median over rounds of the difference measured within each round."""
    return statistics.median([a - b for a, b in zip(mine, base, strict=True)])


def report(targets: list[Target]) -> None:
    med = statistics.median
    base = targets[0]
    print()
    print(
        f"{'path':22} {'same turn p50':>14} {'added':>8} {'p99':>9} {'added':>8} "
        f"{'next turn TTFT':>15} {'added':>8} {'end':>9} {'added':>8} {'errors':>6}"
    )
    for t in targets:
        print(
            f"{t.name:22} {med(t.same_p50):11.3f} ms {added(t.same_p50, base.same_p50):+8.3f} "
            f"{med(t.same_p99):6.3f} ms {added(t.same_p99, base.same_p99):+8.3f} "
            f"{med(t.next_ttft):12.3f} ms {added(t.next_ttft, base.next_ttft):+8.3f} "
            f"{med(t.next_e2e):6.3f} ms {added(t.next_e2e, base.next_e2e):+8.3f} {t.errors:6d}"
        )
    plain, full = targets[1], targets[2]
    total = added(full.next_ttft, base.next_ttft)
    verdict = "meets" if total <= 2.0 else "misses"
    print()
    print(
        f"all plugins, next turn: TTFT +{total:.3f} ms over direct "
        f"(+{added(full.next_ttft, plain.next_ttft):.3f} ms over the plain shim); "
        f"{verdict} the <= 2 ms goal"
    )


if __name__ == "__main__":
    sys.exit(main())
