"""`llmgw shim reload` (and SIGHUP) on a detached shim carrying 50 open streams."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import httpx
import pytest

from llmgw_cli import shimstate
from tests.helpers.cli import run
from tests.helpers.mockserver import mock_thread, stats
from tests.shim.conftest import save_profile
from tests.shim.resilience.conftest import BODY

PLUGINS = "plugins: {audit: {enabled: false}, metrics: {enabled: false}}\n"
DELTAS = 50
STREAM = {**BODY, "stream": True, "max_tokens": 500}


def _config(chain: str) -> str:
    return f"chain: [{chain}]\nbreaker: {{failures: 3}}\n" + PLUGINS


@pytest.fixture
def shim_with_config(tmp_path: Path) -> Iterator[tuple[shimstate.ShimState, Path, str, str]]:
    with (
        mock_thread(itl_ms=40, output_tokens=DELTAS) as slow,
        mock_thread(output_tokens=3) as quick,
    ):
        save_profile("a", slow)
        save_profile("b", quick)
        cfg = tmp_path / "shim.yaml"
        cfg.write_text(_config("a, b"))
        r = run("shim", "start", "--config", str(cfg), "--port", "0", "--detach")
        assert r.returncode == 0, r.stderr
        state = shimstate.read()
        assert state is not None
        try:
            yield state, cfg, slow, quick
        finally:
            run("shim", "stop")


async def _streams(url: str, token: str, n: int) -> list[str]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:

        async def one() -> str:
            async with session.post(
                url + "/v1/messages", json=STREAM, headers={"x-api-key": token}
            ) as resp:
                assert resp.headers["x-llmgw-upstream"] == "a"
                return (await resp.read()).decode()

        return list(await asyncio.gather(*(one() for _ in range(n))))


def _upstream(state: shimstate.ShimState) -> str:
    r = httpx.post(state.url + "/v1/messages", json=BODY, headers={"x-api-key": state.token})
    assert r.status_code == 200, r.text
    return r.headers["x-llmgw-upstream"]


def test_reload_under_50_open_streams_breaks_none_and_new_requests_follow(
    shim_with_config: tuple[shimstate.ShimState, Path, str, str],
) -> None:
    state, cfg, slow, _ = shim_with_config
    results: list[str] = []
    thread = threading.Thread(
        target=lambda: results.extend(asyncio.run(_streams(state.url, state.token, 50)))
    )
    thread.start()
    deadline = time.monotonic() + 30
    while stats(slow)["streams"]["active"] < 50:
        assert time.monotonic() < deadline, stats(slow)
        time.sleep(0.02)

    cfg.write_text(_config("b, a"))
    r = run("shim", "reload")
    assert r.returncode == 0, r.stderr
    assert stats(slow)["streams"]["active"] == 50  # all still open across the swap
    assert _upstream(state) == "b"  # new requests follow the new order

    cfg.write_text(_config("b, a") + "routing_rules:\n  - {match: {model: '(('}, route: b}\n")
    bad = run("shim", "reload")
    assert bad.returncode == 2
    assert "refused the reload" in bad.stderr and "not a valid regular expression" in bad.stderr
    assert f"{cfg}:" in bad.stderr  # names the file and line
    assert _upstream(state) == "b"  # the running config was kept

    thread.join(60)
    assert not thread.is_alive()
    assert len(results) == 50
    for text in results:
        assert text.count("event: content_block_delta") == DELTAS
        assert "event: message_stop" in text and "event: error" not in text
    assert stats(slow)["streams"]["completed"] == 50

    status = run("shim", "status", "--json")
    members = {m["name"]: m for m in __import__("json").loads(status.stdout)["members"]}
    assert members["a"]["requests"] == 50  # counts survived the reload
    assert shimstate.read() is not None and shimstate.read().chain == ["b", "a"]  # type: ignore[union-attr]


def test_sighup_reloads_and_status_watch_shows_the_members(
    shim_with_config: tuple[shimstate.ShimState, Path, str, str],
) -> None:
    state, cfg, _, _ = shim_with_config
    assert _upstream(state) == "a"
    cfg.write_text(_config("b, a"))
    os.kill(state.pid, signal.SIGHUP)
    deadline = time.monotonic() + 20
    while _upstream(state) != "b":
        assert time.monotonic() < deadline, "SIGHUP did not reload"
        time.sleep(0.1)

    watch = run(
        "shim", "status", "--watch", "--count", "2", "--interval", "0.1", env={"COLUMNS": "200"}
    )
    assert watch.returncode == 0, watch.stderr
    out = watch.stdout
    for text in (state.url, "member", "state", "p50 TTFT", "error rate", "tokens", "closed"):
        assert text in out, out
    assert out.index("│b ") < out.index("│a ")  # the new chain order
    assert run("shim", "status", "--watch", "--json").returncode == 2


def test_start_with_the_chain_flag_falls_over_and_status_shows_the_breakers() -> None:
    from tests.shim.test_shim_faults import closed_port

    with mock_thread(output_tokens=3) as up:
        save_profile("down", f"http://127.0.0.1:{closed_port()}")
        save_profile("up", up)
        r = run("shim", "start", "--chain", "down,up", "--port", "0", "--detach")
        assert r.returncode == 0, r.stderr
        try:
            state = shimstate.read()
            assert state is not None and state.chain == ["down", "up"]
            resp = httpx.post(
                state.url + "/v1/messages", json=BODY, headers={"x-api-key": state.token}
            )
            assert resp.status_code == 200
            assert resp.headers["x-llmgw-attempts"] == "2"
            text = run("shim", "status").stdout
            assert "down: " in text and "circuit open" in text and "circuit closed" in text
        finally:
            run("shim", "stop")
