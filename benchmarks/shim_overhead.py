"""What the shim adds, side by side in one run: the mock direct, through the shim, through
the shim with its default plugins, and (when installed) through LiteLLM in front of the
same mock.

    python benchmarks/shim_overhead.py [--rounds 5] [--seconds 2] [--ttft-requests 200]

Each round measures every target in turn (interleaved, so drift hits all alike): c=1
latency p50/p99 and c=8 throughput with `wrk` (an aiohttp client when wrk is absent), and
streaming time to first content event with an aiohttp client. The table gives the median
of the per-round medians; "added" is relative to the direct mock in the same round.
Goals (issue 5): added p50 <= 0.5 ms at c=1, >= 3,000 req/s at c=8, streaming TTFT added
<= 1 ms; LiteLLM's added latency >= 10x the shim's. The request is a small Messages call;
`--claude-shaped` sends an ~87 KB Claude-Code-shaped body instead (issue 7's goal: added
p50 <= 2 ms with every plugin on).

The live dashboard (issue 18): `--baseline DIR` adds the plain shim run from another checkout
(e.g. main's worktree, by PYTHONPATH) beside this one, so code that is present but unwatched
is compared back to back (goal: <= 0.02 ms at c=1 p50); `--watched` adds a plain shim with
one dashboard open (an SSE client reading its events the whole time) and says what that costs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from _harness import NO_PLUGINS, emit, get, mock_profile, proxy_free_env, start_mock, wait_http
from _harness import start_shim as start_shim_process

REPO = Path(__file__).resolve().parents[1]
SMALL = {
    "model": "claude-sonnet-4-5",
    "max_tokens": 64,
    "messages": [{"role": "user", "content": "Say hello."}],
}
LITELLM_VERSION = "1.108.7"


@dataclass
class Target:
    name: str
    url: str
    token: str
    proc: subprocess.Popen[bytes] | None = None
    c1_p50: list[float] = field(default_factory=list)
    c1_p99: list[float] = field(default_factory=list)
    c8_rps: list[float] = field(default_factory=list)
    ttft: list[float] = field(default_factory=list)
    errors: int = 0


ALL_PLUGINS = (
    "plugins:\n"
    "  metrics: {enabled: true}\n"
    "  audit: {enabled: true}\n"
    "  pii: {enabled: true, mode: redact}\n"
    "  budget: {enabled: true, daily_usd: 1000000000}\n"
)


def start_shim(
    name: str, mock_url: str, plugins: bool | str, work: Path, env: dict[str, str]
) -> Target:
    profile = mock_profile("mock", mock_url, extra="headers: {X-Department: Bench}\n")
    # plugins True: the defaults, whatever plugins are on by default; a str: that section.
    section = plugins if isinstance(plugins, str) else ("" if plugins else NO_PLUGINS)
    config = "chain: [mock]\n" + section
    url, token, proc = start_shim_process(name, work, {"mock": profile}, config, env)
    health = json.loads(get(url + "/health"))
    label = f"{name} ({', '.join(health.get('plugins') or []) or 'no plugins'})"
    return Target(label, url, token, proc)


class Watcher:
    """One dashboard open on a shim: logs in with a one-time code, then reads its SSE
    stream in a thread until stopped; counts the events it got."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.events = 0
        self._stop = False
        self._thread = __import__("threading").Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        asyncio.run(self._read())

    async def _read(self) -> None:
        base = self.target.url + "/_llmgw/dashboard"
        async with aiohttp.ClientSession() as session:
            auth = {"Authorization": f"Bearer {self.target.token}"}
            async with session.post(base + "/code", headers=auth) as r:
                code = (await r.json())["code"]
            async with session.get(f"{base}?code={code}", allow_redirects=False) as r:
                cookie = r.headers["Set-Cookie"].split(";")[0]
            async with session.get(base + "/events", headers={"Cookie": cookie}) as r:
                async for line in r.content:
                    if line.startswith(b"data:"):
                        self.events += 1
                    if self._stop:
                        return

    def stop(self) -> None:
        self._stop = True


def start_bare(mock_url: str, work: Path, env: dict[str, str]) -> Target:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "benchmarks" / "bare_forwarder.py"), mock_url, str(port)],
        stdout=subprocess.DEVNULL,
        stderr=open(work / "bare.log", "wb"),  # noqa: SIM115
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    wait_http(url + "/health", proc=proc)
    return Target("bare aiohttp forwarder (30 lines)", url, "none", proc)


def find_litellm() -> str | None:
    """LiteLLM's console script next to this interpreter (the venv's e2e extra, even when
    the venv is not activated), else on PATH."""
    beside = Path(sys.executable).parent / "litellm"
    if beside.exists():
        return str(beside)
    return shutil.which("litellm")


def start_litellm(mock_url: str, work: Path, env: dict[str, str]) -> Target | None:
    exe = find_litellm()
    if exe is None:
        print(
            f"LiteLLM row missing: no `litellm` next to {sys.executable} nor on PATH; "
            f"`pip install 'litellm[proxy]=={LITELLM_VERSION}'` (the e2e extra)"
        )
        return None
    # The interpreter that runs that script (its venv), not necessarily this one.
    python = Path(exe).parent / "python"
    version = subprocess.run(
        [
            str(python) if python.exists() else sys.executable,
            "-c",
            "import importlib.metadata as m; print(m.version('litellm'))",
        ],
        capture_output=True,
        text=True,
    ).stdout.strip()
    if version != LITELLM_VERSION:
        print(
            f"LiteLLM row missing: {exe} is {version or 'an unknown version'}, "
            f"{LITELLM_VERSION} wanted"
        )
        return None
    cfg = work / "litellm.yaml"
    cfg.write_text(
        "model_list:\n"
        "  - model_name: claude-sonnet-4-5\n"
        "    litellm_params:\n"
        "      model: anthropic/claude-sonnet-4-5\n"
        f"      api_base: {mock_url}\n"
        "      api_key: bench-key\n"
        "general_settings:\n  master_key: sk-bench-master\n"
        "litellm_settings:\n  telemetry: false\n"
    )
    port = _free_port()
    proc = subprocess.Popen(
        [exe, "--config", str(cfg), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=open(work / "litellm.log", "wb"),  # noqa: SIM115
        env={**env, "LITELLM_LOCAL_MODEL_COST_MAP": "True"},
    )
    url = f"http://127.0.0.1:{port}"
    wait_http(url + "/health/liveliness", timeout=120, proc=proc)
    return Target(f"LiteLLM {LITELLM_VERSION}", url, "sk-bench-master", proc)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wrk_run(
    target: Target, body: bytes, conns: int, seconds: float, work: Path
) -> tuple[float, float, float, int]:
    """(p50 ms, p99 ms, requests/s, errors) from wrk."""
    body_file = work / "body.json"
    body_file.write_bytes(body)
    script = work / "post.lua"
    script.write_text(
        'wrk.method = "POST"\n'
        f'local f = io.open("{body_file}", "rb"); wrk.body = f:read("*a"); f:close()\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        'wrk.headers["anthropic-version"] = "2023-06-01"\n'
        f'wrk.headers["Authorization"] = "Bearer {target.token}"\n'
    )
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{conns}",
            f"-d{seconds:g}s",
            "--latency",
            "-s",
            str(script),
            target.url + "/v1/messages",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    p50 = _wrk_pct(out, "50%")
    p99 = _wrk_pct(out, "99%")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    sock = re.search(r"Socket errors:.*?(\d+).*?(\d+).*?(\d+).*?(\d+)", out)
    errors = (int(bad.group(1)) if bad else 0) + (sum(map(int, sock.groups())) if sock else 0)
    return p50, p99, rps, errors


def _wrk_pct(out: str, pct: str) -> float:
    m = re.search(rf"^\s*{re.escape(pct)}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
    if m is None:
        raise RuntimeError(f"no {pct} line in wrk output:\n{out}")
    value = float(m.group(1))
    return {"us": value / 1000, "ms": value, "s": value * 1000}[m.group(2)]


async def aio_run(
    target: Target, body: bytes, conns: int, seconds: float
) -> tuple[float, float, float, int]:
    """The same figures with an aiohttp client (when wrk is absent)."""
    headers = _headers(target)
    lat: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal errors
        while time.perf_counter() < stop:
            t = time.perf_counter()
            async with session.post(target.url + "/v1/messages", data=body, headers=headers) as r:
                await r.read()
                errors += r.status != 200
            lat.append((time.perf_counter() - t) * 1000)

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        t0 = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(conns)))
        elapsed = time.perf_counter() - t0
    lat.sort()
    return lat[len(lat) // 2], lat[int(len(lat) * 0.99)], len(lat) / elapsed, errors


def _headers(target: Target) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "anthropic-version": "2023-06-01",
        "Authorization": f"Bearer {target.token}",
    }


async def ttft_run(target: Target, body: dict[str, Any], n: int) -> tuple[float, int]:
    """Median time from sending a streaming request to its first content event."""
    data = json.dumps({**body, "stream": True}).encode()
    headers = _headers(target)
    times: list[float] = []
    errors = 0
    async with aiohttp.ClientSession() as session:
        for _ in range(n):
            t = time.perf_counter()
            async with session.post(target.url + "/v1/messages", data=data, headers=headers) as r:
                if r.status != 200:
                    errors += 1
                    await r.read()
                    continue
                first = None
                async for chunk in r.content.iter_any():
                    if first is None and b"content_block_delta" in chunk:
                        first = time.perf_counter()
                if first is not None:
                    times.append((first - t) * 1000)
                else:
                    errors += 1
    return (statistics.median(times) if times else float("nan")), errors


@contextlib.contextmanager
def processes(targets: list[Target], extra: list[subprocess.Popen[bytes]]) -> Iterator[None]:
    try:
        yield
    finally:
        for proc in [t.proc for t in targets if t.proc] + extra:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in [t.proc for t in targets if t.proc] + extra:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--ttft-requests", type=int, default=200)
    ap.add_argument(
        "--claude-shaped", action="store_true", help="send an ~87 KB Claude-Code-shaped body"
    )
    ap.add_argument("--no-litellm", action="store_true")
    ap.add_argument("--baseline", type=Path, help="also run the plain shim from this checkout")
    ap.add_argument("--watched", action="store_true", help="also a plain shim, dashboard open")
    args = ap.parse_args()

    body_obj = claude_shaped() if args.claude_shaped else SMALL
    body = json.dumps(body_obj).encode()
    use_wrk = shutil.which("wrk") is not None
    env = proxy_free_env()
    work = Path(tempfile.mkdtemp(prefix="llmgw-bench-"))
    mock_url, mock_proc = start_mock(env)
    targets = [Target("mock direct", mock_url, "none", None)]
    with processes(targets, [mock_proc]):
        targets.append(start_shim("shim", mock_url, plugins=False, work=work, env=env))
        targets.append(start_shim("shim+plugins", mock_url, plugins=True, work=work, env=env))
        targets.append(start_shim("shim+all", mock_url, plugins=ALL_PLUGINS, work=work, env=env))
        if args.baseline is not None:  # the same shims from another checkout (before a change)
            base_env = {**env, "PYTHONPATH": str(args.baseline.resolve())}
            for label, plugins in (("base", False), ("base+plugins", True)):
                targets.append(
                    start_shim(label, mock_url, plugins=plugins, work=work, env=base_env)
                )
        watcher = None
        if args.watched:
            t = start_shim("watched", mock_url, plugins=False, work=work, env=env)
            t.name = "shim, dashboard open (no plugins)"
            targets.append(t)
            watcher = Watcher(t)
        targets.append(start_bare(mock_url, work, env))
        if not args.no_litellm:
            lite = start_litellm(mock_url, work, env)
            if lite is not None:
                targets.append(lite)
        print(
            f"body {len(body):,} bytes; load client: {'wrk' if use_wrk else 'aiohttp'}; "
            f"{args.rounds} rounds x {args.seconds:g} s; {os.cpu_count()} cores"
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
                c8 = (
                    wrk_run(t, body, 8, args.seconds, work)
                    if use_wrk
                    else asyncio.run(aio_run(t, body, 8, args.seconds))
                )
                ttft, terr = asyncio.run(ttft_run(t, body_obj, args.ttft_requests))
                t.c1_p50.append(c1[0])
                t.c1_p99.append(c1[1])
                t.c8_rps.append(c8[2])
                t.ttft.append(ttft)
                t.errors += c1[3] + c8[3] + terr
            print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)
        rss = {t.name: _rss_mb(t) for t in targets}
        if watcher is not None:
            watcher.stop()
            print(f"the open dashboard received {watcher.events} events (one per 200 ms at most)")
    report(targets)
    emit(
        {
            "body_bytes": len(body),
            "rounds": args.rounds,
            "targets": {
                t.name: {
                    "c1_p50_ms": statistics.median(t.c1_p50),
                    "c1_p50_min_max": [min(t.c1_p50), max(t.c1_p50)],
                    "c1_p99_ms": statistics.median(t.c1_p99),
                    "c8_rps": statistics.median(t.c8_rps),
                    "c8_rps_min_max": [min(t.c8_rps), max(t.c8_rps)],
                    "c8_rps_rounds": t.c8_rps,
                    "ttft_ms": statistics.median(t.ttft),
                    "errors": t.errors,
                    "rss_mb": rss[t.name],
                }
                for t in targets
            },
        }
    )
    return 0


def _rss_mb(target: Target) -> float | None:
    if target.proc is None:
        return None
    try:
        import psutil

        return float(psutil.Process(target.proc.pid).memory_info().rss) / 2**20
    except Exception:  # the process is gone
        return None


def report(targets: list[Target]) -> None:
    med = statistics.median
    base, shim = targets[0], targets[1]
    b50, b99, brps, bttft = med(base.c1_p50), med(base.c1_p99), med(base.c8_rps), med(base.ttft)
    print()
    print(
        f"{'path':36} {'c=1 p50':>9} {'added':>8} {'c=1 p99':>9} {'added':>8} "
        f"{'c=8 req/s':>10} {'TTFT':>8} {'added':>8} {'errors':>6}"
    )
    for t in targets:
        p50, p99, rps, ttft = med(t.c1_p50), med(t.c1_p99), med(t.c8_rps), med(t.ttft)
        print(
            f"{t.name:36} {p50:8.3f}ms {p50 - b50:+7.3f} {p99:8.3f}ms {p99 - b99:+7.3f} "
            f"{rps:10,.0f} {ttft:7.3f}ms {ttft - bttft:+7.3f} {t.errors:6d}"
        )
    print()
    shim_added = med(shim.c1_p50) - b50
    shim_rps = med(shim.c8_rps)
    for t in targets[1:]:
        added = med(t.c1_p50) - b50
        ratio = f"{added / shim_added:.1f}x" if shim_added > 0 else "n/a"
        print(
            f"{t.name}: adds {added:.3f} ms at c=1 p50 ({ratio} the plain shim's); "
            f"c=8 {med(t.c8_rps):,.0f} req/s ({med(t.c8_rps) / shim_rps:.2f}x the plain "
            f"shim's); streaming TTFT +{med(t.ttft) - bttft:.3f} ms"
        )
    print(
        f"(the direct mock serves {brps:,.0f} req/s at c=8; every figure is a median of "
        f"{len(base.c1_p50)} per-round medians)"
    )


def claude_shaped() -> dict[str, Any]:
    """A synthetic request shaped like one Claude Code turn (docs/clients.md): ~87 KB, 12 tools."""
    tool_props = {f"param_{i}": {"type": "string", "description": "x" * 300} for i in range(8)}
    tools = [
        {
            "name": f"Tool{i}",
            "description": "Does a thing. " * 150,
            "input_schema": {"type": "object", "properties": tool_props},
        }
        for i in range(12)
    ]
    messages: list[dict[str, Any]] = []
    for i in range(20):
        messages.append(
            {
                "role": "user",
                "content": [{"type": "text", "text": f"step {i} " + "lorem ipsum " * 60}],
            }
        )
        messages.append({"role": "assistant", "content": [{"type": "text", "text": "ok " * 80}]})
    messages.append({"role": "user", "content": "say hi"})
    return {
        "model": "claude-sonnet-4-5",
        "max_tokens": 64,
        "stream": False,
        "tools": tools,
        "system": [{"type": "text", "text": "You are Claude Code. " * 200}],
        "messages": messages,
        "metadata": {"user_id": "bench"},
    }


if __name__ == "__main__":
    sys.exit(main())
