"""Throughput of the zero-delay `llmgw mock` next to a bare fixed-response aiohttp server.

The mock is the upstream for the shim and bench benchmarks, so it must not be the
bottleneck. Both servers run as subprocesses; `wrk` (Debian package) drives them at c=8 in
interleaved rounds and the median of each is printed with its ratio to the bare server.

    python benchmarks/mock_throughput.py [--rounds 3] [--seconds 3] [--connections 8]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

FIXED_SERVER = """
import sys
from aiohttp import web
BODY = (b'{"id":"msg_1","type":"message","role":"assistant","model":"m","content":'
        b'[{"type":"text","text":"Hello"}],"stop_reason":"end_turn","stop_sequence":null,'
        b'"usage":{"input_tokens":5,"output_tokens":1}}')
async def handle(request):
    await request.read()
    return web.Response(body=BODY, content_type="application/json")
app = web.Application()
app.router.add_post("/v1/messages", handle)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)
"""

HI = '"messages":[{"role":"user","content":"hi"}]'
MESSAGES = '{"model":"claude-sonnet-4-5","max_tokens":16,%s' + HI + "}"
CHAT = '{"model":"gpt-4o-mini","max_tokens":16,' + HI + "}"


def lua(body: str) -> str:
    return (
        'wrk.method = "POST"\n'
        f"wrk.body = '{body}'\n"
        'wrk.headers["Content-Type"] = "application/json"\n'
    )


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_up(url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit(f"server at {url} did not start")


def wrk(url: str, script: Path, seconds: int, connections: int) -> float:
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if match is None or "Non-2xx" in out:
        raise SystemExit(f"wrk failed against {url}:\n{out}")
    return float(match.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install wrk)", file=sys.stderr)
        return 1

    tmp = Path(tempfile.mkdtemp(prefix="mockbench-"))
    scripts = {
        "messages": tmp / "messages.lua",
        "messages_stream": tmp / "stream.lua",
        "chat": tmp / "chat.lua",
    }
    scripts["messages"].write_text(lua(MESSAGES % ""))
    scripts["messages_stream"].write_text(lua(MESSAGES % '"stream":true,'))
    scripts["chat"].write_text(lua(CHAT))

    fixed_port = free_port()
    fixed = subprocess.Popen([sys.executable, "-c", FIXED_SERVER, str(fixed_port)])
    llmgw = shutil.which("llmgw")
    cmd = [llmgw] if llmgw else [sys.executable, "-m", "llmgw_cli"]
    mock = subprocess.Popen(
        [*cmd, "mock", "--port", "0", "--output-tokens", "16"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    try:
        assert mock.stdout is not None
        mock_url = mock.stdout.readline().strip()
        fixed_url = f"http://127.0.0.1:{fixed_port}"
        wait_up(fixed_url)
        cases = {
            "bare aiohttp, fixed JSON": (f"{fixed_url}/v1/messages", scripts["messages"]),
            "mock /v1/messages": (f"{mock_url}/v1/messages", scripts["messages"]),
            "mock /v1/chat/completions": (f"{mock_url}/v1/chat/completions", scripts["chat"]),
            "mock /v1/messages stream (16 tokens)": (
                f"{mock_url}/v1/messages",
                scripts["messages_stream"],
            ),
        }
        results: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(args.rounds):
            for name, (url, script) in cases.items():
                results[name].append(wrk(url, script, args.seconds, args.connections))
        base = statistics.median(results["bare aiohttp, fixed JSON"])
        print(f"c={args.connections}, {args.rounds} interleaved rounds of {args.seconds} s, median")
        print(f"{'path':40} {'req/s':>9} {'ratio':>6}")
        for name, values in results.items():
            med = statistics.median(values)
            print(f"{name:40} {med:9.0f} {med / base:6.2f}")
    finally:
        for proc in (fixed, mock):
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=15)
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
