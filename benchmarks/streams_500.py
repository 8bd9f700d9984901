"""500 concurrent streams through the shim: errors, the shim's RSS growth, added TTFT.

    python benchmarks/streams_500.py [--streams 500] [--tokens 40] [--itl-ms 25]

One `llmgw mock` streaming --tokens events --itl-ms apart (about a second per stream), and
`llmgw shim start` with its default plugins (audit, metrics) in front of it. The streams
are opened all at once, first against the mock directly, then through the shim; TTFT is
the time from sending to the first content event, "added" the shim's p50 minus the
direct p50. RSS is the shim process's resident set before the burst and at its peak.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import aiohttp
import psutil

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _harness import emit, mock_profile, proxy_free_env, start_mock, start_shim  # noqa: E402

BODY = {
    "model": "claude-sonnet-4-5",
    "max_tokens": 64,
    "stream": True,
    "messages": [{"role": "user", "content": "Say hello."}],
}


async def burst(url: str, token: str, n: int) -> tuple[list[float], int]:
    data = json.dumps(BODY).encode()
    headers = {
        "Content-Type": "application/json",
        "anthropic-version": "2023-06-01",
        "Authorization": f"Bearer {token}",
    }
    ttfts: list[float] = []
    errors = 0
    timeout = aiohttp.ClientTimeout(total=120)

    async def one(session: aiohttp.ClientSession) -> None:
        nonlocal errors
        t = time.perf_counter()
        try:
            async with session.post(url + "/v1/messages", data=data, headers=headers) as r:
                first = None
                async for chunk in r.content.iter_any():
                    if first is None and b"content_block_delta" in chunk:
                        first = time.perf_counter()
                if r.status != 200 or first is None:
                    errors += 1
                else:
                    ttfts.append((first - t) * 1000)
        except (aiohttp.ClientError, asyncio.TimeoutError):
            errors += 1

    conn = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=conn, timeout=timeout) as session:
        await asyncio.gather(*(one(session) for _ in range(n)))
    return ttfts, errors


def main() -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--streams", type=int, default=500)
    ap.add_argument("--tokens", type=int, default=40)
    ap.add_argument("--itl-ms", type=float, default=25.0)
    args = ap.parse_args()
    env = proxy_free_env()
    work = Path(tempfile.mkdtemp(prefix="llmgw-streams-"))
    mock_url, mock = start_mock(
        env, "--output-tokens", str(args.tokens), "--itl-ms", str(args.itl_ms)
    )
    procs = [mock]
    try:
        url, token, shim = start_shim(
            "shim", work, {"mock": mock_profile("mock", mock_url)}, "chain: [mock]\n", env
        )
        procs.append(shim)
        ps = psutil.Process(shim.pid)
        asyncio.run(burst(url, token, 20))  # warm: imports, pools
        rss0 = ps.memory_info().rss
        peak = [rss0]
        stop = threading.Event()

        def sample() -> None:
            while not stop.wait(0.05):
                peak[0] = max(peak[0], ps.memory_info().rss)

        sampler = threading.Thread(target=sample, daemon=True)
        direct, derr = asyncio.run(burst(mock_url, "none", args.streams))
        sampler.start()
        through, serr = asyncio.run(burst(url, token, args.streams))
        stop.set()
        sampler.join()
    finally:
        for p in procs:
            p.terminate()
            p.wait(10)
    d50, s50 = statistics.median(direct or [0.0]), statistics.median(through or [0.0])
    result: dict[str, Any] = {
        "streams": args.streams,
        "errors_direct": derr,
        "errors_shim": serr,
        "rss_before_mb": rss0 / 2**20,
        "rss_peak_mb": peak[0] / 2**20,
        "rss_growth_mb": (peak[0] - rss0) / 2**20,
        "ttft_p50_direct_ms": d50,
        "ttft_p50_shim_ms": s50,
        "ttft_added_ms": s50 - d50,
    }
    print(
        f"{args.streams} concurrent streams: {serr} errors through the shim ({derr} direct); "
        f"shim RSS {result['rss_before_mb']:.0f} -> {result['rss_peak_mb']:.0f} MB "
        f"(+{result['rss_growth_mb']:.1f} MB); TTFT p50 direct {d50:.1f} ms, shim {s50:.1f} ms "
        f"(+{s50 - d50:.1f} ms)"
    )
    emit(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
