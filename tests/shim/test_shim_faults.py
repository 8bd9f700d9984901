"""Upstream faults as the client sees them, and the shim staying up through them."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from typing import ClassVar

import aiohttp
import anthropic
import httpx
import pytest

from llmgw_cli.shim.plugins.contract import Exchange
from tests.helpers.mockserver import clear, mock_thread, requests_seen, stats
from tests.shim.conftest import save_profile, shim_for

HI = [{"role": "user", "content": "hi"}]
BODY = {"model": "claude-sonnet-4-5", "max_tokens": 50, "messages": HI}


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again on exit: nothing listens there


def test_refused_upstream_is_a_502_naming_the_reason_in_each_format() -> None:
    port = closed_port()
    save_profile("down", f"http://127.0.0.1:{port}")
    with shim_for("down") as shim:
        r = httpx.post(shim.url + "/v1/messages", json=BODY, headers={"x-api-key": shim.token})
        assert r.status_code == 502
        body = r.json()
        assert body["type"] == "error" and body["error"]["type"] == "api_error"
        assert "Connection refused" in body["error"]["message"]
        assert f"127.0.0.1:{port}" in body["error"]["message"]
        o = httpx.post(
            shim.url + "/v1/chat/completions",
            json={"model": "gpt-4o", "messages": HI},
            headers={"Authorization": f"Bearer {shim.token}"},
        )
        assert o.status_code == 502
        assert "Connection refused" in o.json()["error"]["message"]
        # The SDK turns it into its usual exception, with the reason in it.
        client = anthropic.Anthropic(base_url=shim.url, api_key=shim.token, max_retries=0)
        with pytest.raises(anthropic.InternalServerError, match="Connection refused"):
            client.messages.create(**BODY)  # type: ignore[call-overload]
        health = httpx.get(shim.url + "/health").json()
        assert health["members"][0]["reachable"] is False


def test_upstream_dying_mid_stream_ends_with_an_error_event_and_the_shim_stays_up() -> None:
    with mock_thread(drop_after=5, output_tokens=20) as url:
        save_profile("flaky", url)
        with shim_for("flaky") as shim:
            headers = {"x-api-key": shim.token}
            with httpx.stream(
                "POST", shim.url + "/v1/messages", json={**BODY, "stream": True}, headers=headers
            ) as r:
                text = r.read().decode()
            assert r.status_code == 200
            assert text.count("event: ") == 6  # five relayed events, then ours
            last = text.strip().split("\n\n")[-1]
            assert last.startswith("event: error\ndata: ")
            assert '"type":"error"' in last.replace(" ", "")
            assert "broke off" in last
            # The SDK raises on it rather than returning a silently truncated message.
            client = anthropic.Anthropic(base_url=shim.url, api_key=shim.token, max_retries=0)
            with (
                pytest.raises(anthropic.APIStatusError, match="broke off"),
                client.messages.stream(**BODY) as stream,  # type: ignore[arg-type]
            ):
                for _ in stream:
                    pass
            ok = httpx.post(shim.url + "/v1/messages", json=BODY, headers=headers)
            assert ok.status_code == 200  # non-streamed replies are not cut


async def _disconnect_midstream(shim_url: str, token: str, n: int, concurrency: int) -> int:
    data = {**BODY, "stream": True, "max_tokens": 500}
    sem = asyncio.Semaphore(concurrency)
    cut = 0

    async def one() -> None:
        nonlocal cut
        async with sem:
            conn = aiohttp.TCPConnector(force_close=True)
            async with aiohttp.ClientSession(connector=conn) as session:
                resp = await session.post(
                    shim_url + "/v1/messages", json=data, headers={"x-api-key": token}
                )
                async for chunk in resp.content.iter_any():
                    if b"content_block_delta" in chunk:
                        break
                resp.close()  # walk away mid-stream, the connection with us
                cut += 1

    await asyncio.gather(*(one() for _ in range(n)))
    return cut


def test_clients_disconnecting_mid_stream_leave_no_upstream_connections_open() -> None:
    with mock_thread(itl_ms=20, output_tokens=400) as url:
        save_profile("long", url)
        with shim_for("long") as shim:
            baseline = stats(url)["connections_open"]  # the stats request's own connection
            cut = asyncio.run(_disconnect_midstream(shim.url, shim.token, 1000, 50))
            assert cut == 1000
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                s = stats(url)
                if s["connections_open"] == baseline and s["streams"]["active"] == 0:
                    break
                time.sleep(0.2)
            assert s["streams"]["active"] == 0, s
            assert s["connections_open"] == baseline, s  # every upstream request was cancelled
            assert s["streams"]["cancelled"] == 1000
            assert s["streams"]["completed"] == 0
            health = httpx.get(shim.url + "/health").json()
            assert health["in_flight"] == 0 and health["members"][0]["in_flight"] == 0


def test_a_10_mb_body_passes() -> None:
    with mock_thread(max_body=64 << 20, log_body_limit=64) as url:
        save_profile("big", url)
        with shim_for("big") as shim:
            big = "x" * (10 << 20)
            payload = {**BODY, "messages": [{"role": "user", "content": big}]}
            r = httpx.post(
                shim.url + "/v1/messages",
                json=payload,
                headers={"x-api-key": shim.token},
                timeout=60,
            )
            assert r.status_code == 200, r.text
            seen = requests_seen(url, "/v1/messages")[-1]
            assert seen["body_size"] > 10 << 20


def test_malformed_json_is_forwarded_untouched() -> None:
    raw = b'{"model": "claude-sonnet-4-5", "messages": [oops'
    with mock_thread() as url:
        save_profile("m", url)
        with shim_for("m") as shim:
            direct = httpx.post(url + "/v1/messages", content=raw)
            clear(url)
            r = httpx.post(
                shim.url + "/v1/messages",
                content=raw,
                headers={"x-api-key": shim.token, "content-type": "application/json"},
            )
            seen = requests_seen(url, "/v1/messages")
    assert len(seen) == 1 and seen[0]["body"] == raw.decode()  # byte for byte
    assert r.status_code == direct.status_code  # the upstream's own answer


class ParsingPlugin:
    """A plugin that reads the body, as budget and PII filters do."""

    name: ClassVar[str] = "parser"
    needs_usage: ClassVar[bool] = False

    def __init__(self) -> None:
        self.completed: list[Exchange] = []

    async def on_request(self, exchange: Exchange) -> None:
        exchange.json()

    async def on_complete(self, exchange: Exchange) -> None:
        self.completed.append(exchange)

    async def close(self) -> None:
        return None


def test_malformed_json_gets_400_when_something_must_parse_it() -> None:
    plugin = ParsingPlugin()
    with mock_thread() as url:
        save_profile("m", url)
        with shim_for("m", plugins=[plugin]) as shim:
            r = httpx.post(
                shim.url + "/v1/messages",
                content=b"{not json",
                headers={"x-api-key": shim.token},
            )
            ok = httpx.post(shim.url + "/v1/messages", json=BODY, headers={"x-api-key": shim.token})
            seen = requests_seen(url, "/v1/messages")
    assert r.status_code == 400
    assert r.json()["error"]["type"] == "invalid_request_error"
    assert "not valid JSON" in r.json()["error"]["message"]
    assert ok.status_code == 200
    assert len(seen) == 1  # the bad one never went upstream
    assert [e.status for e in plugin.completed] == [400, 200]  # both were reported


def test_a_hung_upstream_hits_the_profiles_first_byte_timeout() -> None:
    from llmgw_cli.config.model import Timeouts

    with mock_thread(ttft_ms=5000) as url:
        save_profile("slow", url, timeouts=Timeouts(connect_s=2, first_byte_s=0.5, total_s=30))
        with shim_for("slow") as shim:
            r = httpx.post(
                shim.url + "/v1/messages", json=BODY, headers={"x-api-key": shim.token}, timeout=30
            )
    assert r.status_code == 504
    assert "did not answer within" in r.json()["error"]["message"]


async def _walk_away_before_headers(shim_url: str, token: str, n: int) -> None:
    async def one() -> None:
        async with aiohttp.ClientSession() as session:
            with contextlib.suppress(asyncio.TimeoutError):  # gave up while it was thinking
                await session.post(
                    shim_url + "/v1/messages",
                    json=BODY,
                    headers={"x-api-key": token},
                    timeout=aiohttp.ClientTimeout(total=0.3),
                )

    await asyncio.gather(*(one() for _ in range(n)))


def test_a_client_leaving_before_the_answer_cancels_the_upstream_request() -> None:
    with mock_thread(ttft_ms=20_000) as url:  # the upstream would think for 20 s
        save_profile("thinker", url)
        with shim_for("thinker") as shim:
            baseline = stats(url)["connections_open"]
            started = time.monotonic()
            asyncio.run(_walk_away_before_headers(shim.url, shim.token, 50))
            while time.monotonic() - started < 15:
                if stats(url)["connections_open"] == baseline:
                    break
                time.sleep(0.1)
            assert stats(url)["connections_open"] == baseline  # long before the 20 s were up
            assert httpx.get(shim.url + "/health").json()["in_flight"] == 0
