"""Claude-Code-shaped bodies of 1 MB and 5 MB through the shim: added p50 and event-loop lag.

    python benchmarks/big_bodies.py [--rounds 3] [--requests 8] [--sizes 1,5] [--json OUT]

Claude Code resends its whole conversation every turn; long sessions reach megabytes. Four
targets side by side in one run, in front of one `llmgw mock`: the mock direct, the 30-line
bare aiohttp forwarder, `llmgw shim start` with no plugins, and with every plugin on
(metrics, audit, pii in redact mode, budget). Each tool result is distinct (as in a real
session), the same body is resent (`same turn`: warm caches), c=1, interleaved by round;
figures are the median of the rounds' p50s, "added" against the direct mock of that round.

Next turns (--next-turns per round, at the largest size): a session's following turns, each
with one more tool round trip and the prompt-cache marker moved to its last block, as Claude
Code sends them: what the shim pays for a conversation it has seen the previous turn of.

Loop lag: during --churn 5 MB requests whose every text is new (the PII verdict and token
caches see nothing they know, as after churn), a probe GETs the all-plugins shim's
/health every 2 ms; the worst probe minus the probe's median when idle is the longest the
event loop was held.

Every answer's status is checked: a target with any answer other than 200 at a size (every
target, if the direct mock failed) gets no figure there but "error (N failed)" (None in the
JSON, its count under "failed"); a failed churned request makes the loop lag an error too.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _harness import NO_PLUGINS, emit, mock_profile, proxy_free_env, start_mock  # noqa: E402
from _harness import start_shim as start_shim_process  # noqa: E402
from governance_overhead import claude_request  # noqa: E402
from shim_overhead import Target, start_bare  # noqa: E402
from shim_plugins_overhead import ALL_PLUGINS  # noqa: E402


def conversation(megabytes: float, nonce: str) -> dict[str, Any]:
    """A Claude Code turn of about ``megabytes``, every tool result made distinct."""
    per_turn = 1240  # bytes a tool round trip adds (measured)
    turns = max(1, int(megabytes * 1024 * 1024 / per_turn))
    data = claude_request(turns)
    data["stream"] = False
    for n, msg in enumerate(data["messages"]):
        for block in msg["content"]:
            if isinstance(block, dict) and block.get("type") == "tool_result":
                block["content"] = f"# {nonce} result {n}\n" + block["content"]
    return data


def body_of(megabytes: float, nonce: str) -> bytes:
    return json.dumps(conversation(megabytes, nonce)).encode()


def next_turns(megabytes: float, nonce: str, n: int) -> list[bytes]:
    """``n + 1`` turns of one session: each adds a tool round trip, and the prompt-cache
    marker moves to its last block, as Claude Code's do."""
    data = conversation(megabytes, nonce)
    out = []
    for i in range(n + 1):
        if i:
            for msg in data["messages"][-2:]:
                for block in msg["content"]:
                    block.pop("cache_control", None)
            data["messages"] += [
                {
                    "role": "assistant",
                    "content": [
                        {"type": "text", "text": f"Now part {i} of the change."},
                        {
                            "type": "tool_use",
                            "id": f"toolu_n{i}",
                            "name": "Edit",
                            "input": {"file_path": f"/src/new_{i}.py", "old": "a", "new": "b"},
                        },
                    ],
                },
                {
                    "role": "user",
                    "content": [
                        {
                            "type": "tool_result",
                            "tool_use_id": f"toolu_n{i}",
                            "content": f"# {nonce} turn {i}\n" + "edited line\n" * 40,
                        }
                    ],
                },
            ]
        data["messages"][-1]["content"][-1]["cache_control"] = {"type": "ephemeral"}
        out.append(json.dumps(data).encode())
    return out


def headers(target: Target) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "anthropic-version": "2023-06-01",
        "Authorization": f"Bearer {target.token}",
        "x-api-key": "bench-key",
    }


async def timed(
    session: aiohttp.ClientSession, target: Target, body: bytes, failed: dict[str, int]
) -> float:
    """One request's wall ms; an answer other than 200 counts in ``failed[target.name]``."""
    t = time.perf_counter()
    async with session.post(target.url + "/v1/messages", data=body, headers=headers(target)) as r:
        await r.read()
        if r.status != 200:
            target.errors += 1
            failed[target.name] = failed.get(target.name, 0) + 1
    return (time.perf_counter() - t) * 1000


async def same_turn(
    targets: list[Target], body: bytes, n: int, failed: dict[str, int]
) -> dict[str, float]:
    """p50 ms per target, one warm-up request first (fills the caches)."""
    out: dict[str, float] = {}
    async with aiohttp.ClientSession() as session:
        for target in targets:
            await timed(session, target, body, failed)
            out[target.name] = statistics.median(
                [await timed(session, target, body, failed) for _ in range(n)]
            )
    return out


async def next_turn(
    targets: list[Target], turns: list[bytes], failed: dict[str, int]
) -> dict[str, float]:
    """p50 ms per target over a session's next turns (the first one fills the caches)."""
    out: dict[str, float] = {}
    async with aiohttp.ClientSession() as session:
        for target in targets:
            await timed(session, target, turns[0], failed)
            out[target.name] = statistics.median(
                [await timed(session, target, body, failed) for body in turns[1:]]
            )
    return out


async def loop_lag(target: Target, mb: float, churn: int) -> dict[str, Any]:
    """Worst /health probe during churned big requests, minus the idle probe median."""
    failed: dict[str, int] = {}
    async with aiohttp.ClientSession() as session:

        async def probe() -> float:
            t = time.perf_counter()
            async with session.get(target.url + "/health") as r:
                await r.read()
            return (time.perf_counter() - t) * 1000

        quiet: list[float] = []
        until = time.perf_counter() + 3.0
        while time.perf_counter() < until:  # the machine's own noise, shim idle
            quiet.append(await probe())
            await asyncio.sleep(0.002)
        idle = statistics.median(quiet)
        bodies = [body_of(mb, f"churn{os.getpid()}x{i}x{time.time_ns()}") for i in range(churn)]
        probes: list[float] = []
        done = asyncio.Event()

        async def prober() -> None:
            while not done.is_set():
                probes.append(await probe())
                await asyncio.sleep(0.002)

        task = asyncio.create_task(prober())
        walls = []
        for body in bodies:
            walls.append(await timed(session, target, body, failed))
        done.set()
        await task
    worst = max(probes) if probes else float("nan")
    probes.sort()
    return {
        "idle_probe_ms": idle,
        "idle_worst_probe_ms": max(quiet),
        "p99_probe_ms": probes[int(len(probes) * 0.99)] if probes else float("nan"),
        "worst_probe_ms": worst,
        # a failed request proves nothing about the loop: an error, not a figure
        "loop_lag_ms": None if failed else worst - idle,
        "failed": sum(failed.values()),
        "probes": len(probes),
        "churned_request_ms": statistics.median(walls),
    }


def size_figures(
    body: bytes, rows: dict[str, list[float]], failed: dict[str, int]
) -> dict[str, Any]:
    """One size's figures; a target with any failed request (or all, if direct failed) has
    None instead of a figure, and its count in ``failed``."""
    if failed.get("direct"):
        failed = {name: failed.get(name) or failed["direct"] for name in rows}
    added_rounds = {
        name: [v - d for v, d in zip(vals, rows["direct"], strict=True)]
        for name, vals in rows.items()
    }
    added: dict[str, float | None] = {
        name: None if failed.get(name) else statistics.median(v) for name, v in added_rounds.items()
    }
    plain, bare = added.get("plain"), added.get("bare")
    return {
        "bytes": len(body),
        "p50_ms": {
            name: None if failed.get(name) else statistics.median(v) for name, v in rows.items()
        },
        "added_ms": added,
        "added_min_max": {
            name: None if failed.get(name) else [min(v), max(v)] for name, v in added_rounds.items()
        },
        "failed": {name: n for name, n in failed.items() if n},
        "plain_over_bare": plain / bare if plain is not None and bare else None,
    }


def _ms(added: dict[str, float | None], failed: dict[str, int], name: str) -> str:
    value = added.get(name)
    return f"error ({failed.get(name, 0)} failed)" if value is None else f"+{value:.1f} ms"


def report(result: dict[str, Any], churn: int, biggest: float) -> None:
    for fig in result["sizes"].values():
        added, failed = fig["added_ms"], fig["failed"]
        ratio = fig["plain_over_bare"]
        ratio_text = "?" if ratio is None else f"{ratio:.2f}"
        direct = fig["p50_ms"]["direct"]
        direct_text = "error" if direct is None else f"{direct:.1f} ms"
        print(
            f"{fig['bytes'] / 1e6:.2f} MB  added p50 over direct: "
            f"bare {_ms(added, failed, 'bare')}, "
            f"plain {_ms(added, failed, 'plain')} ({ratio_text}x bare), "
            f"all plugins {_ms(added, failed, 'all')}  (direct p50 {direct_text})"
        )
        if "base all" in added:
            print(
                f"          baseline checkout: plain {_ms(added, failed, 'base plain')}, "
                f"all plugins {_ms(added, failed, 'base all')}"
            )
    nxt = result.get("next_turn")
    if nxt:
        added, failed = nxt["added_ms"], nxt["failed"]
        print(
            f"next turns of a {nxt['bytes'] / 1e6:.2f} MB session (each adds a tool round trip): "
            f"bare {_ms(added, failed, 'bare')}, plain {_ms(added, failed, 'plain')}, "
            f"all plugins {_ms(added, failed, 'all')}"
        )
        if "base all" in added:
            print(
                f"          baseline checkout: plain {_ms(added, failed, 'base plain')}, "
                f"all plugins {_ms(added, failed, 'base all')}"
            )
    lag = result["loop_lag"]
    held = (
        f"error ({lag['failed']} requests failed)"
        if lag["loop_lag_ms"] is None
        else f"{lag['loop_lag_ms']:.1f} ms"
    )
    print(
        f"loop lag, all plugins, {churn} churned {biggest:g} MB requests: worst probe "
        f"{lag['worst_probe_ms']:.1f} ms vs idle {lag['idle_probe_ms']:.2f} ms -> held "
        f"{held} ({lag['probes']} probes, p99 {lag['p99_probe_ms']:.1f} ms; "
        f"worst idle probe {lag['idle_worst_probe_ms']:.1f} ms); churned request "
        f"{lag['churned_request_ms']:.0f} ms"
    )


def start_targets(
    args: argparse.Namespace, work: Path, env: dict[str, str], mock_url: str
) -> list[Target]:
    """The mock direct, the bare forwarder and the shims (and the baseline's), started."""
    profile = mock_profile("mock", mock_url)
    targets = [Target("direct", mock_url, "none")]
    bare = start_bare(mock_url, work, env)
    bare.name = "bare"
    targets.append(bare)
    shims = [("plain", NO_PLUGINS, env), ("all", ALL_PLUGINS, env)]
    if args.baseline:  # the same shims from another checkout (the code before a change)
        old = {**env, "PYTHONPATH": args.baseline}
        shims += [("base plain", NO_PLUGINS, old), ("base all", ALL_PLUGINS, old)]
    for name, config, shim_env in shims:
        url, token, proc = start_shim_process(
            name, work, {"mock": profile}, "chain: [mock]\n" + config, shim_env
        )
        targets.append(Target(name, url, token, proc))
    return targets


def rounds(
    args: argparse.Namespace, targets: list[Target], bodies: dict[float, bytes]
) -> dict[str, Any]:
    """Each round: every size's same turn, then a session's next turns; the figures."""
    names = [t.name for t in targets]
    per: dict[str, dict[str, list[float]]] = {str(mb): {n: [] for n in names} for mb in bodies}
    failed: dict[str, dict[str, int]] = {str(mb): {} for mb in bodies}
    nexts: dict[str, list[float]] = {n: [] for n in names}
    next_failed: dict[str, int] = {}
    last_turn = b""
    for r in range(args.rounds):
        for mb, body in bodies.items():
            p50 = asyncio.run(same_turn(targets, body, args.requests, failed[str(mb)]))
            for name, v in p50.items():
                per[str(mb)][name].append(v)
        if args.next_turns:
            turns = next_turns(max(bodies), f"next{r}x{time.time_ns()}", args.next_turns)
            last_turn = turns[-1]
            for name, v in asyncio.run(next_turn(targets, turns, next_failed)).items():
                nexts[name].append(v)
    out: dict[str, Any] = {
        "sizes": {
            str(mb): size_figures(body, per[str(mb)], failed[str(mb)])
            for mb, body in bodies.items()
        }
    }
    if args.next_turns:
        out["next_turn"] = size_figures(last_turn, nexts, next_failed)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument(
        "--requests", type=int, default=8, help="timed requests per target, size, round"
    )
    ap.add_argument("--sizes", default="1,5", help="body sizes in MB")
    ap.add_argument("--churn", type=int, default=3, help="churned 5 MB requests for the loop lag")
    ap.add_argument(
        "--next-turns",
        type=int,
        default=4,
        help="a session's next turns per round at the largest size (each adds a round trip)",
    )
    ap.add_argument("--json", help="write the figures here")
    ap.add_argument("--baseline", help="also run the shims from this checkout (e.g. /work/main)")
    args = ap.parse_args()
    sizes = [float(s) for s in args.sizes.split(",")]
    env = proxy_free_env()
    work = Path(tempfile.mkdtemp(prefix="llmgw-big-bench-"))
    mock_url, mock_proc = start_mock(env)
    procs: list[subprocess.Popen[bytes]] = [mock_proc]
    try:
        targets = start_targets(args, work, env, mock_url)
        procs += [t.proc for t in targets if t.proc is not None]
        time.sleep(3)  # tokenizer and phone metadata warm in the background
        bodies = {mb: body_of(mb, f"same{mb}") for mb in sizes}
        figures = rounds(args, targets, bodies)
        every = next(t for t in targets if t.name == "all")
        lag = asyncio.run(loop_lag(every, max(sizes), args.churn))
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
    result: dict[str, Any] = {
        **figures,
        "loop_lag": lag,
        "errors": {t.name: t.errors for t in targets},
    }
    report(result, args.churn, max(sizes))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1))
    emit(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
