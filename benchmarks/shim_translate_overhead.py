"""What format translation adds inside the real shim, side by side in one run.

    python benchmarks/shim_translate_overhead.py [--rounds 7] [--requests 40] [--output-tokens 200]
        [--baseline DIR]

Claude Code's ~87 KB streaming request (the synthetic one of translate_overhead.py: 12
tools, 37 messages with tool_use/tool_result turns) goes to one `llmgw mock`, four ways:

- direct, Anthropic format (the request as is, to /v1/messages);
- direct, OpenAI format (the same request translated once beforehand, to /v1/chat/completions);
- through a shim whose profile serves Anthropic: no translation;
- through a shim whose profile serves only OpenAI: request translated, the streamed answer
  (one event per token, --output-tokens of them) translated back event by event;
- direct, Responses format (the same conversation as a Responses request, to /v1/responses);
- through a shim whose profile serves Anthropic, the Responses request from a Responses
  client (Codex): translated to Messages, the streamed answer back to Responses events.

The paths take turns request by request (interleaved, so drift hits all alike); wall
figures are medians of the round medians. "added" is the shim's cost over the direct path
of the same format, so the mock's own work for either format cancels out; translation's
cost is the translated shim's added minus the plain shim's added. Each shim process's CPU
time per request (psutil, over all measured requests) is printed too. ``--baseline DIR``
adds the same three shims run from another checkout (by PYTHONPATH, e.g. the code before
a change), interleaved with the others, and prints its figures beside this tree's.
Goals: translation adds <= 1.5 ms shim CPU to a streamed Claude Code turn (issue 19; issue
8 asked <= 3 ms), and Responses <-> Messages adds <= 2 ms p50 per request (issue 17). Like
translate_overhead.py it is judged on CPU time, which does not grow when other processes
compete for the 2 cores; wall time is printed beside it with the load average. Exit
status 1 when missed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _harness import NO_PLUGINS, emit, mock_profile, proxy_free_env, start_mock
from _harness import start_shim as start_shim_process
from shim_overhead import Target, processes
from translate_overhead import claude_code_request

from llmgw_cli.wire.anthropic_to_openai import anthropic_to_openai_request
from llmgw_cli.wire.anthropic_to_responses import anthropic_to_responses_request

GOAL_MS = 1.5
GOAL_RESPONSES_MS = 2.0
_FIRST = re.compile(rb'content_block_delta|"content":"|response\.output_text\.delta')
_END = re.compile(rb"message_stop|\[DONE\]|response\.completed")


@dataclass
class Way:
    name: str
    url: str
    path: str
    body: bytes
    token: str = "none"
    pid: int | None = None
    direct: Way | None = None  # a shim's: the direct path of the format it sends upstream
    e2e: list[float] = field(default_factory=list)
    ttft: list[float] = field(default_factory=list)
    cpu_s: float = 0.0  # the shim process's CPU seconds over the measured requests
    counted: int = 0
    errors: int = 0

    @property
    def cpu_ms(self) -> float:
        return self.cpu_s * 1000 / self.counted if self.counted else float("nan")


def start_shim(name: str, mock_url: str, formats: str, work: Path, env: dict[str, str]) -> Target:
    profile = mock_profile("up", mock_url, formats=formats, auth="{type: none}")
    config = "chain: [up]\n" + NO_PLUGINS
    url, token, proc = start_shim_process(name, work, {"up": profile}, config, env)
    return Target(name, url, token, proc)


async def one(session: aiohttp.ClientSession, p: Way) -> tuple[float, float] | None:
    headers = {
        "Content-Type": "application/json",
        "anthropic-version": "2023-06-01",
        "Authorization": f"Bearer {p.token}",
    }
    t = time.perf_counter()
    first = None
    tail = b""
    ended = False
    async with session.post(p.url + p.path, data=p.body, headers=headers) as r:
        async for chunk in r.content.iter_any():
            if first is None and _FIRST.search(chunk):
                first = time.perf_counter()
            ended = ended or _END.search(tail + chunk) is not None  # a marker may straddle
            tail = (tail + chunk)[-32:]
        ok = r.status == 200
    end = time.perf_counter()
    if not ok or first is None or not ended:
        return None
    return (end - t) * 1000, (first - t) * 1000


async def run_round(ways: list[Way], n: int) -> None:
    """n requests per way, the ways taking turns request by request."""
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1)) as session:
        for w in ways:
            for _ in range(3):  # warm the connection and the shim's caches
                await one(session, w)
        procs = [psutil.Process(w.pid) if w.pid else None for w in ways]
        cpu0 = [sum(pr.cpu_times()[:2]) if pr else 0.0 for pr in procs]
        e2e: list[list[float]] = [[] for _ in ways]
        ttft: list[list[float]] = [[] for _ in ways]
        for _ in range(n):
            for i, w in enumerate(ways):
                got = await one(session, w)
                if got is None:
                    w.errors += 1
                else:
                    e2e[i].append(got[0])
                    ttft[i].append(got[1])
        for i, w in enumerate(ways):
            pr = procs[i]
            if pr is not None:
                w.cpu_s += sum(pr.cpu_times()[:2]) - cpu0[i]
                w.counted += n
            if e2e[i]:
                w.e2e.append(statistics.median(e2e[i]))
                w.ttft.append(statistics.median(ttft[i]))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--requests", type=int, default=40, help="per path per round")
    ap.add_argument("--output-tokens", type=int, default=200, help="streamed events per answer")
    ap.add_argument("--baseline", type=Path, help="also run the shims from this checkout")
    args = ap.parse_args()

    request = claude_code_request()
    request["stream"] = True
    anthropic_body = json.dumps(request).encode()
    openai_body = json.dumps(
        anthropic_to_openai_request(request, max_tokens_field="max_tokens")
    ).encode()
    responses_body = json.dumps(anthropic_to_responses_request(request)).encode()
    env = proxy_free_env()
    work = Path(tempfile.mkdtemp(prefix="llmgw-bench-tr-"))
    mock_url, mock_proc = start_mock(env, "--output-tokens", str(args.output_tokens))
    targets: list[Target] = []
    with processes(targets, [mock_proc]):
        trees = [("", env)]
        if args.baseline is not None:  # the same shims from another checkout (before a change)
            trees.append(("baseline ", {**env, "PYTHONPATH": str(args.baseline.resolve())}))
        direct = [
            Way("direct, Anthropic format", mock_url, "/v1/messages", anthropic_body),
            Way("direct, OpenAI format", mock_url, "/v1/chat/completions", openai_body),
            Way("direct, Responses format", mock_url, "/v1/responses", responses_body),
        ]
        d_a, d_o, d_r = direct
        paths = list(direct)
        for label, tree_env in trees:
            for name, fmt, path, body, d in (
                ("Anthropic member (native)", "anthropic", "/v1/messages", anthropic_body, d_a),
                ("OpenAI-only member (translated)", "openai", "/v1/messages", anthropic_body, d_o),
                (
                    "Responses client, Anthropic member",
                    "anthropic",
                    "/v1/responses",
                    responses_body,
                    d_r,
                ),
            ):
                t = start_shim(f"{label}{fmt}{len(targets)}", mock_url, fmt, work, tree_env)
                targets.append(t)
                pid = t.proc.pid if t.proc else None
                paths.append(Way(f"{label}shim, {name}", t.url, path, body, t.token, pid, d))
        print(
            f"request {len(anthropic_body) / 1000:.1f} KB Anthropic / "
            f"{len(openai_body) / 1000:.1f} KB OpenAI / "
            f"{len(responses_body) / 1000:.1f} KB Responses, "
            f"stream: {args.output_tokens} events; "
            f"{args.rounds} rounds x {args.requests} requests per path, c=1",
            flush=True,
        )
        for r in range(args.rounds):
            asyncio.run(run_round(paths, args.requests))
            print(f"  round {r + 1}/{args.rounds} done", file=sys.stderr, flush=True)
    return report(paths)


@dataclass
class Figures:
    """One tree's translation costs (ms): over its native shim, each beside its direct path."""

    wall: float
    ttft: float
    cpu: float
    r_wall: float
    r_ttft: float
    r_cpu: float


def figures(direct: list[Way], native: Way, tr: Way, resp: Way) -> Figures:
    med = statistics.median
    d_a, d_o, d_r = direct
    added_native = med(native.e2e) - med(d_a.e2e)
    native_ttft = med(native.ttft) - med(d_a.ttft)
    return Figures(
        wall=(med(tr.e2e) - med(d_o.e2e)) - added_native,
        ttft=(med(tr.ttft) - med(d_o.ttft)) - native_ttft,
        cpu=tr.cpu_ms - native.cpu_ms,
        r_wall=(med(resp.e2e) - med(d_r.e2e)) - added_native,
        r_ttft=(med(resp.ttft) - med(d_r.ttft)) - native_ttft,
        r_cpu=resp.cpu_ms - native.cpu_ms,
    )


def print_table(paths: list[Way]) -> None:
    med = statistics.median
    print()
    print(
        f"{'path':49} {'e2e p50':>9} {'added':>8} {'TTFT p50':>9} {'added':>8} "
        f"{'shim CPU/req':>12} {'errors':>6}"
    )
    for p in paths:
        b = p.direct
        e2e, ttft = med(p.e2e), med(p.ttft)
        add_e = f"{e2e - med(b.e2e):+7.3f}" if b else ""
        add_t = f"{ttft - med(b.ttft):+7.3f}" if b else ""
        cpu = f"{p.cpu_ms:10.3f}ms" if p.counted else ""
        print(
            f"{p.name:49} {e2e:8.3f}ms {add_e:>8} {ttft:8.3f}ms {add_t:>8} {cpu:>12} {p.errors:6d}"
        )


def report(paths: list[Way]) -> int:
    if any(not p.e2e for p in paths):
        print("a path answered no request correctly; see errors below")
        for p in paths:
            print(f"  {p.name}: {p.errors} errors")
        return 1
    print_table(paths)
    direct, shims = paths[:3], paths[3:]
    f = figures(direct, *shims[:3])
    base = figures(direct, *shims[3:6]) if len(shims) >= 6 else None
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print()
    print(
        f"translation adds per streamed request: {f.wall:+.3f} ms p50 wall "
        f"({f.ttft:+.3f} ms before the first token), {f.cpu:+.3f} ms shim CPU; load average {load}"
    )
    if base is not None:
        print(
            f"  baseline checkout: {base.wall:+.3f} ms p50 wall, {base.cpu:+.3f} ms shim CPU "
            f"(this tree's CPU {f.cpu / base.cpu:.2f}x the baseline's)"
        )
    ok = f.cpu <= GOAL_MS
    print(
        f"goal: translation adds <= {GOAL_MS:g} ms per request: {'met' if ok else 'MISSED'} "
        f"(CPU {f.cpu:.3f} ms; wall p50 {f.wall:+.3f} ms)"
    )
    print(
        f"Responses <-> Messages adds per streamed request: {f.r_wall:+.3f} ms p50 wall "
        f"({f.r_ttft:+.3f} ms before the first token), {f.r_cpu:+.3f} ms shim CPU"
    )
    if base is not None:
        print(
            f"  baseline checkout: {base.r_wall:+.3f} ms p50 wall, {base.r_cpu:+.3f} ms shim CPU "
            f"(this tree's CPU {f.r_cpu / base.r_cpu:.2f}x the baseline's)"
        )
    r_ok = f.r_cpu <= GOAL_RESPONSES_MS
    print(
        f"goal: Responses <-> Messages adds <= {GOAL_RESPONSES_MS:g} ms per request: "
        f"{'met' if r_ok else 'MISSED'} (CPU {f.r_cpu:.3f} ms; wall p50 {f.r_wall:+.3f} ms)"
    )
    data: dict[str, object] = {
        "wall_added_ms": f.wall,
        "ttft_added_ms": f.ttft,
        "cpu_added_ms": f.cpu,
        "responses_wall_added_ms": f.r_wall,
        "responses_cpu_added_ms": f.r_cpu,
        "cpu_ms": {p.name: p.cpu_ms for p in paths if p.counted},
        "errors": sum(p.errors for p in paths),
    }
    if base is not None:
        data["baseline"] = vars(base)
    emit(data)
    return 0 if ok and r_ok else 1


if __name__ == "__main__":
    sys.exit(main())
