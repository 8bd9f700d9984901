"""Load: many concurrent streams without an error, and no memory growth over 100,000 requests."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import aiohttp
import psutil
import pytest

from llmgw_cli import shimstate
from tests.helpers.cli import run
from tests.helpers.mockserver import mock_process, mock_thread
from tests.shim.conftest import save_profile, shim_for

BODY = {
    "model": "claude-sonnet-4-5",
    "max_tokens": 20,
    "messages": [{"role": "user", "content": "hi"}],
}


async def _streams(url: str, token: str, n: int) -> list[str]:
    """n streaming requests at once; the outcome of each ('ok' or what went wrong)."""
    data = json.dumps({**BODY, "stream": True}).encode()
    headers = {"x-api-key": token, "content-type": "application/json"}
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def one() -> str:
            try:
                async with session.post(url + "/v1/messages", data=data, headers=headers) as r:
                    body = await r.read()
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                return f"{type(exc).__name__}: {exc}"
            if r.status != 200:
                return f"status {r.status}: {body[:200]!r}"
            if not body.rstrip().endswith(b'data: {"type":"message_stop"}'):
                return f"incomplete stream: {body[-200:]!r}"
            return "ok"

        return await asyncio.gather(*(one() for _ in range(n)))


def test_500_concurrent_streams_without_an_error() -> None:
    with mock_thread(itl_ms=10, output_tokens=20) as url:
        save_profile("m", url)
        with shim_for("m") as shim:
            outcomes = asyncio.run(_streams(shim.url, shim.token, 500))
    failures = [o for o in outcomes if o != "ok"]
    assert not failures, f"{len(failures)} of 500 failed, e.g. {failures[:3]}"


async def _hammer(url: str, token: str, n: int, concurrency: int) -> int:
    """n requests (every tenth streamed) over `concurrency` connections; the error count."""
    plain = json.dumps(BODY).encode()
    streamed = json.dumps({**BODY, "stream": True}).encode()
    headers = {"x-api-key": token, "content-type": "application/json"}
    errors = 0
    left = n

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:

        async def worker() -> None:
            nonlocal errors, left
            while left > 0:
                left -= 1
                data = streamed if left % 10 == 0 else plain
                async with session.post(url + "/v1/messages", data=data, headers=headers) as r:
                    await r.read()
                    errors += r.status != 200

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return errors


@pytest.mark.slow
def test_memory_stays_flat_over_100k_requests(tmp_path: Path) -> None:
    """The shim as users run it (a process, default plugins on): RSS after 100,000 requests
    is within 20 MB of RSS after 1,000."""
    with mock_process() as mock:
        save_profile("m", mock.url)
        r = run("shim", "start", "--profile", "m", "--port", "0", "--detach")
        assert r.returncode == 0, r.stderr
        try:
            state = shimstate.read()
            assert state is not None
            proc = psutil.Process(state.pid)
            assert asyncio.run(_hammer(state.url, state.token, 1_000, 16)) == 0
            rss_1k = proc.memory_info().rss
            started = time.monotonic()
            assert asyncio.run(_hammer(state.url, state.token, 99_000, 16)) == 0
            elapsed = time.monotonic() - started
            rss_100k = proc.memory_info().rss
            status = json.loads(run("shim", "status", "--json").stdout)
        finally:
            run("shim", "stop")
    growth_mb = (rss_100k - rss_1k) / 2**20
    print(
        f"RSS after 1k: {rss_1k / 2**20:.1f} MB; after 100k: {rss_100k / 2**20:.1f} MB "
        f"(+{growth_mb:.1f} MB); 99k requests in {elapsed:.1f} s; plugins {status['plugins']}"
    )
    assert status["requests"] == 100_000 and status["errors"] == 0
    assert growth_mb < 20
