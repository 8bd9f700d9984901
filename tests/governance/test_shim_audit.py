"""The audit log through the real shim: whole lines under load and SIGKILL, no prompt text,
exact figures, and a streamed answer with cache reads and writes priced to the cent."""

from __future__ import annotations

import asyncio
import json
import signal
import threading
from pathlib import Path
from typing import Any

import anthropic
import httpx
import pytest

from llmgw_cli import paths
from llmgw_cli.mock.script import parse_script
from llmgw_cli.shim.plugins.appendlog import AppendLog
from tests.governance.shimkit import (
    OFF,
    auth,
    read_lines,
    shim_process,
    shim_thread,
    start_shim_process,
    wait_for,
)
from tests.helpers.mockserver import mock_process, mock_thread

MARKER = "confidential-plan-7f3a"
SEED_FIELDS = (
    "timestamp", "user", "department", "model", "prompt_tokens", "response_tokens",
    "latency", "status",
)  # fmt: skip


def body(i: int, stream: bool = False) -> dict[str, Any]:
    return {
        "model": "claude-sonnet-4-5",
        "max_tokens": 8,
        "stream": stream,
        "messages": [{"role": "user", "content": f"request {i}: {MARKER}"}],
    }


HEADERS = {"X-User-ID": "alice", "X-Department": "Research"}


async def load(url: str, token: str, n: int, conns: int) -> list[int]:
    headers = {**auth(token), **HEADERS}
    queue = iter(range(n))
    statuses: list[int] = []
    async with httpx.AsyncClient(timeout=60) as client:

        async def worker() -> None:
            for i in queue:
                payload = body(i, stream=i % 4 == 0)
                r = await client.post(url + "/v1/messages", json=payload, headers=headers)
                statuses.append(r.status_code)

        await asyncio.gather(*(worker() for _ in range(conns)))
    return statuses


def test_a_thousand_requests_make_a_thousand_whole_lines(tmp_path: Path) -> None:
    home = tmp_path / "home"
    # The shim's defaults: audit and metrics on.
    with mock_process("--output-tokens", "4") as mock, shim_process(home, mock.url, "") as shim:
        statuses = asyncio.run(load(shim.url, shim.token, 1000, 8))
        shim.stop(signal.SIGTERM)  # right after the last answer: nothing may be lost
    assert statuses == [200] * 1000
    raw = (home / "state" / "audit.jsonl").read_bytes()
    assert raw.endswith(b"\n") and MARKER.encode() not in raw  # no prompt text by default
    lines = [json.loads(line) for line in raw.splitlines()]
    assert len(lines) == 1000
    assert len({line["request_id"] for line in lines}) == 1000
    for line in lines:
        assert all(key in line for key in SEED_FIELDS)
        assert "prompt" not in line
        assert (line["user"], line["department"], line["status"]) == ("alice", "Research", 200)
        assert line["profile"] == "mock" and line["upstream"] == mock.url
        assert line["tokens_exact"] is True and line["response_tokens"] == 4
        assert line["latency"] > 0 and line["overhead_ms"] is not None
    streamed = [line for line in lines if line["stream"]]
    assert len(streamed) == 250 and all(line["ttft"] is not None for line in streamed)


def test_sigkill_under_load_leaves_only_whole_lines(tmp_path: Path) -> None:
    home = tmp_path / "home"
    stop = threading.Event()
    with mock_process("--output-tokens", "20", "--itl-ms", "2") as mock:
        shim = start_shim_process(home, mock.url, "")
        log = home / "state" / "audit.jsonl"

        def run_load() -> None:
            async def go() -> None:
                async with httpx.AsyncClient(timeout=10) as client:

                    async def worker(w: int) -> None:
                        i = 0
                        while not stop.is_set():
                            i += 1
                            try:
                                await client.post(
                                    shim.url + "/v1/messages",
                                    json=body(i, stream=(i + w) % 2 == 0),
                                    headers=auth(shim.token),
                                )
                            except httpx.HTTPError:
                                await asyncio.sleep(0.01)

                    await asyncio.gather(*(worker(w) for w in range(16)))

            asyncio.run(go())

        loader = threading.Thread(target=run_load, daemon=True)
        loader.start()
        try:
            wait_for(
                lambda: log.exists() and log.read_bytes().count(b"\n") >= 300,
                what="300 audit lines",
            )
            shim.proc.send_signal(signal.SIGKILL)
            shim.proc.wait(30)
        finally:
            stop.set()
            loader.join(30)
            shim.stop()
    whole, _, _torn = log.read_bytes().rpartition(b"\n")
    assert len([json.loads(line) for line in whole.splitlines()]) >= 300
    AppendLog(log).close()  # what the next shim does on start: trim a write SIGKILL cut short
    raw = log.read_bytes()
    assert raw.endswith(b"\n")
    lines = [json.loads(line) for line in raw.splitlines()]  # every one parses
    assert len(lines) >= 300
    assert all(line["request_id"] and "status" in line for line in lines)


def test_include_prompts_keeps_the_last_user_turn_redacted() -> None:
    plugins = {"audit": {"include_prompts": True}, "metrics": OFF}
    text = "mail bob@example.com the Q3 numbers"
    with mock_thread() as url, shim_thread(url, plugins) as shim:
        r = httpx.post(
            shim.url + "/v1/messages",
            json={**body(0), "messages": [{"role": "user", "content": text}]},
            headers=auth(shim.token),
        )
    assert r.status_code == 200
    raw = (paths.state_dir() / "audit.jsonl").read_text()
    (line,) = read_lines(paths.state_dir() / "audit.jsonl")
    assert line["prompt"] == "mail [EMAIL] the Q3 numbers"
    assert "bob@example.com" not in raw


PRICES = {
    "claude-sonnet-4-5": {
        "input": 3.0,
        "output": 15.0,
        "cache_read": 0.3,
        "cache_write": 3.75,
        "cache_write_1h": 6.0,
    }
}
CACHED_TURN = {
    "text": "Cached answer here.",
    "usage": {
        "input_tokens": 1000,
        "output_tokens": 500,
        "cache_read_input_tokens": 20000,
        "ephemeral_5m_input_tokens": 3000,
        "ephemeral_1h_input_tokens": 1000,
    },
}


@pytest.mark.parametrize("stream", [True, False])
def test_cache_reads_and_writes_are_priced_apart_through_the_shim(stream: bool) -> None:
    # 1000 x $3 + 500 x $15 + 20000 x $0.30 + 3000 x $3.75 + 1000 x $6 (1-hour writes), per M
    golden = (3000 + 7500 + 6000 + 11250 + 6000) / 1e6
    plugins = {"audit": {}, "metrics": OFF}
    with mock_thread(script=parse_script([CACHED_TURN])) as url:
        with shim_thread(url, plugins, prices=PRICES) as shim:
            client = anthropic.Anthropic(base_url=shim.url, api_key=shim.token, max_retries=0)
            request = {k: v for k, v in body(0).items() if k != "stream"}
            if stream:
                with client.messages.stream(**request) as s:
                    final = s.get_final_message()
            else:
                final = client.messages.create(**request)
        (line,) = read_lines(paths.state_dir() / "audit.jsonl")
    assert final.usage.cache_read_input_tokens == 20000  # what the client saw
    assert line["stream"] is stream and line["tokens_exact"] is True
    assert line["cost_usd"] == pytest.approx(golden, abs=1e-9) == 0.03375
    assert (line["prompt_tokens"], line["response_tokens"]) == (25000, 500)
    assert (line["cache_read_tokens"], line["cache_write_tokens"]) == (20000, 4000)
